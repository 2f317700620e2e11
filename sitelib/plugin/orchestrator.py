"""The build MkDocs starts: execute the examples once, build no page, then build or reuse each language.

It holds the build lock from ``on_config`` to its end (a second build in the
same checkout waits), checks the timings file before anything runs, and
copies each language's build, made by :class:`~sitelib.plugin.language_build.LanguageBuild`
in a fresh load of the configuration, into the site. The languages to build
are built at once, as many as ``jobs`` allows, each in a forked child
(:mod:`sitelib.plugin.forked_builds`); under ``mkdocs build`` after a warm-up
(:mod:`sitelib.plugin.warm_up`), under ``mkdocs serve`` after the first
language was built in the process.
"""

from __future__ import annotations

import atexit
import gc
import logging
from dataclasses import dataclass, field
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files

from sitelib.examples import pages as page_examples
from sitelib.examples import spares
from sitelib.examples.kernels import kernel_env
from sitelib.examples.store import lesson_key
from sitelib.examples.zygote_client import Zygotes
from sitelib.examples.zygote_client import wanted as zygote_wanted
from sitelib.incremental import build_lock, language_sites
from sitelib.incremental import inputs as build_inputs
from sitelib.languages.language import Language, root_prefix
from sitelib.plugin import forked_builds, serve_first, serve_watch
from sitelib.plugin.role import Role
from sitelib.plugin.setup import configure, lagging_pages, project_root, uses_search_dictionary
from sitelib.plugin.warm_up import WarmUp, steps_for
from sitelib.timings.store import TimingsFileError, load_timings

log = logging.getLogger("mkdocs.plugins.lesson")


