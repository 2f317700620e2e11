"""The build's side of the zygote (sitelib.examples.zygote): start it, ask it for kernels, watch them.

:class:`ZygoteProvisioner` is a jupyter_client ``LocalProvisioner`` whose
``launch_kernel`` asks a :class:`Zygote` to fork the kernel instead of
running ``python -m ipykernel_launcher``; everything else (interrupts and
kills sent to the kernel's process group, polling, waiting, clean-up) is
LocalProvisioner's, on a :class:`ForkedProcess` that stands in for its
``Popen``. When the zygote cannot start, died, or refuses a request, the
kernel starts the usual way (logged at INFO): a zygote is a speed-up, never
a reason for a build to fail.

The zygote is the child of the build (started by ``subprocess``, so the
build itself never forks); the kernels are the zygote's children. So the
zygote reports each kernel's exit status, and the build signals a kernel
through a pidfd, which names that process even once its pid is reused.
"""

from __future__ import annotations

import json
import logging
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

from jupyter_client.provisioning import LocalProvisioner

log = logging.getLogger("mkdocs.plugins.lesson")

ENV_SWITCH = "LESSON_ZYGOTE"  # 0: every kernel starts as a new process
_READY_TIMEOUT = 120  # seconds for the zygote's imports on a loaded 2-core machine
_REPLY_TIMEOUT = 30  # seconds for a fork


class ZygoteUnavailable(Exception):
    """This kernel cannot come from the zygote (the message says why); it starts the usual way."""


def supported() -> bool:
    """Whether this platform can fork kernels from a zygote (Linux: fork, pidfds, SEQPACKET sockets)."""
    return sys.platform == "linux" and hasattr(os, "fork") and hasattr(os, "pidfd_open") \
        and hasattr(signal, "pidfd_send_signal")


def wanted(option: bool = True) -> bool:
    """The plugin's ``zygote`` option, unless ``LESSON_ZYGOTE`` says otherwise (0 off, 1 on), where supported."""
    switch = os.environ.get(ENV_SWITCH, "").strip().lower()
    if switch in ("0", "false", "no", "off"):
        return False
    return (option or switch in ("1", "true", "yes", "on")) and supported()


class Zygote:
    """One zygote process for kernels whose environment is ``env``; thread-safe."""

    def __init__(self, env: dict[str, str], command: list[str] | None = None):
        self.env = dict(env)
        self._lock = threading.Lock()
        self._exits: dict[int, int] = {}
        self._ready = False
        self._broken: str | None = None
        self._folder = tempfile.mkdtemp(prefix="lesson-zygote-")  # an empty cwd: sys.path[0] adds nothing
        self._sock, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        with theirs:
            fd = theirs.fileno()
            # Its own session: Ctrl-C in the terminal reaches the build, which then closes its kernels.
            self.process = subprocess.Popen(
                [*(command or [sys.executable, "-m", "sitelib.examples.zygote"]), str(fd)], pass_fds=[fd],
                env=self.env, cwd=self._folder, stdin=subprocess.DEVNULL, start_new_session=True)

    def _receive(self, timeout: float) -> dict | None:
        """The next message other than an exit report (those are filed on the way); None after ``timeout`` s."""
        if self._broken is not None:
            raise ZygoteUnavailable(self._broken)
        deadline = time.monotonic() + timeout
        while select.select([self._sock], [], [], max(0.0, deadline - time.monotonic()))[0]:
            try:
                data, fds, _, _ = socket.recv_fds(self._sock, 1 << 16, 1)
            except ConnectionError:
                data = b""
            if not data:
                self._gone()
            message = json.loads(data)
            if "exit" in message:
                self._exits[message["exit"]] = message["code"]
                continue
            message["fds"] = fds
            return message
        return None

    def _gone(self) -> None:
        try:
            status = self.process.wait(5)
        except subprocess.TimeoutExpired:  # it closed the socket but lives on: stop it
            self.process.kill()
            status = self.process.wait()
        self._fail(f"the zygote exited (status {status})")

    def _fail(self, reason: str) -> None:
        self._broken = reason
        log.info("Example kernels: %s; starting each as a new process instead", reason)
        raise ZygoteUnavailable(reason)

    def _await_ready(self, wait: bool) -> None:
        if self._ready:
            return
        message = self._receive(_READY_TIMEOUT if wait else 0)
        if message is None:
            if wait:
                self._fail(f"the zygote was not ready within {_READY_TIMEOUT} s")
            raise ZygoteUnavailable("the zygote is not ready yet")
        if "ready" not in message:
            self._fail(message.get("failed", f"the zygote said {message!r}"))
        if message["python_threads"] != 1:  # a fork copies only the forking thread
            self._fail(f"the zygote runs {message['python_threads']} Python threads")
        self._ready = True

    def spawn(self, cmd: list[str], cwd: str, env: dict[str, str], wait: bool = True) -> ForkedProcess:
        """Fork a kernel running ``cmd`` (``python -m ipykernel_launcher ...``) in ``cwd`` with ``env``."""
        if len(cmd) < 3 or cmd[1] != "-m" or not os.path.samefile(cmd[0], sys.executable):
            raise ZygoteUnavailable(f"the kernel command {cmd[:3]} is not this Python's -m")
        with self._lock:
            self._await_ready(wait)
            # Its stdout and stderr are the build's, as for a kernel jupyter_client starts.
            try:
                socket.send_fds(self._sock, [json.dumps({"cmd": cmd, "cwd": cwd, "env": env}).encode()], [1, 2])
            except ConnectionError:
                self._gone()
            reply = self._receive(_REPLY_TIMEOUT)
            if reply is None:
                self._fail(f"the zygote did not answer within {_REPLY_TIMEOUT} s")
            if "refused" in reply:
                raise ZygoteUnavailable(f"the zygote refused: {reply['refused']}")
            return ForkedProcess(self, reply["pid"], reply["fds"][0], cmd)

    def exit_status(self, pid: int) -> int | None:
        """The kernel ``pid``'s exit status, if the zygote has reported it."""
        with self._lock:
            if pid not in self._exits and self._broken is None:
                try:
                    self._receive(0)
                except ZygoteUnavailable:
                    pass
            return self._exits.get(pid)

    @property
    def broken(self) -> bool:
        return self._broken is not None

    def close(self) -> None:
        """Stop the zygote (it kills and reaps any kernel still running) and wait for it."""
        with self._lock:
            self._broken = self._broken or "the zygote was closed"
            self._sock.close()
            if not self._ready:  # still importing: nothing of it is needed any more
                self.process.kill()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self._folder, ignore_errors=True)


