"""The peers `make bench` compares with: plain Material on the same English pages, and mkdocs-gallery.

The floor is the English pages (``docs/en``) built by plain mkdocs-material,
no lesson plugin, from a minimal generated ``mkdocs.yml``. mkdocs-gallery runs
in a virtual environment of its own, made once under ``.cache/bench/`` with
pinned versions (the project's ``constraints.txt`` for everything the project
also pins, torch's CPU build included), and builds the same examples,
converted from jupytext percent format to sphinx-gallery scripts with
jupytext, English cells only.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

GALLERY = "mkdocs-gallery==0.10.4"  # the newest release (pip index versions, 2026-12); it needs MkDocs < 2
PEER_PACKAGES = [GALLERY, "mkdocs", "mkdocs-material", "torch", "matplotlib", "numpy", "scikit-learn"]


class PeerError(Exception):
    """The peer's environment cannot be made or its build fails: the message says which and why."""


def peer_env(root: Path) -> Path:
    """The Python of mkdocs-gallery's environment under ``root/.cache/bench``, made the first time."""
    constraints = root / "constraints.txt"
    key = hashlib.sha256("\n".join([*PEER_PACKAGES, sys.version, constraints.read_text()]).encode()).hexdigest()[:12]
    folder = root / ".cache" / "bench" / f"gallery-{key}"
    python = folder / "bin" / "python"
    if (folder / ".complete").is_file():
        return python
    shutil.rmtree(folder, ignore_errors=True)
    print(f"making mkdocs-gallery's environment in {folder} (once)...", flush=True)
    steps = [[sys.executable, "-m", "venv", str(folder)],
             [str(python), "-m", "pip", "install", "--quiet", "-c", str(constraints), *PEER_PACKAGES]]
    for step in steps:
        result = subprocess.run(step, capture_output=True, text=True)
        if result.returncode != 0:
            shutil.rmtree(folder, ignore_errors=True)
            raise PeerError(f"cannot make mkdocs-gallery's environment ({' '.join(step[:4])} ...): "
                            f"exit {result.returncode}\n{(result.stderr or result.stdout)[-2000:]}")
    (folder / ".complete").write_text("\n".join(PEER_PACKAGES) + "\n")
    return python


FLOOR_CONFIG = """site_name: floor
docs_dir: docs/en
site_dir: site
theme:
  name: material
plugins:
  - search
"""


def floor_project(project: Path, target: Path) -> Path:
    """A copy of the English pages with a plain Material configuration: the floor."""
    shutil.copytree(project / "docs" / "en", target / "docs" / "en")
    (target / "mkdocs.yml").write_text(FLOOR_CONFIG, encoding="utf-8")
    return target


GALLERY_CONFIG = """site_name: gallery
docs_dir: docs
site_dir: site
watch: [examples]  # mkdocs-gallery does not add its examples to what serve watches
nav:
  - Home: index.md
  - Examples: generated/gallery  # mkdocs-gallery puts its pages here
theme:
  name: material
plugins:
  - gallery:
      examples_dirs: examples
      gallery_dirs: docs/generated/gallery
      filename_pattern: "."
  - search
"""


def gallery_project(project: Path, target: Path) -> Path:
    """The project's examples as sphinx-gallery scripts (English cells), with an mkdocs-gallery configuration."""
    import jupytext  # our environment's: the peer's need not have it

    examples = target / "examples"
    examples.mkdir(parents=True)
    (examples / "README.md").write_text("# Examples\n", encoding="utf-8")
    (target / "docs").mkdir()
    (target / "docs" / "index.md").write_text("# Gallery\n", encoding="utf-8")
    for path in sorted((project / "lessonsrc").glob("*.py")):
        if path.name.startswith("_") or "# %%" not in path.read_text(encoding="utf-8"):
            continue  # a helper or the package, not an example
        notebook = jupytext.read(path)
        notebook.cells = [c for c in notebook.cells if c.metadata.get("lang", "en") == "en"]
        jupytext.write(notebook, examples / path.name, fmt="py:sphinx")
    (target / "mkdocs.yml").write_text(GALLERY_CONFIG, encoding="utf-8")
    return target


