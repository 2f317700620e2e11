"""Measure how long the site takes to build, against the cost of just running the examples.

Prints one line per measurement (median of ``--runs`` runs) and two ratios:

1. floor: every example executed in one Python process, plus a build with execution off
2. cold: ``mkdocs build --strict`` with every cache removed
3. warm: the same build again, nothing changed
4. prose edit: a build after editing one theory page
5. helper edit: a build after editing one ``lessonsrc`` helper module

The edited files are restored afterwards. Run with ``make bench``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sitelib.examples import find_examples  # noqa: E402

PROSE_PAGE = ROOT / "docs" / "en" / "02-similar-frameworks.md"
HELPER = ROOT / "lessonsrc" / "timing.py"
EXECUTED = re.compile(r"Executing example (\S+)")


def run_examples_in_one_process() -> float:
    """Seconds to run every example in a child process that imports torch once."""
    code = (
        "import runpy, sys, torch\n"
        "for path in sys.argv[1:]:\n"
        "    runpy.run_path(path, run_name='__main__')\n"
    )
    paths = [str(p) for p in find_examples(ROOT / "lessonsrc")]
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, *paths], cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - start


def build(site: Path, execute: bool = True) -> tuple[float, list[str]]:
    """Seconds of one strict build into ``site``, and the examples it executed."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "LESSON_EXECUTE": "1" if execute else "0"}
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"build failed:\n{result.stderr[-3000:]}")
    return seconds, EXECUTED.findall(result.stderr)


def clear_caches() -> None:
    """Remove every cache the build keeps, so the next build is cold."""
    shutil.rmtree(ROOT / ".cache", ignore_errors=True)


@contextmanager
def edited(path: Path, suffix: str):
    """Append ``suffix`` to ``path`` for the duration of the block, then restore it byte for byte."""
    original = path.read_bytes()
    path.write_bytes(original + suffix.encode())
    try:
        yield
    finally:
        path.write_bytes(original)


def one_run(site: Path) -> dict[str, float]:
    """All five measurements once; the helper edit also reports what it re-executed."""
    clear_caches()
    floor_build, _ = build(site, execute=False)
    times = {"no-exec build": floor_build, "floor": run_examples_in_one_process() + floor_build}
    clear_caches()
    times["cold"], _ = build(site)
    times["warm"], _ = build(site)
    with edited(PROSE_PAGE, "\n"):
        times["prose edit"], _ = build(site)
    with edited(HELPER, "\n# benchmark edit\n"):
        times["helper edit"], executed = build(site)
    print("  run: " + ", ".join(f"{k} {v:.2f} s" for k, v in times.items()) + f"; helper edit executed {executed}")
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="runs to take the median of (default 3)")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error(f"--runs must be at least 1, got {args.runs}")
    with tempfile.TemporaryDirectory(prefix="bench-site-") as tmp:
        runs = [one_run(Path(tmp) / "site") for _ in range(args.runs)]
    median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    print(f"medians of {args.runs} runs on {os.cpu_count()} cores:")
    for key in ("floor", "cold", "warm", "prose edit", "helper edit", "no-exec build"):
        print(f"{key:>14}: {median[key]:6.2f} s")
    print(f"{'cold/floor':>14}: {median['cold'] / median['floor']:6.2f}  (target <= 2)")
    print(f"{'warm/floor':>14}: {median['warm'] / median['floor']:6.2f}")
    print(f"{'warm/no-exec':>14}: {median['warm'] / median['no-exec build']:6.2f}  (target <= 1.2)")
    print(f"{'prose/no-exec':>14}: {median['prose edit'] / median['no-exec build']:6.2f}  (target <= 1.2)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
