"""The `lesson` plugin's options, as typed ``config_options`` (what ``plugins: - lesson:`` accepts)."""

from __future__ import annotations

from mkdocs.config import base
from mkdocs.config import config_options as c

from sitelib.examples.notebooks import DEFAULT_TIME_LIMIT
from sitelib.examples.output_limits import OutputLimits
from sitelib.languages import translations


class Switch(c.BaseConfigOption[bool]):
    """A boolean that also takes what ``!ENV`` gives: 0/1 and the strings false/true."""

    def __init__(self, default: bool):
        super().__init__()
        self.default = default

    def run_validation(self, value: object) -> bool:
        if value in (True, 1, "1", "true", "True"):
            return True
        if value in (False, 0, "0", "false", "False"):
            return False
        raise c.ValidationError(f"expected true/false or 1/0, got {value!r}")


class Positive(c.Type):
    """A whole number above zero (seconds, lines, characters)."""

    def __init__(self, default: int):
        super().__init__(int, default=default)

    def run_validation(self, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise c.ValidationError(f"expected a whole number above 0, got {value!r}")
        return value


class Seconds(c.BaseConfigOption[float]):
    """A number of seconds above zero (whole or not)."""

    def __init__(self, default: float):
        super().__init__()
        self.default = default

    def run_validation(self, value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
            raise c.ValidationError(f"expected a number of seconds above 0, got {value!r}")
        return float(value)


class Jobs(c.BaseConfigOption[int]):
    """How many examples run (or languages are built) at once: a whole number, 0 for one example per core and
    every language; also what ``!ENV`` gives ("2")."""

    def __init__(self, default: int = 0):
        super().__init__()
        self.default = default

    def run_validation(self, value: object) -> int:
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise c.ValidationError(f"expected a whole number of examples at once (0: one per core), got {value!r}")
        return value


class ExamplesConfig(base.Config):
    src = c.Type(str)  # a package folder of percent-format examples and their helpers
    uri = c.Type(str, default="examples")  # where its example pages go in every language


class LanguageConfig(base.Config):
    code = c.Type(str)
    tag = c.Type(str)
    name = c.Type(str)
    theme = c.Type(str)
    site_name = c.Type(str, default="")  # a generated language converts its source's
    site_description = c.Type(str, default="")
    nav = c.Type(dict, default={})
    source = c.Type(str, default="")
    convert = c.Type(str, default="")


class LessonConfig(base.Config):
    enabled = c.Type(bool, default=True)
    execute = Switch(default=True)  # false: a preview build that shows examples without outputs
    cache_dir = c.Type(str, default=".cache/lesson")
    timings = c.Type(str, default="data/timings.json")  # rendered where a page has <!-- timings:NAME -->
    translations = c.Type(str, default=translations.FILE)  # which English version each translation follows
    examples = c.ListOfItems(c.SubConfig(ExamplesConfig), default=[])
    # Runs made on other machines (a GPU machine, CI's shards), stored by `make merge-executions`:
    # a run whose input key matches its example is shown instead of running it (sitelib/examples/runs.py).
    executions = c.Type(str, default="data/executions")
    # Each example's time limit in seconds (its header's `lesson: timeout:` overrides), and the
    # output an example page shows: lines per cell and per notebook, characters per line.
    timeout = Positive(default=DEFAULT_TIME_LIMIT)
    jobs = Jobs(default=0)  # examples executed (each in its kernel) and languages built (each forked) at once
    # Fork each kernel from a helper that has imported torch (sitelib/examples/zygote.py) where the
    # platform allows (Linux); LESSON_ZYGOTE=0 overrides, false starts each as a new process.
    zygote = Switch(default=True)
    # Under serve: how often saved files are looked for (MkDocs polls every 0.5 s; sitelib/plugin/serve_watch.py).
    watch_interval = Seconds(default=0.1)
    output_lines = Positive(default=OutputLimits.cell_lines)
    notebook_output_lines = Positive(default=OutputLimits.notebook_lines)
    output_line_chars = Positive(default=OutputLimits.line_chars)
    languages = c.ListOfItems(c.SubConfig(LanguageConfig))