class ForkedProcess:
    """A kernel forked by a zygote, with the part of ``subprocess.Popen`` that LocalProvisioner uses."""

    stdin = stdout = stderr = None  # the kernel's stdin is closed, its output goes where the build's does

    def __init__(self, zygote: Zygote, pid: int, pidfd: int, args: list[str]):
        self.zygote, self.pid, self.args = zygote, pid, args
        self._pidfd: int | None = pidfd
        self._fd_lock = threading.Lock()
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self.zygote.exit_status(self.pid)
            if self.returncode is None and self.zygote.broken and self._pidfd is not None \
                    and select.select([self._pidfd], [], [], 0)[0]:
                # It exited, and its zygote is gone too: its status is lost. Its death signal
                # (PR_SET_PDEATHSIG) is SIGKILL, the likeliest cause, so report that.
                self.returncode = -signal.SIGKILL
            if self.returncode is not None:
                with self._fd_lock:
                    if self._pidfd is not None:
                        os.close(self._pidfd)
                        self._pidfd = None
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(self.args, timeout)
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        # Without the zygote's lock (a kill must not wait for a fork): a pidfd reaches only this process.
        with self._fd_lock:
            if self.returncode is None and self._pidfd is not None:
                try:
                    signal.pidfd_send_signal(self._pidfd, signum)
                except ProcessLookupError:  # exited; its status comes from the zygote
                    pass

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class ZygoteProvisioner(LocalProvisioner):
    """LocalProvisioner, with kernels forked by ``self.zygote`` when it can."""

    zygote: Zygote | None = None
    wait_for_zygote = True  # for a zygote still importing (False: start this kernel the usual way meanwhile)

    async def launch_kernel(self, cmd, **kwargs):
        if self.zygote is None or kwargs.get("stdout") is not None or kwargs.get("stderr") is not None:
            return await super().launch_kernel(cmd, **kwargs)
        try:
            process = self.zygote.spawn(cmd, str(kwargs.get("cwd") or os.getcwd()), dict(kwargs["env"]),
                                        self.wait_for_zygote)
        except ZygoteUnavailable as why:
            log.debug("Example kernel started as a new process: %s", why)
            return await super().launch_kernel(cmd, **kwargs)
        self.process, self.pid, self.pgid = process, process.pid, process.pid  # it leads its own group
        self.cwd = kwargs.get("cwd")
        return self.connection_info

    async def send_signal(self, signum: int) -> None:
        # Never signal the group of a kernel known to have exited: its id may belong to another by now.
        if isinstance(self.process, ForkedProcess) and self.process.poll() is not None:
            return
        await super().send_signal(signum)


class Zygotes:
    """The zygotes of one build (or one ``mkdocs serve``), one per kernel environment, started on first use."""

    def __init__(self):
        self._by_env: dict[tuple, Zygote] = {}
        self._lock = threading.Lock()
        self._closed = False

    def for_env(self, env: dict[str, str]) -> Zygote | None:
        key = tuple(sorted(env.items()))
        with self._lock:
            if self._closed:
                return None
            zygote = self._by_env.get(key)
            if zygote is None:  # a broken one stays: its kernels start the usual way, no zygote is retried
                try:
                    zygote = self._by_env[key] = Zygote(env)
                except OSError as error:
                    log.info("Example kernels: the zygote could not start (%s); starting each as a new process",
                             error)
                    return None
            return zygote

    def close(self) -> None:
        with self._lock:
            self._closed = True
            zygotes, self._by_env = list(self._by_env.values()), {}
        for zygote in zygotes:
            zygote.close()
