"""The Jupyter kernel processes below a process: what the executor tests check are all gone."""

from __future__ import annotations

import psutil


def kernels_of(process: psutil.Process) -> list[psutil.Process]:
    """The Jupyter kernels among ``process``'s descendants (not other children, e.g. a browser driver)."""
    found = []
    for child in process.children(recursive=True):
        try:
            if any("ipykernel" in part for part in child.cmdline()):
                found.append(child)
        except psutil.NoSuchProcess:
            pass
    return found
