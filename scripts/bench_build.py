"""Measure build times and `mkdocs serve` edit latencies, on a copy of the project.

Prints medians of ``--runs`` runs:

1. floor: every example executed in one Python process, plus a build with execution off
2. cold: ``mkdocs build --strict`` with every cache removed
   (example execution: the edited example alone in a fresh kernel, start-up included)
3. warm: the same build again, nothing changed
   (no-exec build: ``LESSON_EXECUTE=0``, every language built, for scale: once with
   every cache removed, once with the caches of rendered pieces warm)
4. serve latencies: under ``mkdocs serve``, the seconds from saving an edit to the
   served page showing it, for a prose edit in each language (a Traditional
   Chinese page shows an edit of its Simplified source), an example edit and a
   helper edit.
5. the peers, in the same rounds (``scripts/bench_peers.py``; ``--no-peers`` skips
   them): the same English pages built by plain Material (the floor: cold, warm,
   an English edit under serve) and the same examples built by mkdocs-gallery in
   an environment of its own (cold, warm, the same example edit under serve),
   then one table with the ratios the build-speed targets name.

The project is copied to a temporary folder first (``--project`` picks another
checkout, e.g. an older commit, for a before/after table), so neither your
files nor your cache are touched. Run with ``make bench``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import bench_peers

ROOT = Path(__file__).resolve().parent.parent
IGNORE = shutil.ignore_patterns(".venv", ".git", "site", ".cache", "artifacts", "__pycache__")
PROSE = "02-similar-frameworks"
EXAMPLE = "autograd_basics.py"  # the example the serve benchmark edits


def env_for(project: Path, execute: bool = True) -> dict[str, str]:
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1", "LESSON_EXECUTE": "1" if execute else "0",
            "PYTHONPATH": str(project)}


def examples(project: Path) -> list[Path]:
    """The example files (those with ``# %%`` cells) of the project's lessonsrc."""
    return sorted(p for p in (project / "lessonsrc").glob("*.py") if "# %%" in p.read_text(encoding="utf-8"))


def floor(project: Path) -> float:
    """Seconds to run every example in one process that imports torch once, plus a no-execution build."""
    code = "import runpy, sys, torch\nfor path in sys.argv[1:]:\n    runpy.run_path(path, run_name='__main__')\n"
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, *map(str, examples(project))], cwd=project, check=True,
                   capture_output=True, env=env_for(project))
    return time.perf_counter() - start + build(project, execute=False)


def execution(project: Path) -> float | None:
    """Seconds to run the edited example in a fresh kernel (start-up included), as an edit makes serve do.

    None (with the reason printed once) where the project's code has no
    ``sitelib.examples.execute.execute_each`` taking ``Job``s (an older checkout).
    """
    code = ("import sys, tempfile, time\nfrom pathlib import Path\n"
            "from sitelib.examples.execute import Job, execute_each\n"
            "from sitelib.examples.notebooks import read_example\npath = Path(sys.argv[1])\n"
            "job = Job(path, read_example(path), Path(tempfile.mkdtemp()), path.parent.parent, 600)\n"
            "start = time.perf_counter()\nlist(execute_each([job]))\nprint(time.perf_counter() - start)\n")
    result = subprocess.run([sys.executable, "-c", code, str(project / "lessonsrc" / EXAMPLE)], cwd=project,
                            capture_output=True, text=True, env=env_for(project))
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        print(f"example execution not measured: {lines[-1] if lines else result.returncode}", file=sys.stderr)
        return None
    return float(result.stdout.split()[-1])


def build(project: Path, execute: bool = True) -> float:
    """Seconds of one strict build of ``project``."""
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=project,
                            env=env_for(project, execute), capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"build failed:\n{result.stderr[-3000:]}")
    return time.perf_counter() - start