def peer_environ() -> dict[str, str]:
    """Our environment without our project on the path: a peer runs on its own."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return {**env, "NO_MKDOCS_2_WARNING": "1", "MPLBACKEND": "Agg"}


def build(python: Path, project: Path) -> float:
    """Seconds of one ``mkdocs build`` of ``project`` with ``python`` (not strict: a peer's warnings are its own)."""
    start = time.perf_counter()
    result = subprocess.run([str(python), "-m", "mkdocs", "build"], cwd=project, capture_output=True, text=True,
                            env=peer_environ())
    if result.returncode != 0:
        raise PeerError(f"the peer's build in {project} failed (exit {result.returncode}):\n{result.stderr[-3000:]}")
    return time.perf_counter() - start


PEER_KEYS = ("floor ", "gallery ")
EDITED = "autograd_basics"  # the example ours is edited in too
PROSE = "02-similar-frameworks"


class Peers:
    """The floor and mkdocs-gallery, copied into ``tmp``; their times by name in :attr:`times`."""

    def __init__(self, root: Path, project: Path, tmp: Path, runs: int):
        self.runs = runs
        self.gallery_python = peer_env(root)
        self.floor = floor_project(project, tmp / "floor")
        self.gallery = gallery_project(project, tmp / "gallery")
        self.times: dict[str, list[float]] = {}

    def _add(self, key: str, seconds: float) -> None:
        self.times.setdefault(key, []).append(seconds)

    def builds(self) -> None:
        """One round: each peer cold (no site, no gallery output), then warm (nothing changed)."""
        shutil.rmtree(self.floor / "site", ignore_errors=True)
        self._add("floor cold build", build(Path(sys.executable), self.floor))
        self._add("floor warm build", build(Path(sys.executable), self.floor))
        for folder in ("site", "docs/generated"):
            shutil.rmtree(self.gallery / folder, ignore_errors=True)
        self._add("gallery cold build", build(self.gallery_python, self.gallery))
        self._add("gallery warm build", build(self.gallery_python, self.gallery))

    def serve_latencies(self, serve, append, wait_for) -> None:
        """The floor's English edit and the gallery's example edit, ``runs`` times each, as ours are measured."""
        server = serve(self.floor, sys.executable, peer_environ())
        try:
            for n in range(self.runs):
                saved = append(self.floor / "docs" / "en" / f"{PROSE}.md", f"\n\nfloorbench{n}x\n")
                self._add("floor prose edit (en)", wait_for(server.base + f"{PROSE}/", f"floorbench{n}x", saved))
                time.sleep(1)
        finally:
            server.close()
        server = serve(self.gallery, self.gallery_python, peer_environ())
        try:
            for n in range(self.runs):
                saved = append(self.gallery / "examples" / f"{EDITED}.py", f'\nprint("gallerybench{n}x")\n')
                try:
                    seconds = wait_for(server.base + f"generated/gallery/{EDITED}/", f"gallerybench{n}x", saved)
                except SystemExit as error:  # the page never showed it
                    raise PeerError(f"mkdocs-gallery's served page: {error}") from None
                self._add("gallery example edit", seconds)
                time.sleep(1)
        finally:
            server.close()


# (what, ours, the peer's, the target): each ratio the build-speed targets name (issue 23).
TARGETS = [("cold build vs mkdocs-gallery", "cold build", "gallery cold build", 1.0),
           ("example edit vs mkdocs-gallery", "example edit", "gallery example edit", 1.2),
           ("warm build vs floor", "warm build", "floor warm build", 2.0),
           ("zh edit vs en edit", "prose edit (zh)", "prose edit (en)", 1.3),
           ("en edit vs floor", "prose edit (en)", "floor prose edit (en)", 1.2)]
ROWS = [("cold build", "cold build", "floor cold build", "gallery cold build"),
        ("warm build", "warm build", "floor warm build", "gallery warm build"),
        ("English prose edit", "prose edit (en)", "floor prose edit (en)", None),
        ("example edit", "example edit", None, "gallery example edit"),
        ("  every language shown", "example edit, every language", None, None),
        ("Chinese edit (zh)", "prose edit (zh)", None, None),
        ("Chinese edit (zh-Hant)", "prose edit (zh-Hant)", None, None)]


def table(median: dict[str, float]) -> str:
    """The medians side by side (seconds), then each target's ratio and whether it is met.

    >>> print(table({"cold build": 10.0, "gallery cold build": 12.5, "prose edit (en)": 1.0,
    ...              "floor prose edit (en)": 0.9}).splitlines()[-1])
    en edit vs floor                  1.11  target <= 1.2  met
    """
    def cell(key):
        return f"{median[key]:.2f} s" if key in median else "–"

    lines = [f"{'measurement':<24}{'this project':>14}{'plain Material':>16}{GALLERY:>24}"]
    lines += [f"{name:<24}{cell(ours):>14}{cell(floor) if floor else '–':>16}{cell(gallery) if gallery else '–':>24}"
              for name, ours, floor, gallery in ROWS]
    lines.append("")
    for what, ours, peer, target in TARGETS:
        if ours in median and peer in median:
            ratio = median[ours] / median[peer]
            lines.append(f"{what:<32}{ratio:6.2f}  target <= {target:g}  {'met' if ratio <= target else 'NOT met'}")
        else:
            lines.append(f"{what:<32}{'–':>6}  target <= {target:g}  not measured")
    return "\n".join(lines)