class Orchestrator(Role):
    """Executes the examples for every language, then builds (or reuses) each language's site."""

    def __init__(self, options, languages: list[Language], zygotes: Zygotes | None = None) -> None:
        super().__init__(options, languages)
        self.executed_digest = ""  # the hash of every executed notebook, part of each language's fingerprint
        self.lock: build_lock.BuildLock | None = None
        self.spares: spares.SpareKernels | None = None
        self.executed: list = []
        self.zygotes = zygotes  # when no example has run yet: started in LessonPlugin.load_config, or on_config
        self.warm_up: WarmUp | None = None
        self.site_dir: Path | None = None  # where the languages go: the site (serve's, or the one being built)

    def on_config(self, config):
        try:  # a bad data file fails the build now, not after the examples ran and a language was built
            load_timings(project_root(config) / self.options.timings, missing_ok=True)
        except TimingsFileError as error:
            raise PluginError(str(error)) from None
        self.lock = build_lock.BuildLock(project_root(config) / self.options.cache_dir)
        self.lock.acquire()  # the language builds run inside this one, which holds the lock
        self.setup = configure(config, self.options, self.languages, self.languages[0], orchestrating=True)
        without_theme_files(config)
        if self.zygotes is None:  # a build not started by MkDocs' command line (or a warm one)
            self.zygotes = early_zygotes(project_root(config), self.options)
        self.site_dir = Path(config.site_dir)
        if build_inputs.under_serve(config):
            # MkDocs empties the site folder before each build. This build writes nothing of its own there
            # (each language brings its files), so under serve it builds into a folder of its own, and the
            # served one keeps the previous build: each language then rewrites only the files that changed,
            # and a language still building is shown as it was meanwhile.
            config.site_dir = str(project_root(config) / self.options.cache_dir / "serve-scratch")
        else:
            freeze_at_exit()
            # The process ends after this build, so every language may fork from it; under serve its first
            # language is built here instead, which leaves it warm for every later edit (forked_builds).
            self.warm_up = WarmUp(self.warm_up_steps(config))
            if self.zygotes is not None:  # a cold build: loaded while it waits for the zygote's torch
                self.warm_up.start()
        return config

    def on_files(self, files, config):
        self.spares = spares.for_project(project_root(config))  # under serve, after its first build
        if self.spares is not None:
            self.spares.hold()  # its replacement starts once the languages are built (release)
        try:
            # A spare kernel is waiting, torch imported, under serve.
            executed = self.setup.examples.execute(config, self.options, spares=self.spares, zygotes=self.zygotes)
        except page_examples.ExampleError as error:
            raise PluginError(str(error)) from None
        self.executed = executed  # handed to each language build (a fork or this process: no copy made)
        self.executed_digest = page_examples.executed_digest(executed)
        config.nav = []
        return Files([])

    def on_serve(self, server, config, builder):
        serve_watch.poll_every(server, self.options.watch_interval)  # before the watches below: they take it too
        # Every later edit forks the languages after the one it shows first: loaded here once, not in each
        # of them (and not by the first Chinese edit, which builds zh here: jieba's table took 0.5 s of it).
        WarmUp(self.warm_up_steps(config)).wait()
        serve_first.serving(project_root(config), server)
        if self.options.execute and self.options.examples:  # from now on an edited example finds its kernel started
            root = project_root(config)
            spares.serving(root, (root / self.options.examples[0].src).parent)
        # What the language builds read besides the default docs folder, which MkDocs watches.
        for path in build_inputs.watched(config, self.options, [lang.docs_code for lang in self.languages]):
            server.watch(str(path))
        return server

    def on_post_build(self, config):
        server = None
        try:
            shared = build_inputs.shared_key(config, self.options, self.executed_digest)
            plans = [self.plan_language(config, lang, shared) for lang in self.languages]
            builds = [plan for plan in plans if isinstance(plan, LanguageSite)]
            reused = [plan for plan in plans if isinstance(plan, Reused)]
            later = builds[1:]
            # Under serve, the first language rebuilt is shown as soon as it is built, the others' previous
            # builds meanwhile (still in the served folder; sitelib.plugin.serve_first); never a language at
            # the root after the first.
            if later and all(b.target != self.site_dir for b in later):
                server = serve_first.server_for(project_root(config))

            def meanwhile():  # file writes, off the GIL: beside the builds
                for r in reused:
                    language_sites.sync(r.contents, r.target, r.keep)

            def first_done():
                language_sites.publish(builds[0].built, builds[0].target, builds[0].keep)
                serve_first.show(server)
                log.info("Language %s shown; %s to follow", builds[0].code, ", ".join(b.code for b in later))

            # Each build is one thread of Python: all at once finish together, whatever the core count.
            forked_builds.run_all([(f"language {b.code}", b.run) for b in builds], self.options.jobs or len(builds),
                                  meanwhile=meanwhile, first_done=first_done if server else None,
                                  warm_up=self.warm_up.wait if self.warm_up else None)
            for build in later if server else builds:
                language_sites.publish(build.built, build.target, build.keep)
        finally:
            if server is not None:
                serve_first.new_version(server)  # open pages reload once more, to the whole site
            self.release()

    def on_build_error(self, error):
        self.release()

    def release(self) -> None:
        if self.lock is not None:
            self.lock.release()
            self.lock = None
        if self.spares is not None:
            self.spares.let_go()
            self.spares = None
        if self.zygotes is not None:
            self.zygotes.close()
            self.zygotes = None

    def warm_up_steps(self, config) -> list:
        """What each language build would load for itself (sitelib.plugin.warm_up)."""
        return steps_for(project_root(config) / self.options.cache_dir, [lang.code for lang in self.languages],
                         uses_search_dictionary(self.languages), any(lang.convert for lang in self.languages))

    def plan_language(self, config, lang: Language, shared: str) -> LanguageSite | Reused:
        """What ``lang`` needs: its unchanged, intact build's files to copy into the site, or a build.

        A build goes to ``<cache>/sites/<code>`` and is copied into the site once every language is built.
        """
        root = project_root(config)
        prefix = root_prefix(lang.code, self.languages[0].code)
        built = root / self.options.cache_dir / "sites" / lang.code
        lagging = lagging_pages(config, self.options, self.languages, lang)  # the notices depend on English pages
        if lagging:
            log.info("Language %s: %d translated page(s) lag behind their English page (notice shown; "
                     "make translations-current once caught up): %s", lang.code, len(lagging), ", ".join(lagging))
        key = language_sites.fingerprint([root / "docs" / lang.docs_code], root,
                                         {"shared": shared, "language": repr(lang), "lagging": repr(lagging)})
        target = self.site_dir / prefix
        # Other languages' sites inside this one's folder (the first language's is the site's root).
        keep = tuple(other[len(prefix):].rstrip("/") for other in
                     (root_prefix(o.code, self.languages[0].code) for o in self.languages)
                     if other != prefix and other.startswith(prefix))
        contents = language_sites.verified(built, key)
        if contents is not None:
            log.info("Language %s: nothing it is built from changed, reusing its build", lang.code)
            return Reused(contents, target, keep)
        # The configured address, not serve's own: build and serve then make (and reuse) the same files.
        site_url = build_inputs.configured_site_url(config)
        return LanguageSite(lang.code, config.config_file_path, built, key, target, keep,
                            f"{site_url}{prefix}" if site_url else None, config.strict, self.executed)