def fetch(url: str) -> str | None:
    """The page at ``url`` without the live-reload script (which differs on every request); None if down."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            body = response.read().decode("utf-8")
    except (urllib.error.URLError, OSError):
        return None
    return re.sub(r"<script>[^<]*livereload[^<]*</script>(?=</body>)", "", body, flags=re.S)


def wait_for(url: str, marker: str, since: float, timeout: float = 180) -> float:
    """Seconds from ``since`` until the page at ``url`` contains ``marker``."""
    while time.perf_counter() - since < timeout:
        body = fetch(url)
        if body is not None and marker in body:
            return time.perf_counter() - since
        time.sleep(0.05)
    raise SystemExit(f"{marker!r} never appeared at {url}")


class Serve:
    """``mkdocs serve`` of ``project`` on a free local port (with ``python``: a peer's, or ours)."""

    def __init__(self, project: Path, python: str | Path = sys.executable, env: dict | None = None):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.process = subprocess.Popen(
            [str(python), "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}"], cwd=project,
            env=env or env_for(project), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        root = f"http://127.0.0.1:{port}/"
        wait_for(root, "</html>", time.perf_counter(), timeout=600)  # serve redirects / to site_url's path
        with urllib.request.urlopen(root, timeout=5) as response:
            self.base = response.geturl()

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def append(path: Path, text: str) -> float:
    """Append ``text`` to ``path``; return the moment of the save."""
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)
    return time.perf_counter()


def serve_latencies(project: Path, runs: int) -> dict[str, list[float]]:
    """Edit → served page latencies under one ``mkdocs serve``, ``runs`` times each."""
    server = Serve(project)
    results: dict[str, list[float]] = {}
    hant = fetch(server.base + f"zh-hant/{PROSE}/") is not None
    try:
        for n in range(runs):
            marker = f"benchmarker{n}x"
            saved = append(project / "docs" / "en" / f"{PROSE}.md", f"\n\n{marker}en\n")
            results.setdefault("prose edit (en)", []).append(wait_for(server.base + f"{PROSE}/", marker + "en", saved))
            time.sleep(1)
            saved = append(project / "docs" / "zh" / f"{PROSE}.md", f"\n\n{marker}zh\n")
            results.setdefault("prose edit (zh)", []).append(wait_for(server.base + f"zh/{PROSE}/", marker + "zh", saved))
            if hant:
                results.setdefault("prose edit (zh-Hant)", []).append(
                    wait_for(server.base + f"zh-hant/{PROSE}/", marker + "zh", saved))
            time.sleep(1)
            # An example or helper edit rebuilds every language; serve shows the first (English) when it is
            # built, so the page an author looks at is timed, then the last language (the rebuild's end).
            saved = append(project / "lessonsrc" / EXAMPLE, f'\n# %%\nprint("{marker}ex")\n')
            results.setdefault("example edit", []).append(
                wait_for(server.base + "examples/autograd_basics/", marker + "ex", saved))
            if hant:
                results.setdefault("example edit, every language", []).append(
                    wait_for(server.base + "zh-hant/examples/autograd_basics/", marker + "ex", saved))
            time.sleep(1)
            # No example imports the helper; the API page renders its documented functions, so that page shows it.
            saved = append(project / "lessonsrc" / "timing.py",
                           f'\n\ndef bench_mark_{n}():\n    """{marker}helper."""\n')
            results.setdefault("helper edit", []).append(wait_for(server.base + "api/", marker + "helper", saved))
            if hant:
                wait_for(server.base + "zh-hant/api/", marker + "helper", saved)  # the next edit starts after it
            time.sleep(1)
    finally:
        server.close()
    return results


def one_project(source: Path, runs: int, with_peers: bool = True) -> dict[str, float]:
    """Every measurement on a fresh copy of ``source``: medians of ``runs``."""
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        project = Path(tmp) / "project"
        shutil.copytree(source, project, ignore=IGNORE)
        times: dict[str, list[float]] = {"floor": [], "cold build": [], "warm build": [], "no-exec build": [],
                                         "no-exec build, cold caches": [], "example execution": []}
        peers = bench_peers.Peers(ROOT, source, Path(tmp), runs) if with_peers else None
        for _ in range(runs):
            if peers:
                peers.builds()  # interleaved with ours: a load that comes and goes touches both
            seconds = execution(project)
            if seconds is not None:
                times["example execution"].append(seconds)
            shutil.rmtree(project / ".cache", ignore_errors=True)
            times["floor"].append(floor(project))
            # The whole site, every language built: from nothing, then with the caches of rendered pieces warm.
            shutil.rmtree(project / ".cache", ignore_errors=True)
            times["no-exec build, cold caches"].append(build(project, execute=False))
            shutil.rmtree(project / ".cache" / "lesson" / "sites", ignore_errors=True)
            times["no-exec build"].append(build(project, execute=False))
            shutil.rmtree(project / ".cache", ignore_errors=True)
            times["cold build"].append(build(project))
            times["warm build"].append(build(project))
        times.update(serve_latencies(project, runs))
        if peers:
            peers.serve_latencies(Serve, append, wait_for)
            times.update(peers.times)
    return {key: statistics.median(values) for key, values in times.items() if values}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="runs to take the median of (default 5)")
    parser.add_argument("--project", type=Path, default=ROOT, help="the checkout to measure (default: this one)")
    parser.add_argument("--no-peers", action="store_true", help="measure this project only (no floor, no mkdocs-gallery)")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error(f"--runs must be at least 1, got {args.runs}")
    if not (args.project / "mkdocs.yml").is_file():
        parser.error(f"--project {args.project}: no mkdocs.yml there")
    try:
        median = one_project(args.project, args.runs, not args.no_peers)
    except bench_peers.PeerError as error:
        print(f"make bench: {error}", file=sys.stderr)
        return 2
    print(f"medians of {args.runs} runs on {os.cpu_count()} cores, {args.project}:")
    for key, value in median.items():
        if not key.startswith(bench_peers.PEER_KEYS):
            print(f"{key:>26}: {value:6.2f} s")
    print(f"{'cold/floor':>22}: {median['cold build'] / median['floor']:6.2f}  (target <= 2)")
    for key in [k for k in median if k.startswith("prose edit")]:
        print(f"{key + ' / no-exec':>22}: {median[key] / median['no-exec build']:6.2f}  (target <= 0.25)")
    if "example execution" in median:
        target = median["example execution"] + median["prose edit (en)"]
        print(f"{'example edit':>22}: {median['example edit']:6.2f} s  (target <= execution + prose edit (en)"
              f" = {target:.2f} s)")
    if not args.no_peers:
        print()
        print(bench_peers.table(median))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
