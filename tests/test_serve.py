"""`mkdocs serve` shows new output after an edit to an example or to a helper it imports."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
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


def test_serve_rebuilds_after_example_and_helper_edits(tmp_path, site: Site):
    """Editing an example, then a helper module, shows their new outputs in the served pages."""
    project = tmp_path / "project"
    shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns(".venv", ".git", "site", ".cache", "artifacts"))
    port = free_port()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(project)}
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}{urllib.parse.urlsplit(site.site_url).path}"  # serve mounts site_url's path
        wait_for(base + "examples/autograd_basics/", "after : tensor(2.) tensor(1.) tensor(1.)", timeout=240)

        example = project / "lessonsrc" / "autograd_basics.py"
        example.write_text(example.read_text(encoding="utf-8") + '\n# %%\nprint("edited example output")\n', encoding="utf-8")
        wait_for(base + "examples/autograd_basics/", "edited example output")

        helper = project / "lessonsrc" / "timing.py"
        helper.write_text(helper.read_text(encoding="utf-8").replace('f"cpu: {cpu_model()}', 'f"cpu (edited helper): {cpu_model()}'), encoding="utf-8")
        wait_for(base + "examples/matmul_cpu_gpu/", "cpu (edited helper): ")
        wait_for(base + "zh/examples/matmul_cpu_gpu/", "cpu (edited helper): ")
    finally:
        server.terminate()
        server.wait(timeout=30)
