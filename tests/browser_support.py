"""Helpers for the browser tests: a local static server, Chromium, and what a page load did.

Nothing here is a test. ``SiteServer`` serves a directory on 127.0.0.1 (a free
port, a background thread) and logs every request with the bytes it sent.
``launch_chromium`` starts Debian's Chromium through Playwright (Playwright's
own browser download does not work offline). ``Recorder`` attaches to a
browser context and records every request (workers included), every failed
request, every HTTP error and every console error, and aborts any request to
another host so that nothing leaves the machine while it is still recorded.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")  # CI elsewhere may point at Chrome
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
LOCAL_SCHEMES = {"data", "blob", "about"}  # never reach a host


@dataclass
class LoggedRequest:
    """One request the static server answered."""

    method: str
    path: str
    status: int
    bytes: int


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the directory, counts the body bytes of each answer, logs to the server."""

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass  # keep pytest's output clean; the server keeps its own log

    def copyfile(self, source, outputfile):
        before = source.tell()
        super().copyfile(source, outputfile)
        self._sent = source.tell() - before

    def send_response(self, code, message=None):
        self._status = code
        super().send_response(code, message)

    def _logged(self, method: str, handler):
        self._sent, self._status = 0, 0
        try:
            handler()
        finally:
            self.server.log.append(LoggedRequest(method, self.path, self._status, self._sent))

    def do_GET(self):
        delay = self.server.delays.get(self.path.split("?")[0], 0.0)
        if delay:
            time.sleep(delay)
        self._logged("GET", super().do_GET)

    def do_HEAD(self):
        self._logged("HEAD", super().do_HEAD)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, handler):
        super().__init__(address, handler)
        self.log: list[LoggedRequest] = []
        self.delays: dict[str, float] = {}

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # the browser closed a page while a file was on its way: not a server fault
        super().handle_error(request, client_address)


class SiteServer:
    """A static HTTP server for ``directory`` on 127.0.0.1, on a free port, in a thread.

    Use as a context manager; ``url(path)`` makes absolute URLs, ``log`` lists
    every request answered so far.
    """

    def __init__(self, directory: Path):
        handler = functools.partial(_Handler, directory=str(directory))
        self._server = _Server(("127.0.0.1", 0), handler)
        self.host, self.port = self._server.server_address[:2]
        self.origin = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="site-server", daemon=True)

    @property
    def log(self) -> list[LoggedRequest]:
        return self._server.log

    @property
    def delays(self) -> dict[str, float]:
        """Seconds to wait before answering a path (e.g. ``{"/sitemap.xml": 0.3}``): fixes an order of arrival."""
        return self._server.delays

    def url(self, path: str = "/") -> str:
        return self.origin + "/" + path.lstrip("/")

    def __enter__(self) -> SiteServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def launch_chromium(playwright):
    """Debian's Chromium, headless, with background networking off."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def is_local(url: str, origin: str) -> bool:
    """True for URLs on ``origin`` and for URLs that reach no host (data:, blob:, about:)."""
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return True
    return f"{parts.scheme}://{parts.netloc}" == origin


@dataclass
class Recorder:
    """What happened in one browser context: requests, failures, errors.

    ``attach(context)`` before opening pages. Requests to another host than
    ``origin`` are recorded and then aborted by a route, so the check that
    flags them runs without any traffic leaving the machine.
    """

    origin: str
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    http_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    in_flight: int = 0
    last_activity: float = field(default_factory=time.monotonic)

    def attach(self, context) -> Recorder:
        # A regex route is matched inside the browser driver, so local requests are
        # not intercepted; only requests to other hosts come back here to be aborted.
        foreign = re.compile(r"^(?!" + re.escape(self.origin) + r"/)[a-z][a-z0-9+.-]*://", re.IGNORECASE)
        context.route(foreign, lambda route: route.abort())
        context.on("request", self._on_request)
        context.on("requestfinished", self._on_done)
        context.on("requestfailed", self._on_failed)
        context.on("response", self._on_response)
        context.on("console", self._on_console)
        context.on("weberror", lambda error: self.console_errors.append(f"uncaught: {error.error}"))
        return self

    def _on_request(self, request) -> None:
        self.requests.append(request.url)
        self.in_flight += 1
        self.last_activity = time.monotonic()

    def _on_done(self, request) -> None:
        self.in_flight -= 1
        self.last_activity = time.monotonic()

    def _on_failed(self, request) -> None:
        self.failed.append(f"{request.url} ({request.failure})")
        self._on_done(request)

    def settle(self, page, quiet_s: float = 0.25, timeout_s: float = 15.0) -> None:
        """Wait until no request has been in flight for ``quiet_s`` seconds (a short idle)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            page.wait_for_timeout(50)  # lets Playwright deliver the network events
            if self.in_flight <= 0 and time.monotonic() - self.last_activity >= quiet_s:
                return
        raise TimeoutError(f"network still busy after {timeout_s} s ({self.in_flight} requests in flight)")

    def _on_response(self, response) -> None:
        if response.status >= 400:
            self.http_errors.append(f"{response.url} -> {response.status}")

    def _on_console(self, message) -> None:
        if message.type == "error":
            where = message.location.get("url", "") if message.location else ""
            self.console_errors.append(f"{message.text} [{where}]")

    def foreign(self) -> list[str]:
        """Requested URLs on any other host than the local server."""
        return [url for url in self.requests if not is_local(url, self.origin)]


def site_pages(site: Path) -> list[str]:
    """URL paths ("/", "/zh/examples/autograd_basics/") of every page of the built site."""
    pages = [f.parent.relative_to(site).as_posix() for f in site.rglob("index.html")]
    return sorted(("/" if p == "." else f"/{p}/") for p in pages)


def page_language(path: str, roots: dict[str, str]) -> str:
    """The code of the language whose root holds ``path`` (``roots``: code -> "" or "zh/").

    >>> page_language("/zh-hant/x/", {"en": "", "zh": "zh/", "zh-hant": "zh-hant/"})
    'zh-hant'
    """
    return max((code for code, root in roots.items() if path.startswith("/" + root)), key=lambda c: len(roots[c]))


def language_paths(path: str, roots: dict[str, str]) -> dict[str, str]:
    """The same page in every language, by code: /x/ -> {"en": "/x/", "zh": "/zh/x/", ...}.

    >>> language_paths("/zh/x/", {"en": "", "zh": "zh/"})
    {'en': '/x/', 'zh': '/zh/x/'}
    """
    rest = path.removeprefix("/" + roots[page_language(path, roots)])
    return {code: f"/{root}{rest}" for code, root in roots.items()}


def shot_name(path: str, suffix: str) -> str:
    """A file name for a screenshot of the page at ``path``."""
    stem = re.sub(r"[^A-Za-z0-9]+", "_", path.strip("/")) or "home"
    return f"{stem}-{suffix}.png"


def relative_luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG relative luminance of an sRGB colour given as 0-255 channels."""
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def parse_rgb(css: str) -> tuple[float, float, float]:
    """(r, g, b) of a computed CSS colour such as 'rgb(1, 2, 3)' or 'rgba(1, 2, 3, 0.5)'."""
    numbers = re.findall(r"[\d.]+", css)
    if len(numbers) < 3:
        raise ValueError(f"not an rgb() colour: {css!r}")
    return tuple(float(n) for n in numbers[:3])  # type: ignore[return-value]
