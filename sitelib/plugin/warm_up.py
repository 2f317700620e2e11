"""What every language build would load for itself, loaded once in the process that forks them.

A process's first language build loads what the later ones find loaded:
matplotlib for the timings chart (0.5 s), jieba's table of the search
dictionary (0.4-0.6 s) and Pygments' lexers with their compiled rules. Each
forked child of a process that has not loaded them loads them again, so
three cold builds forked at once took 4.2-4.4 s here; the builds therefore
ran the first language in the process and forked the others after it
(3.1 s, then 2.3 s: 5.4 s). Loaded here first (0.74 s), the three forked at
once took 3.0-3.25 s, and loaded while the build waits for its first kernel
(a cold build: :meth:`WarmUp.start`), the load costs that build nothing.
Under ``mkdocs serve`` the steps run once, when serving starts: every later
edit forks the languages after the first one it shows.

Nothing here changes what a build makes: each step only imports, or fills a
cache a build would fill on first use with the same contents.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

log = logging.getLogger("mkdocs.plugins.lesson")


def pygments_lexers() -> None:
    """The lexers code blocks and notebook cells use; a lexer's rules compile once per class, on first use."""
    from pygments.lexers import get_lexer_by_name

    for name in ("python", "pycon", "bash", "ipython3", "text"):
        list(get_lexer_by_name(name).get_tokens("x = 1\n"))


def matplotlib_agg() -> None:
    """What :func:`sitelib.timings.chart.chart_svg` imports to draw, and matplotlib's font list."""
    from matplotlib import font_manager
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: F401
    from matplotlib.figure import Figure  # noqa: F401
    from matplotlib.ticker import FixedLocator  # noqa: F401

    font_manager.findfont(font_manager.FontProperties(family=["sans-serif"]))


def jieba_table() -> None:
    """jieba's prefix table of the dictionary the Chinese search was pointed at (loaded at its first word)."""
    import jieba

    jieba.dt.initialize()


def opencc_dictionaries() -> None:
    """The Taiwan conversion's OpenCC dictionaries, kept loaded (:func:`sitelib.languages.taiwan.opencc_converter`)."""
    from sitelib.languages.taiwan import PROFILE, opencc_converter

    opencc_converter(PROFILE)


def steps_for(cache_dir: Path, codes: Sequence[str], search_dictionary: bool,
              converts: bool = False) -> list[Callable[[], None]]:
    """What this project's language builds will load: the chart only while some language's charts are not
    cached (``cache_dir/charts/<code>.json``), jieba only where the search dictionary is set, OpenCC only
    where a language is converted."""
    steps = [pygments_lexers]
    if any(not (cache_dir / "charts" / f"{code}.json").is_file() for code in codes):
        steps.append(matplotlib_agg)
    if search_dictionary:
        steps.append(jieba_table)
    if converts:
        steps.append(opencc_dictionaries)
    return steps


class WarmUp:
    """Runs its steps once: in a thread of their own (:meth:`start`) or, at the latest, in :meth:`wait`.

    A step that fails is logged and skipped: a build that needs what it
    loads then loads it itself, and reports any error there.
    """

    def __init__(self, steps: Sequence[Callable[[], None]]) -> None:
        self.steps = list(steps)
        self.thread: threading.Thread | None = None
        self.done = False

    def start(self) -> None:
        if self.thread is None and not self.done:
            self.thread = threading.Thread(target=self._run, name="lesson-warm-up", daemon=True)
            self.thread.start()

    def wait(self) -> None:
        """Return once every step has run (forking while the thread runs would copy it half done)."""
        if self.thread is not None:
            self.thread.join()
        elif not self.done:
            self._run()

    def _run(self) -> None:
        for step in self.steps:
            try:
                step()
            except Exception as error:  # noqa: BLE001 - an optimisation: the build loads it itself if it must
                log.info("Warm-up step %s failed (%s: %s); each language build loads it itself",
                         step.__name__, type(error).__name__, error)
        self.done = True
