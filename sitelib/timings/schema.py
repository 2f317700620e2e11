"""Validation of the recorded-timings data (``data/timings.json``).

The file holds ``{"schema_version": 1, "machines": [record, ...]}``. A record
describes one machine (its provenance) and lists its measurements; each
measurement has a ``kind``: ``matmul`` (a torch.utils.benchmark result),
``timing`` (one clock method from the naive-vs-synchronized comparison) or
``copy`` (a host-to-device copy). Validation is hand-written so that every
problem names the file, the record and the field.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta

SCHEMA_VERSION = 1
# The one definition of the precisions, in the order every table and chart shows them,
# and of the dtype each one computes in (TF32 is fp32 storage on TF32 tensor cores).
PRECISIONS = ("fp32", "tf32", "bf16", "fp16")
DTYPES = {"fp32": "float32", "tf32": "float32", "bf16": "bfloat16", "fp16": "float16"}
TIMING_METHODS = (
    "naive_first",
    "naive_warm",
    "synchronized_first",
    "synchronized_warm",
    "cuda_events",
)
MAX_REPORTED = 20  # a broken file can produce hundreds of problems; show the first ones
# The largest integer a JSON reader keeps exact everywhere (JavaScript's Number.MAX_SAFE_INTEGER);
# no count, size or byte total of a record comes near it, so anything above is damage.
MAX_INT = 2**53 - 1
MAX_DIGITS = len(str(MAX_INT))


class OversizedNumber:
    """What :func:`parse_int` reads an integer literal of more than ``MAX_DIGITS`` digits as.

    It is no number, so the field check refuses it and names the record and
    the field; converting the literal could itself fail (Python refuses to
    convert more than 4300 digits) or take quadratic time.

    >>> OversizedNumber("-" + "9" * 5000)
    <a 5000-digit integer>
    """

    def __init__(self, literal: str):
        self.digits = len(literal.lstrip("-"))

    def __repr__(self) -> str:
        return f"<a {self.digits}-digit integer>"


def parse_int(literal: str):
    """``json.loads``'s ``parse_int``: an int, or an :class:`OversizedNumber` past ``MAX_DIGITS`` digits.

    >>> parse_int("12"), parse_int("1" * 40)
    (12, <a 40-digit integer>)
    """
    return int(literal) if len(literal.lstrip("-")) <= MAX_DIGITS else OversizedNumber(literal)


class SchemaError(ValueError):
    """Raised when data does not follow the timings schema."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        shown = problems[:MAX_REPORTED]
        more = len(problems) - len(shown)
        lines = [f"{source}: invalid timings data ({len(problems)} problem(s)):"]
        lines += [f"  - {p}" for p in shown]
        if more:
            lines.append(f"  - ... and {more} more")
        super().__init__("\n".join(lines))


# Checks return True when the value is acceptable; the string describes it.
def _int(lo: int = 0):
    return (lambda v: isinstance(v, int) and not isinstance(v, bool) and lo <= v <= MAX_INT,
            f"an integer from {lo} to {MAX_INT}")


def _num(lo: float = 0.0, strict: bool = False):
    def check(v):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return False
        if isinstance(v, int) and abs(v) > MAX_INT or not math.isfinite(v):  # a huge int overflows isfinite
            return False
        return v > lo if strict else v >= lo
    return check, f"a finite number {'>' if strict else '>='} {lo:g}"


def _text(pattern: str | None = None, desc: str = "a non-empty string"):
    rx = re.compile(pattern) if pattern else None
    return (lambda v: isinstance(v, str) and v.strip() != ""
            and (rx is None or rx.fullmatch(v) is not None)), desc


def _enum(*choices):
    return (lambda v: v in choices), "one of " + ", ".join(repr(c) for c in choices)


def _bool():
    return (lambda v: isinstance(v, bool)), "true or false"


def _nullable(spec):
    check, desc = spec
    return (lambda v: v is None or check(v)), f"null or {desc}"


def _utc_date(v) -> bool:
    if not isinstance(v, str):
        return False
    try:  # Python 3.10's fromisoformat does not read a trailing "Z"
        parsed = datetime.fromisoformat(v[:-1] + "+00:00" if v.endswith("Z") else v)
    except ValueError:
        return False
    return parsed.utcoffset() == timedelta(0)


DEVICE = _text(r"cpu|cuda:\d+", "'cpu' or 'cuda:N'")
URL = _text(r"https?://\S+", "an http(s) URL")

MACHINE_FIELDS = {
    "machine_id": _text(r"[0-9a-f]{16}", "16 lowercase hexadecimal digits"),
    "cpu_model": _text(),
    "logical_cores": _int(1),
    "gpus": ((lambda v: isinstance(v, list)), "a list of GPUs"),
    "driver_version": _nullable(_text()),
    "cuda_version": _nullable(_text()),
    "torch_version": _text(),
    "python_version": _text(),
    "date_utc": (_utc_date, "an ISO 8601 date-time in UTC, e.g. 2026-01-31T12:00:00Z"),
    "git_commit": _nullable(_text(r"[0-9a-f]{40}", "a 40-digit git commit hash")),
    "script_version": _text(),
    "measurements": ((lambda v: isinstance(v, list) and len(v) > 0),
                     "a non-empty list of measurements"),
}

