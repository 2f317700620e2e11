"""The Jupyter kernel processes below a process: what the executor tests check are all gone.

A kernel forked by the zygote (sitelib/examples/zygote.py) keeps the zygote's command line, so
it is told from the zygote by its parent: a kernel is a child of a zygote.
"""

from __future__ import annotations

import psutil

_ZYGOTE = "sitelib.examples.zygote"


def _is_zygote_line(process: psutil.Process) -> bool:
    return any(_ZYGOTE in part for part in process.cmdline())


def _kinds(process: psutil.Process) -> tuple[list[psutil.Process], list[psutil.Process]]:
    kernels, zygotes = [], []
    for child in process.children(recursive=True):
        try:
            if any("ipykernel" in part for part in child.cmdline()):
                kernels.append(child)
            elif _is_zygote_line(child):
                parent = child.parent()
                (kernels if parent is not None and _is_zygote_line(parent) else zygotes).append(child)
        except psutil.NoSuchProcess:
            pass
    return kernels, zygotes


def kernels_of(process: psutil.Process) -> list[psutil.Process]:
    """The Jupyter kernels among ``process``'s descendants (not other children, e.g. a browser driver)."""
    return _kinds(process)[0]


def zygotes_of(process: psutil.Process) -> list[psutil.Process]:
    """The zygotes (the helpers that fork kernels) among ``process``'s descendants."""
    return _kinds(process)[1]


def leftovers_of(process: psutil.Process) -> list[psutil.Process]:
    """The kernels and zygotes still below ``process`` (none should be, once a build is done)."""
    kernels, zygotes = _kinds(process)
    return kernels + zygotes
