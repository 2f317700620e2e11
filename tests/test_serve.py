"""`mkdocs serve` shows every edit, and what it serves after edits equals a clean build."""

from __future__ import annotations

import gzip
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
import urllib.parse
import urllib.request

import pytest

from conftest import ROOT, Site

pytestmark = pytest.mark.build


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, text: str, timeout: float = 120) -> str:
    """Poll ``url`` until its body contains ``text``; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    body = ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                body = response.read().decode("utf-8")
            if text in body:
                return body
        except OSError:
            pass  # the server is starting or rebuilding
        time.sleep(0.5)
    raise AssertionError(f"{text!r} never appeared at {url}; last body had {len(body)} bytes")


def served(url: str) -> bytes:
    """The body at ``url``, without the live-reload script `mkdocs serve` adds to HTML pages."""
    with urllib.request.urlopen(url, timeout=10) as response:
        body = response.read()
    return re.sub(rb"<script>[^<]*livereload[^<]*</script>(?=</body>)", b"", body, flags=re.S)


def content(path: Path) -> bytes:
    """A built file's content (decompressed for .gz, whose header carries a timestamp)."""
    return gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()


def test_serve_after_edits_equals_a_clean_build(tmp_path, site: Site):
    """Edits to prose (two languages), an example and a helper show up, every served file then equals what
    `mkdocs build` makes, and that build reuses serve's language builds (serve's own address is no input of them)."""
    project = tmp_path / "project"
    shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns(".venv", ".git", "site", "artifacts"))
    port = free_port()
    # Two at once, as on a 2-core machine: serve then shows the first language an edit rebuilds before the
    # others are built (sitelib/plugin/serve_first.py), and a third waits for a core.
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(project), "LESSON_JOBS": "2"}
    log = (tmp_path / "serve.log").open("w", encoding="utf-8")
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=log,
    )
    mount = urllib.parse.urlsplit(site.site_url).path  # serve mounts site_url's path
    base = f"http://127.0.0.1:{port}{mount}"
    last = site.roots[site.languages[-1].code]  # the language built last: once it shows an edit, the build is done
    try:
        wait_for(base + "examples/autograd_basics/", "after : tensor(2.) tensor(1.) tensor(1.)", timeout=300)

        page = project / "docs" / "en" / "02-similar-frameworks.md"
        page.write_text(page.read_text(encoding="utf-8") + "\n\nEdited English prose.\n", encoding="utf-8")
        wait_for(base + "02-similar-frameworks/", "Edited English prose.")

        page = project / "docs" / "zh" / "02-similar-frameworks.md"
        page.write_text(page.read_text(encoding="utf-8") + "\n\n编辑过的默认说明。\n", encoding="utf-8")
        wait_for(base + "zh/02-similar-frameworks/", "编辑过的默认说明。")
        if "zh-hant" in site.roots:
            wait_for(base + "zh-hant/02-similar-frameworks/", "編輯過的預設說明。")  # converted, Taiwan wording

        example = project / "lessonsrc" / "autograd_basics.py"
        example.write_text(example.read_text(encoding="utf-8") + '\n# %%\nprint("edited example output")\n', encoding="utf-8")
        wait_for(base + "examples/autograd_basics/", "edited example output")

        helper = project / "lessonsrc" / "timing.py"
        helper.write_text(helper.read_text(encoding="utf-8").replace('f"cpu: {cpu_model()}', 'f"cpu (edited helper): {cpu_model()}'), encoding="utf-8")
        # No example imports the helper (downloads run on their own); the API page shows its source.
        wait_for(base + "api/", "cpu (edited helper): ")
        wait_for(base + f"{last}api/", "cpu (edited helper): ")
        time.sleep(2)  # no rebuild is pending: the last edit's build has finished

        fresh = tmp_path / "fresh"
        result = subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(fresh)], cwd=project,
            env=env, capture_output=True, text=True, timeout=900)
        assert result.returncode == 0, result.stderr[-3000:]
        for lang in site.languages:
            assert f"Language {lang.code}: nothing it is built from changed, reusing its build" in result.stderr
        files = [p for p in fresh.rglob("*") if p.is_file()]
        assert len(files) > 100
        differ = [p.relative_to(fresh).as_posix() for p in files
                  if (p.suffix == ".gz" and gzip.decompress(served(base + p.relative_to(fresh).as_posix())) != content(p))
                  or (p.suffix != ".gz" and served(base + p.relative_to(fresh).as_posix()) != p.read_bytes())]
        assert not differ, f"{len(differ)} served files differ from a fresh build: {differ[:10]}"
        if len(site.languages) > 2:
            shown = f"Language {site.languages[0].code} shown; " + ", ".join(l.code for l in site.languages[1:])
            assert shown in (tmp_path / "serve.log").read_text(encoding="utf-8")
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
