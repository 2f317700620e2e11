"""A small lesson project in a temporary folder, for tests that build a site around one example.

Two languages (English and Simplified Chinese), one page each, the lesson
plugin, search and mkdocs-jupyter: seconds to build, against minutes for a
copy of the whole lesson.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

CONFIG = """\
site_name: Tiny lesson
site_url: https://example.org/tiny/
theme:
  name: material
  language: en
plugins:
  - lesson:
      cache_dir: .cache/lesson
{options}
      examples:
        - src: lessonsrc
          uri: examples
      languages:
        - code: en
          tag: en
          name: English
          theme: en
          site_name: Tiny lesson
        - code: zh
          tag: zh-Hans
          name: 简体中文
          theme: zh
          site_name: 小课
  - search
  - mkdocs-jupyter:
      include: ["*.ipynb"]
      ignore: ["*.md"]
"""


@dataclass
class Build:
    """A finished ``mkdocs build``: exit status, log, and how long it took."""

    returncode: int
    log: str
    seconds: float

    @property
    def first_error(self) -> str:
        """The first error or warning line of the log, as MkDocs printed it."""
        for line in self.log.splitlines():
            if line.startswith(("Error", "ERROR", "WARNING")):
                return line
        return ""


def make_project(root: Path, example: str, name: str = "demo.py", options: str = "") -> Path:
    """A project under ``root`` whose one example is ``example`` (plus a helper it may import)."""
    (root / "docs" / "en").mkdir(parents=True)
    (root / "docs" / "zh").mkdir(parents=True)
    (root / "docs" / "en" / "index.md").write_text("# Home\n\nThe tiny lesson.\n", encoding="utf-8")
    (root / "docs" / "zh" / "index.md").write_text("# 首页\n\n小课。\n", encoding="utf-8")
    (root / "data").mkdir()
    (root / "data" / "notes.txt").write_text("data the site reads\n", encoding="utf-8")
    src = root / "lessonsrc"
    src.mkdir()
    (src / "__init__.py").write_text("", encoding="utf-8")
    (src / "helper.py").write_text("VALUE = 41\n", encoding="utf-8")
    (src / name).write_text(example, encoding="utf-8")
    indented = "".join(f"      {line}\n" for line in options.splitlines())
    (root / "mkdocs.yml").write_text(CONFIG.format(options=indented.rstrip("\n")), encoding="utf-8")
    return root


def build(project: Path, *args: str, timeout: float = 300) -> Build:
    """Run ``mkdocs build`` in ``project`` (with ``args``), timed."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    start = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", *args], cwd=project, env=env,
                            capture_output=True, text=True, timeout=timeout)
    return Build(result.returncode, result.stdout + result.stderr, round(time.monotonic() - start, 1))