@dataclass(frozen=True)
class Reused:
    """An unchanged language: its checked files (name to bytes), to be written below ``target``."""

    contents: dict[str, bytes]
    target: Path
    keep: tuple[str, ...] = ()  # other languages' folders below target


@dataclass(frozen=True)
class LanguageSite:
    """One language's build to make: from the configuration file into ``built``, then copied to ``target``."""

    code: str
    config_file: str
    built: Path
    key: str
    target: Path
    keep: tuple[str, ...]  # other languages' folders below target
    site_url: str | None  # for the sitemap and the 404 page's links
    strict: bool
    executed: list = field(default_factory=list, compare=False, repr=False)  # the orchestrator's examples

    def run(self) -> None:
        """Build and mark it (possibly in a forked child: it writes only below ``built``)."""
        language_sites.build(self.config_file, self.code, self.built, self.site_url, self.strict,
                             {"executed": self.executed})
        language_sites.mark(self.built, self.key)


def early_zygotes(root: Path, options) -> Zygotes | None:
    """A kernel zygote starting now, while the configuration and the pages are read, if every example will run.

    Called from LessonPlugin.load_config under ``mkdocs build`` (before the other plugins load), else
    from the orchestrator's on_config.

    The zygote imports torch (2.5 s here) before it can fork a kernel; started
    when the examples were about to run, every kernel waited for it. Started
    here only when the executed examples' cache is empty and no run is
    stored (a cold build: each example will run); otherwise the executor
    starts one if it needs one.
    """
    if not (options.execute and options.examples and zygote_wanted(options.zygote)):
        return None
    if spares.for_project(root) is not None:
        return None  # under serve: the project's zygote, kept between builds
    for lesson in options.examples:
        key = lesson_key(lesson.src)
        if any((root / options.cache_dir / "executed" / key).glob("*.ipynb")) or any(
                (root / options.executions / key).glob("*.json")):
            return None
    zygotes = Zygotes()
    zygotes.for_env(kernel_env((root / options.examples[0].src).parent))
    return zygotes


def freeze_at_exit() -> None:
    """Make the process's heap permanent when it exits, so that Python's shutdown does not collect it.

    The build's process ends once it is built; its shutdown ran the cyclic
    collector over everything MkDocs, the theme, nbconvert and the language
    builds left (0.22-0.25 s after a warm build here, 0.58 s after a cold one;
    frozen, 0.02 and 0.16 s), and an exiting process's memory goes back whole. Python never
    promised ``__del__`` for what is left at exit; files are closed where
    they are written, and logging's handlers are flushed by its own exit
    handler, which runs after this one (registered before it). Registered
    once however many builds a process runs.
    """
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)


def without_theme_files(config) -> None:
    """Make this build list no theme file: it publishes none of its own, each language build copies them.

    MkDocs lists the theme's static files (Material's 1,700 templates and icons
    walked and filtered, about 0.1 s) before ``on_files``, where this build's
    files are dropped anyway, so every rebuild listed them twice. Listing is the
    only use of ``list_templates`` in a build: pages and templates are still
    found by name.
    """
    make_env = config.theme.get_env

    def get_env():
        env = make_env()
        env.list_templates = lambda *args, **kwargs: []
        return env

    config.theme.get_env = get_env
