"""Oversized numbers in a timings file are refused by record and field, and merging stays linear in the records."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from conftest import ROOT
from sitelib.timings.schema import MAX_INT, SchemaError, validate_timings
from sitelib.timings.store import TimingsFileError, dumps_timings, load_timings, merge_file
from test_timings_store import doc, record

SCRIPT = ROOT / "scripts" / "record_timings.py"


def with_number(literal: str, field: str = "logical_cores") -> str:
    """A timings file whose first record's ``field`` is the JSON number ``literal``, as text."""
    text = json.dumps(doc(record()), indent=2)
    key = f'"{field}": '
    start = text.index(key) + len(key)
    end = min(i for i in (text.find(",", start), text.find("\n", start)) if i > 0)
    return text[:start] + literal + text[end:]


@pytest.mark.parametrize("field, literal", [("logical_cores", "9" * 5000), ("logical_cores", "-" + "9" * 5000),
                                            ("logical_cores", str(2**64)), ("median_s", "1" * 400)])
def test_an_oversized_integer_is_named_by_file_record_and_field(tmp_path, field, literal):
    """A 5000-digit integer (past Python's 4300-digit limit) or one past 2**53 is a schema problem, not a traceback."""
    path = tmp_path / "timings.json"
    path.write_text(with_number(literal, field), encoding="utf-8")
    with pytest.raises(TimingsFileError) as info:
        load_timings(path)
    message = str(info.value)
    assert str(path) in message and "machines[0] (machine 0123456789abcdef)" in message and f"field '{field}'" in message
    assert len(message) < 1000  # the number is described, not printed


def test_an_overflowing_float_is_refused():
    """1e999 reads as infinity, which no field accepts."""
    data = json.loads(with_number("1e999", "median_s"))
    with pytest.raises(SchemaError, match=r"field 'median_s' must be a finite number > 0, got inf"):
        validate_timings(data, "t.json")


def test_a_huge_int_in_memory_is_refused_not_an_overflow():
    """Data about to be written with an int past 2**53 in a float field is refused (math.isfinite would overflow)."""
    data = doc(record())
    data["machines"][0]["measurements"][0]["median_s"] = 10**400
    with pytest.raises(SchemaError, match="field 'median_s'"):
        validate_timings(data, "t.json")
    data["machines"][0]["measurements"][0]["median_s"] = 0.5
    data["machines"][0]["logical_cores"] = MAX_INT
    validate_timings(data, "t.json")  # the bound itself is accepted


def test_merge_refuses_an_oversized_integer_and_leaves_the_target(tmp_path):
    """`record_timings.py --merge` names the file, record and field, exits 1, and does not touch the target."""
    source, target = tmp_path / "other.json", tmp_path / "timings.json"
    source.write_text(with_number("9" * 5000), encoding="utf-8")
    target.write_text(dumps_timings(doc(record("aaaaaaaaaaaaaaaa"))), encoding="utf-8")
    before = target.read_bytes()
    proc = subprocess.run([sys.executable, str(SCRIPT), "--merge", str(source), "--output", str(target)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert f"{source}: does not follow the timings schema" in proc.stderr
    assert "field 'logical_cores' must be an integer from 1 to" in proc.stderr and "<a 5000-digit integer>" in proc.stderr
    assert "Traceback" not in proc.stderr and "Nothing was written." in proc.stderr and target.read_bytes() == before


def test_merging_thousands_of_records_is_linear(tmp_path):
    """4,000 new records merged into 4,000: the old copy-per-record merge took minutes (1,000: 79 s); now seconds."""
    def many(offset: int, count: int) -> dict:
        return doc(*(record(f"{offset + i:016x}") for i in range(count)))

    source, target = tmp_path / "other.json", tmp_path / "timings.json"
    target.write_text(dumps_timings(many(0, 4000)), encoding="utf-8")
    source.write_text(dumps_timings(many(2000, 4000)), encoding="utf-8")  # half replace, half are new
    start = time.monotonic()
    assert len(merge_file(target, source)) == 4000
    assert time.monotonic() - start < 60  # about 4 s here, with the machine shared
    ids = [r["machine_id"] for r in load_timings(target)["machines"]]
    assert ids == [f"{i:016x}" for i in range(6000)]


@pytest.mark.build
def test_the_build_refuses_an_oversized_integer_before_running_anything(tmp_path):
    """`mkdocs build` checks the timings file at on_config: the error names it, nothing is executed or built."""
    from conftest import run_mkdocs
    from test_language_builds import make_project

    project = make_project(tmp_path)
    (project / "data").mkdir()
    (project / "data" / "timings.json").write_text(with_number("9" * 5000), encoding="utf-8")
    result = run_mkdocs("build", "--strict", cwd=project, env={"PYTHONPATH": str(project)})
    assert result.returncode != 0
    error = next(line for line in result.stderr.splitlines() if line.startswith("ERROR"))
    assert f"{project / 'data' / 'timings.json'}: does not follow the timings schema" in error
    assert "<a 5000-digit integer>" in result.stderr and "Traceback" not in result.stderr
    assert "Executed example" not in result.stderr and not (project / "site" / "index.html").exists()


def test_the_page_charts_each_kind_of_machine_once_and_tables_every_record():
    """300 records of 3 kinds of machine: 3 charts (each kind's newest record), every record in the table."""
    from sitelib.timings.render import MAX_CHARTS, render_chart, render_table

    base = json.loads((ROOT / "data" / "timings.json").read_text(encoding="utf-8"))["machines"][0]
    machines = [{**base, "machine_id": f"{i:016x}", "cpu_model": f"CPU kind {i % 3}",
                 "date_utc": f"2026-01-{1 + i % 28:02d}T00:00:00Z"} for i in range(300)]
    data = {"schema_version": 1, "machines": machines}
    validate_timings(data)
    start = time.monotonic()
    html = render_chart(data, "en", None)
    assert time.monotonic() - start < 30  # one chart per machine took 36 s for 400 records
    assert html.count("<figure") == 3 <= MAX_CHARTS
    assert render_table(data, "en", None).count("<tr>") >= 300
