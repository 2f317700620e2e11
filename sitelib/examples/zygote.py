"""The zygote: one helper process that has imported what every example kernel imports, and forks kernels.

    python -m sitelib.examples.zygote FD

A kernel started the usual way (``python -m ipykernel_launcher``) pays a
Python start, the ipykernel import and the probe's ``import torch``: about
2 s of CPU each, and a build starts one per example. The zygote pays them
once: it imports :data:`PRELOAD`, then waits on the socket ``FD`` (a
``SOCK_SEQPACKET`` socket from sitelib.examples.zygote_client) for requests.
Each request forks a child that becomes a kernel exactly as jupyter_client
would have started it (new session, its stdio, cwd, environment and argv),
then runs ``ipykernel_launcher`` as ``-m`` would. Only imports ran before the
fork: no ZMQ context, no kernel, no example code, no Python thread (the one
native thread, OpenBLAS's, is stopped by OpenBLAS's own fork handler before
each fork). The zygote reaps its children and reports each exit status.

The state a fork shares and a fresh process would not: the RNGs seeded at
import. Python's ``random`` reseeds itself after a fork; torch's default
generator (seeded from the OS at import, unlike torch 1.x's fixed seed) is
reseeded here from ``os.urandom``, and so is numpy's legacy global RNG if a
preloaded module imported ``numpy.random`` (numpy 2 loads it on first use,
which then seeds it in the kernel). Start-up-only settings (the hash seed,
``sys.path``, ``MPLBACKEND`` read at import) come from the zygote's own
environment, so a request whose environment differs (beyond the per-launch
``JPY_*`` names) is refused and that kernel starts the usual way.
"""

from __future__ import annotations

import ctypes
import importlib
import json
import os
import runpy
import selectors
import signal
import socket
import sys
import threading
import warnings

# What the kernel app and the probe (sitelib.examples.kernels._PROBE) import. Not ipykernel.kernelapp itself
# (6 ms): its IPKernelApp reads JPY_PARENT_PID, a per-launch variable, when the class is made. Not
# matplotlib.pyplot or matplotlib_inline: imported before the IPython shell exists, they would miss its
# inline-figure hooks.
PRELOAD = ("ipykernel.ipkernel", "ipykernel.control", "ipykernel.heartbeat", "ipykernel.iostream",
           "ipykernel.parentpoller", "ipykernel.shellchannel", "ipykernel.zmqshell", "ipykernel.connect",
           "IPython.core.application", "IPython.core.shellapp", "jupyter_client.session", "zmq.eventloop.zmqstream",
           "tornado.ioloop", "torch", "numpy", "matplotlib", "sitelib.timings.measure")
NOT_PRELOADED = ("ipykernel.kernelapp", "matplotlib.pyplot", "matplotlib_inline.backend_inline")
# Set by jupyter_client for each kernel; every other variable must be the zygote's own.
PER_LAUNCH = frozenset({"JPY_PARENT_PID", "JPY_SESSION_NAME"})
MAX_MESSAGE = 1 << 20  # bytes: a request carries the kernel's whole environment
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def mismatch(startup: dict[str, str], requested: dict[str, str]) -> list[str]:
    """The variables (beyond PER_LAUNCH) in which a kernel's environment differs from the zygote's.

    >>> mismatch({"A": "1", "B": "2"}, {"A": "1", "B": "2", "JPY_PARENT_PID": "7"})
    []
    >>> mismatch({"A": "1", "B": "2"}, {"A": "9", "C": "3"})
    ['A', 'B', 'C']
    """
    names = (startup.keys() | requested.keys()) - PER_LAUNCH
    return sorted(name for name in names if startup.get(name) != requested.get(name))


def _send(sock: socket.socket, message: dict, fds: list[int] = ()) -> None:
    socket.send_fds(sock, [json.dumps(message).encode()], list(fds))


def _reap(sock: socket.socket, children: set[int]) -> None:
    """Report every child that has exited (its status as ``Popen.returncode`` gives it)."""
    while children:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        children.discard(pid)
        _send(sock, {"exit": pid, "code": os.waitstatus_to_exitcode(status)})


def _stop_children(children: set[int]) -> None:
    """Kill what is left (the build went away without closing its kernels) and reap it."""
    for pid in children:
        try:
            os.killpg(pid, signal.SIGKILL)  # each child leads its own session and group
        except OSError:
            pass
    for pid in children:
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass


def serve(sock: socket.socket, startup_env: dict[str, str]) -> list[str] | None:
    """Answer requests until the socket closes (None); in a forked child, return the kernel's argv."""
    children: set[int] = set()
    wake_r, wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
    signal.signal(signal.SIGCHLD, lambda signum, frame: None)  # a handler, so the wake-up fd hears SIGCHLD
    signal.set_wakeup_fd(wake_w)
    selector = selectors.DefaultSelector()
    selector.register(sock, selectors.EVENT_READ)
    selector.register(wake_r, selectors.EVENT_READ)
    _send(sock, {"ready": os.getpid(), "python_threads": threading.active_count()})
    try:
        while True:
            for key, _ in selector.select():
                if key.fileobj == wake_r:
                    while True:
                        try:
                            if not os.read(wake_r, 512):
                                break
                        except BlockingIOError:
                            break
                    _reap(sock, children)
                    continue
                data, fds, _, _ = socket.recv_fds(sock, MAX_MESSAGE, 2)
                if not data:  # the build closed its end (or exited)
                    return None
                request = json.loads(data)
                differs = mismatch(startup_env, request["env"])
                if differs or len(fds) != 2:
                    for fd in fds:
                        os.close(fd)
                    _send(sock, {"refused": f"its environment differs in {', '.join(differs)}" if differs
                                 else "it needs its own stdout and stderr"})
                    continue
                sys.stdout.flush()
                sys.stderr.flush()
                with warnings.catch_warnings():
                    # Python 3.12+ warns when other threads exist: the only one here is OpenBLAS's, which
                    # its pthread_atfork handler stops before the fork (and restarts on demand).
                    warnings.simplefilter("ignore", DeprecationWarning)
                    pid = os.fork()
                if pid == 0:
                    selector.close()
                    signal.set_wakeup_fd(-1)
                    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # as in a fresh interpreter
                    os.close(wake_r)
                    os.close(wake_w)
                    sock.close()
                    children.clear()  # the siblings are not this process's
                    _become_kernel(request, fds)
                    return request["cmd"]
                for fd in fds:
                    os.close(fd)
                children.add(pid)
                # A pidfd names this child even after its pid is reused: the build signals it through this.
                pidfd = os.pidfd_open(pid)
                try:
                    _send(sock, {"pid": pid}, [pidfd])
                finally:
                    os.close(pidfd)
    finally:
        _stop_children(children)  # empty in a forked child


def _become_kernel(request: dict, fds: list[int]) -> None:
    """In the forked child: take on what jupyter_client's ``launch_kernel`` gives a new kernel process."""
    zygote = os.getppid()
    os.setsid()  # start_new_session=True: interrupts go to the kernel's whole process group
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)  # the kernel dies with the zygote, never runs on unowned
    if os.getppid() != zygote:  # the zygote died before prctl took effect
        os._exit(1)
    stdin_r, stdin_w = os.pipe()  # jupyter_client gives a pipe and closes its end at once
    os.close(stdin_w)
    for target, fd in zip((0, 1, 2), (stdin_r, *fds)):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    env = {**os.environ, **{k: v for k, v in request["env"].items() if k in PER_LAUNCH}}
    env["JPY_PARENT_PID"] = str(zygote)  # ipykernel exits when this parent goes away
    os.environ.clear()
    os.environ.update(env)
    if not sys.flags.safe_path:
        sys.path[0] = os.getcwd()  # `python -m` puts the start-up folder first
    sys.orig_argv = list(request["cmd"])
    sys.argv = [sys.argv[0], *request["cmd"][3:]]  # runpy puts the launcher's path first
    if "numpy.random" in sys.modules:  # (imported later, it seeds itself)
        sys.modules["numpy.random"].seed()  # None: fresh OS entropy, as at import
    if "torch" in sys.modules:  # as at import: a 64-bit seed from the OS
        sys.modules["torch"].default_generator.manual_seed(int.from_bytes(os.urandom(8), "little"))


def main(argv: list[str]) -> int:
    startup_env = dict(os.environ)  # before any import can change it
    sock = socket.socket(fileno=int(argv[0]))
    try:
        try:
            for name in PRELOAD:
                importlib.import_module(name)
        except Exception as error:
            _send(sock, {"failed": f"importing {name} failed: {error!r}"})
            return 1
        early = [name for name in NOT_PRELOADED if name in sys.modules]
        if early:  # an upgrade made one of them a dependency of the preloaded modules
            _send(sock, {"failed": f"preloading imported {', '.join(early)}, which must be imported in the kernel"})
            return 1
        cmd = serve(sock, startup_env)
    except (BrokenPipeError, ConnectionResetError):  # the build went away (serve() has stopped the kernels)
        _exit_now()
    if cmd is None:
        _exit_now()
    # The forked child: run the kernel as `python -m ipykernel_launcher` would, then exit like any interpreter.
    del startup_env, sock
    runpy.run_module(cmd[2], run_name="__main__", alter_sys=True)
    return 0


def _exit_now() -> None:
    """End the zygote without an interpreter shutdown: it holds nothing to save (its kernels are reaped),
    and tearing down torch's modules took 0.5 s here, which the build waits for (Zygote.close)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
