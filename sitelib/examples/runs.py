"""Which runs an example page shows: merged runs that match the source, and a run of this build where needed.

For each example the build takes the merged runs (``sitelib.examples.store``)
whose input key matches the example as it is now. It runs the example itself
only when none of them was made on the kind of machine it is on: a CPU
build with a current merged GPU run runs the example on its CPU too, and the
page shows both runs, GPU first; with current merged runs of both kinds no
kernel starts at all. A merged run whose key no longer matches is stale: its
outputs are never shown, and the page and the log say how to refresh it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from sitelib.examples.run_in_kernel import Execution
from sitelib.examples.notebooks import executed_examples, write_manifest
from sitelib.examples.page_html import REFRESH_COMMANDS
from sitelib.examples.store import KINDS, MergedRuns, StoredRun, local_kind, merged_runs, run_kind

log = logging.getLogger("mkdocs.plugins.lesson")

REFRESH = (f"run {REFRESH_COMMANDS[0]} (or scripts/execute_examples.py OUTDIR) on a machine with a GPU, "
           f"then {REFRESH_COMMANDS[1]}")


@dataclass(frozen=True)
class Run:
    """One run shown on a page: its kind, the execution, and whether it was merged (made elsewhere)."""

    kind: str
    execution: Execution
    merged: bool


@dataclass
class ExampleRuns:
    """What an example page shows: its runs, GPU first (never none), and the stale merged runs it names."""

    shown: list[Run]
    stale: list[StoredRun] = field(default_factory=list)

    @property
    def primary(self) -> Execution:
        return self.shown[0].execution

    def digest_text(self) -> str:
        """Everything of these runs the pages depend on, as text to hash."""
        record = [(r.kind, r.merged, r.execution.meta) for r in self.shown]
        record += [(s.kind, s.key, s.execution.meta) for s in self.stale]
        return json.dumps(record, sort_keys=True, default=str)


def combine(merged: MergedRuns, local: Execution | None) -> ExampleRuns:
    """The runs to show from the current merged ones and this build's (which replaces a merged run of its kind)."""
    runs = {kind: Run(kind, stored.execution, True) for kind, stored in merged.current.items()}
    if local is not None:
        runs[run_kind(local.machine)] = Run(run_kind(local.machine), local, False)
    if not runs:
        raise ValueError("an example with no run to show")
    return ExampleRuns([runs[k] for k in KINDS if k in runs], [s for s in merged.stale if s.kind not in runs])


def example_runs(src_dir: Path, cache_dir: Path, store_dir: Path, *, executing: bool, here: str | None = None,
                 examples: list[Path], **execute_options) -> dict[Path, ExampleRuns]:
    """The runs of each of ``examples``: merged from ``store_dir`` where current, else executed (or cached) here.

    The executing build (``executing``) records the examples it found in the
    cache folder's manifest and logs each stale merged run; ``here`` is this
    machine's kind (found out when None). ``execute_options`` go to
    :func:`~sitelib.examples.notebooks.executed_examples`.
    """
    here = here or local_kind()
    merged = {path: merged_runs(path, src_dir, store_dir) for path in examples}
    if executing:
        write_manifest(cache_dir, src_dir, examples)
    need = [path for path in examples if here not in merged[path].current]
    local = executed_examples(src_dir, cache_dir, only=need, **execute_options) if need else {}
    runs = {path: combine(merged[path], local.get(path)) for path in examples}
    if executing:
        for path, found in runs.items():
            for stale in found.stale:
                log.info("Example %s: its %s run (on %s, %s) is out of date: the example changed since, so its "
                         "page shows no %s outputs and says so. To refresh it, %s",
                         path.relative_to(src_dir), stale.kind.upper(),
                         stale.execution.machine.get("gpu") or stale.execution.machine.get("cpu"),
                         stale.execution.executed_at, stale.kind.upper(), REFRESH)
            merged_here = [r.kind.upper() for r in found.shown if r.merged]
            if merged_here:
                log.info("Example %s: %s run merged from %s", path.relative_to(src_dir), " and ".join(merged_here),
                         store_dir)
    return dict(sorted(runs.items()))
