"""nbclient's client of an example kernel is handed over once IOPub hears the kernel, not after a quiet spell."""

from __future__ import annotations

import asyncio
from queue import Empty

import pytest
from jupyter_core.utils import run_sync

from sitelib.examples.kernels import KernelStartFailed, _connected


def connect(client, timeout):
    """As the build calls it: jupyter_core's run_sync, which also works where an event loop already runs
    (the browser tests' Playwright leaves one running in this thread)."""
    run_sync(_connected)(client, timeout)


class FakeClient:
    """Answers kernel_info on shell; IOPub misses the first ``missed`` status messages (a joining subscription)."""

    def __init__(self, missed: int, answers: bool = True):
        self.missed, self.answers = missed, answers
        self.asked: list[str] = []
        self.shell: list[dict] = [{"parent_header": {"msg_id": "someone else's"}}]
        self.iopub_reads = 0
        self.iopub_channel = self

    def kernel_info(self) -> str:
        msg_id = f"info-{len(self.asked)}"
        self.asked.append(msg_id)
        if self.answers:
            self.shell.append({"parent_header": {"msg_id": msg_id}})
        return msg_id

    async def get_shell_msg(self, timeout=None):
        if not self.shell:
            await asyncio.sleep(min(timeout or 0, 0.01))
            raise Empty
        return self.shell.pop(0)

    async def get_msg(self, timeout=None):  # the IOPub channel's
        self.iopub_reads += 1
        if self.missed:
            self.missed -= 1
            raise Empty
        return {"msg_type": "status"}


def test_returns_at_the_first_iopub_message():
    """One kernel_info, one IOPub read: no second read to wait for quiet. A reply to another request is skipped."""
    client = FakeClient(missed=0)
    connect(client, 5)
    assert client.asked == ["info-0"] and client.iopub_reads == 1


def test_asks_again_while_iopub_misses_the_kernel():
    """A subscription still joining misses the status messages: kernel_info is sent again until one is heard."""
    client = FakeClient(missed=2)
    connect(client, 5)
    assert client.asked == ["info-0", "info-1", "info-2"] and client.iopub_reads == 3


def test_a_kernel_that_never_answers_fails_within_the_limit():
    with pytest.raises(KernelStartFailed, match="did not answer within 0.1 s"):
        connect(FakeClient(missed=0, answers=False), 0.1)
