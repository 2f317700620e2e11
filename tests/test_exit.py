"""A finished build's process exits without Python's collector walking its heap, and still flushes its log."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT

SCRIPT = """
import atexit, gc, logging, sys
logging.basicConfig(stream=sys.stderr, level=logging.INFO)
freezes = []
real = gc.freeze
gc.freeze = lambda: freezes.append(1) or real()  # what the build registers, counted
# Registered before the build's: runs after it, as logging's own exit handler does.
atexit.register(lambda: print("frozen at exit:", len(freezes), gc.get_freeze_count() > 0, flush=True))
from sitelib.plugin.orchestrator import freeze_at_exit
freeze_at_exit()
freeze_at_exit()  # a second build in the process
logging.getLogger("mkdocs").info("the last line of the build")
"""


def test_the_heap_is_frozen_when_the_process_exits_registered_once_and_the_log_still_written():
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["frozen at exit: 1 True"]  # once, however many builds
    assert "the last line of the build" in result.stderr
