"""An example kernel's clients start no heartbeat channel: none is read (the kernel's process says whether it
lives), and jupyter_client 8.10's ``HBChannel``, stopped before its thread has made its first socket, remakes
its socket without a pause until the zmq context's 1023 sockets are used up ("Too many open files")."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from jupyter_client.channels import HBChannel

from example_project import make_project
from sitelib.examples.kernels import Kernel, kernel_env
from sitelib.examples.notebooks import executed_examples

pytestmark = pytest.mark.slow  # starts kernels

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def late_heartbeats(monkeypatch):
    """Every heartbeat thread makes its first socket 1 s late, as on a loaded machine; the sockets it makes."""
    made = []
    original = HBChannel._create_socket

    def late(self):
        if self.socket is None:
            time.sleep(1)
        made.append(self)
        original(self)

    monkeypatch.setattr(HBChannel, "_create_socket", late)
    return made


def test_a_kernel_closed_at_once_leaves_no_heartbeat_making_sockets(tmp_path, late_heartbeats):
    """A kernel closed right after its start (its probe client stopped at once) makes no heartbeat socket."""
    Kernel(tmp_path, kernel_env(ROOT)).close()
    assert len(late_heartbeats) == 0, f"{len(late_heartbeats)} heartbeat sockets made"


def test_an_example_run_leaves_no_heartbeat_making_sockets(tmp_path, late_heartbeats):
    """nbclient's client of a ready kernel, stopped once a one-line example ran, makes no heartbeat socket."""
    project = make_project(tmp_path / "project", "# %%\nprint(1)\n")
    executed = executed_examples(project / "lessonsrc", tmp_path / "cache", workers=1, zygote=False)
    assert len(executed) == 1
    assert len(late_heartbeats) == 0, f"{len(late_heartbeats)} heartbeat sockets made"