GPU_FIELDS = {
    "index": _int(0),
    "name": _text(),
    "memory_bytes": _int(1),
    "capability": _text(r"\d+\.\d+", "a compute capability such as '9.0'"),
}

_COMMON = {"kind": _enum("matmul", "timing", "copy"), "device": DEVICE, "device_name": _text()}
_SHAPE = {"m": _int(1), "k": _int(1), "n": _int(1)}

MEASUREMENT_FIELDS = {
    "matmul": {
        **_COMMON, **_SHAPE,
        "role": _enum("seed", "sweep"),
        "precision": _enum(*PRECISIONS),
        "dtype": _enum(*dict.fromkeys(DTYPES.values())),
        "tf32": _bool(),
        "threads": _nullable(_int(1)),
        "median_s": _num(0, strict=True),
        "iqr_s": _num(0),
        "runs": _int(1),
        "calls_per_run": _int(1),
        "min_run_time_s": _num(0, strict=True),
        "first_call_s": _nullable(_num(0, strict=True)),
        "tflops": _num(0, strict=True),
        "peak_tflops": _nullable(_num(0, strict=True)),
        "peak_percent": _nullable(_num(0, strict=True)),
        "peak_source": _nullable(URL),
    },
    "timing": {
        **_COMMON, **_SHAPE,
        "precision": _enum(*PRECISIONS),
        "method": _enum(*TIMING_METHODS),
        "seconds": _num(0),  # an unsynchronised launch can be below the clock's resolution
        "samples": _int(1),
    },
    "copy": {
        **_COMMON,
        "memory": _enum("pageable", "pinned"),
        "bytes": _int(1),
        "seconds": _num(0, strict=True),
        "samples": _int(1),
        "gb_per_s": _num(0, strict=True),
    },
}


def _check_fields(obj, fields: dict, where: str, problems: list[str]) -> bool:
    """Check one JSON object against a field table; False when it is not an object."""
    if not isinstance(obj, dict):
        problems.append(f"{where}: expected an object, got {type(obj).__name__}")
        return False
    for name, (check, desc) in fields.items():
        if name not in obj:
            problems.append(f"{where}: field '{name}' is missing (expected {desc})")
        elif not check(obj[name]):
            problems.append(f"{where}: field '{name}' must be {desc}, got {obj[name]!r:.80}")
    for name in sorted(set(obj) - set(fields)):
        problems.append(f"{where}: unexpected field '{name}'")
    return True


def _check_measurement(m, where: str, problems: list[str]) -> None:
    kind = m.get("kind") if isinstance(m, dict) else None
    if kind not in MEASUREMENT_FIELDS:
        if isinstance(m, dict):
            problems.append(f"{where}: field 'kind' must be one of "
                            f"{', '.join(MEASUREMENT_FIELDS)}, got {kind!r:.40}")
        else:
            problems.append(f"{where}: expected an object, got {type(m).__name__}")
        return
    _check_fields(m, MEASUREMENT_FIELDS[kind], where, problems)
    if kind == "matmul" and m.get("precision") == "tf32" and m.get("tf32") is not True:
        problems.append(f"{where}: precision 'tf32' requires field 'tf32' to be true")


def validate_timings(data, source: str = "<timings data>") -> None:
    """Raise SchemaError naming ``source``, the record and the field of every problem."""
    problems: list[str] = []
    if not isinstance(data, dict) or "schema_version" not in data:
        raise SchemaError(source, ["not a timings file: expected a JSON object with "
                                   "'schema_version' and 'machines'"])
    if data["schema_version"] != SCHEMA_VERSION:
        raise SchemaError(source, [f"schema_version {data['schema_version']!r:.20} is not "
                                   f"supported (this code reads version {SCHEMA_VERSION})"])
    for name in sorted(set(data) - {"schema_version", "machines"}):
        problems.append(f"top level: unexpected field '{name}'")
    machines = data.get("machines")
    if not isinstance(machines, list):
        problems.append("top level: field 'machines' must be a list of machine records")
        raise SchemaError(source, problems)
    seen: dict[str, int] = {}
    for i, rec in enumerate(machines):
        label = rec.get("machine_id") if isinstance(rec, dict) else None
        where = f"machines[{i}]" + (f" (machine {label})" if isinstance(label, str) else "")
        if not _check_fields(rec, MACHINE_FIELDS, where, problems):
            continue
        if isinstance(label, str):
            if label in seen:
                problems.append(f"{where}: machine_id duplicates machines[{seen[label]}]")
            seen.setdefault(label, i)
        if isinstance(rec.get("gpus"), list):
            for g, gpu in enumerate(rec["gpus"]):
                _check_fields(gpu, GPU_FIELDS, f"{where}.gpus[{g}]", problems)
        if isinstance(rec.get("measurements"), list):
            for j, m in enumerate(rec["measurements"]):
                _check_measurement(m, f"{where}.measurements[{j}]", problems)
    if problems:
        raise SchemaError(source, problems)
