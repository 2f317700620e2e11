"""Loading (with validation), merging by machine id and atomic writing of timings files."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from sitelib import atomic
from sitelib.timings import store
from sitelib.timings.store import TimingsFileError, load_timings, merge_record, write_timings
from conftest import ROOT



def record(machine_id="0123456789abcdef", median=0.4, rows=1):
    row = {"kind": "matmul", "device": "cpu", "device_name": "Test CPU", "role": "sweep",
           "m": 128, "k": 128, "n": 128, "precision": "fp32", "dtype": "float32", "tf32": False,
           "threads": 1, "median_s": median, "iqr_s": 0.0, "runs": 3, "calls_per_run": 1,
           "min_run_time_s": 0.1, "first_call_s": None, "tflops": 2 * 128**3 / median / 1e12,
           "peak_tflops": None, "peak_percent": None, "peak_source": None}
    return {"machine_id": machine_id, "cpu_model": "Test CPU", "logical_cores": 2, "gpus": [],
            "driver_version": None, "cuda_version": None, "torch_version": "2.13.0+cpu",
            "python_version": "3.11.7", "date_utc": "2026-01-31T12:00:00Z", "git_commit": None,
            "script_version": "1.0.0", "measurements": [dict(row) for _ in range(rows)]}


def doc(*records):
    return {"schema_version": 1, "machines": list(records)}


def test_missing_file_is_empty_only_when_allowed(tmp_path):
    """A first run starts from an empty document; elsewhere a missing file is an error naming it."""
    path = tmp_path / "timings.json"
    assert load_timings(path, missing_ok=True) == doc()
    with pytest.raises(TimingsFileError, match="timings.json: file not found"):
        load_timings(path)


def test_truncated_file_is_refused_with_file_and_position(tmp_path):
    """A file cut in the middle is reported as invalid JSON with its name and line."""
    path = tmp_path / "timings.json"
    path.write_text(json.dumps(doc(record()), indent=2)[:150], encoding="utf-8")
    with pytest.raises(TimingsFileError) as info:
        load_timings(path)
    assert str(path) in str(info.value)
    assert "not valid JSON (line" in str(info.value) and "truncated" in str(info.value)


def test_foreign_file_is_refused_with_schema_problem(tmp_path):
    """Valid JSON that is not a timings document is refused, naming file and problem."""
    path = tmp_path / "timings.json"
    path.write_text('{"name": "some-package", "version": "1.0.0"}', encoding="utf-8")
    with pytest.raises(TimingsFileError) as info:
        load_timings(path)
    assert str(path) in str(info.value) and "not a timings file" in str(info.value)


def test_merge_appends_a_new_machine():
    """A record of an unknown machine is added after the existing ones."""
    merged = merge_record(doc(record("aaaaaaaaaaaaaaaa")), record("bbbbbbbbbbbbbbbb"))
    assert [r["machine_id"] for r in merged["machines"]] == ["aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb"]


def test_merge_replaces_the_same_machine_in_place():
    """Re-recording a machine replaces its record, keeps the others and their order."""
    data = doc(record("aaaaaaaaaaaaaaaa"), record("bbbbbbbbbbbbbbbb"), record("cccccccccccccccc"))
    merged = merge_record(data, record("bbbbbbbbbbbbbbbb", median=0.2, rows=3))
    ids = [r["machine_id"] for r in merged["machines"]]
    assert ids == ["aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb", "cccccccccccccccc"]
    assert len(merged["machines"][1]["measurements"]) == 3
    assert merged["machines"][1]["measurements"][0]["median_s"] == 0.2
    assert len(data["machines"][1]["measurements"]) == 1  # the input is not modified


def test_write_then_load_round_trip(tmp_path):
    """What is written is read back unchanged, deterministically formatted."""
    path = tmp_path / "sub" / "timings.json"
    data = doc(record())
    write_timings(path, data)
    assert load_timings(path) == data
    text = path.read_text(encoding="utf-8")
    assert text.endswith("}\n") and text == store.dumps_timings(data)
    assert oct(path.stat().st_mode & 0o777) == oct(0o644)
    assert [p.name for p in path.parent.iterdir()] == ["timings.json"]  # no temp file left


def test_invalid_data_is_never_written(tmp_path):
    """Writing data that fails the schema raises and leaves the existing file as it was."""
    path = tmp_path / "timings.json"
    write_timings(path, doc(record()))
    before = path.read_bytes()
    bad = doc(record(median=-1.0))
    with pytest.raises(ValueError, match="median_s"):
        write_timings(path, bad)
    assert path.read_bytes() == before


def test_failed_replace_keeps_old_file_and_removes_temp(tmp_path, monkeypatch):
    """If the final rename fails the old file is intact and the temporary file is removed."""
    path = tmp_path / "timings.json"
    write_timings(path, doc(record()))
    before = path.read_bytes()

    def boom(src, dst):
        raise OSError("disk on fire")
    monkeypatch.setattr(atomic.os, "replace", boom)
    with pytest.raises(OSError, match="disk on fire"):
        write_timings(path, doc(record(), record("bbbbbbbbbbbbbbbb")))
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["timings.json"]


HELPER = textwrap.dedent("""
    import json, os, sys, time
    sys.path.insert(0, {root!r})
    from sitelib.timings import store as timings_store

    def stall(fd):
        # The whole new text is in the temporary file; the parent kills us here,
        # before the rename.
        print("TEMP FILE WRITTEN", flush=True)
        time.sleep(120)

    os.fsync = stall
    with open(sys.argv[2], encoding="utf-8") as fh:
        payload = json.load(fh)
    timings_store.write_timings(sys.argv[1], payload)
    print("FINISHED", flush=True)
""")


def test_writer_killed_midway_leaves_previous_file_intact(tmp_path):
    """SIGKILL of a writer after it created and filled its temp file leaves the old file whole."""
    target = tmp_path / "timings.json"
    write_timings(target, doc(record()))
    before = target.read_bytes()
    payload = tmp_path / "payload.json"  # a large document, several MB of JSON
    payload.write_text(json.dumps(doc(*[record(f"{i:016x}", rows=40) for i in range(400)])),
                       encoding="utf-8")
    helper = tmp_path / "helper.py"
    helper.write_text(HELPER.format(root=str(ROOT)), encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(helper), str(target), str(payload)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.strip() == "TEMP FILE WRITTEN", proc.stderr.read()
        temps = list(tmp_path.glob(".timings.json.*.tmp"))
        assert len(temps) == 1 and temps[0].stat().st_size > 1_000_000
        assert target.read_bytes() == before  # not yet replaced...
        os.kill(proc.pid, signal.SIGKILL)  # ...and never will be
    finally:
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    assert target.read_bytes() == before
    assert load_timings(target) == doc(record())
    write_timings(target, doc(record(), record("bbbbbbbbbbbbbbbb")))  # a later write still works
    assert len(load_timings(target)["machines"]) == 2


def test_merge_file_accepts_a_timings_file_or_one_bare_record(tmp_path):
    """A record file made elsewhere is either a timings file or a bare record; both merge in."""
    target = tmp_path / "timings.json"
    write_timings(target, doc(record("0123456789abcdef")))
    as_file, as_record = tmp_path / "a.json", tmp_path / "b.json"
    as_file.write_text(json.dumps(doc(record("1111111111111111"))), encoding="utf-8")
    as_record.write_text(json.dumps(record("2222222222222222")), encoding="utf-8")
    assert store.merge_file(target, as_file) == ["1111111111111111"]
    assert store.merge_file(target, as_record) == ["2222222222222222"]
    assert [m["machine_id"] for m in load_timings(target)["machines"]] == [
        "0123456789abcdef", "1111111111111111", "2222222222222222"]


@pytest.mark.parametrize("content, problem", [
    ('{"schema_version": 1, "machines": []}', "holds no machine record"),
    ('{"schema_version": 1, "machines": [', "not valid JSON"),
    (json.dumps(doc(record("0123456789abcdef"), record("0123456789abcdef"))), "duplicates"),
    (json.dumps(record("0123456789abcdef", median=-1.0)), "machines[0] (machine 0123456789abcdef)"
                                                          ".measurements[0]: field 'median_s'"),
])
def test_merge_file_refuses_bad_sources_and_leaves_the_target(tmp_path, content, problem):
    """An empty, corrupt or invalid source is named with its problem; the target keeps its bytes."""
    target, source = tmp_path / "timings.json", tmp_path / "gpu.json"
    write_timings(target, doc(record()))
    before = target.read_bytes()
    source.write_text(content, encoding="utf-8")
    with pytest.raises(TimingsFileError) as info:
        store.merge_file(target, source)
    assert str(source) in str(info.value) and problem in str(info.value)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gpu.json", "timings.json"]


def test_merge_file_refuses_merging_a_file_into_itself(tmp_path):
    """Merging data/timings.json into itself is a mistake, said as such."""
    target = tmp_path / "timings.json"
    write_timings(target, doc(record()))
    with pytest.raises(TimingsFileError, match="is the file to merge into"):
        store.merge_file(target, tmp_path / "." / "timings.json")


def test_merge_file_writes_atomically(tmp_path, monkeypatch):
    """The merge goes through the atomic writer: a failed replace leaves the old target."""
    target, source = tmp_path / "timings.json", tmp_path / "gpu.json"
    write_timings(target, doc(record()))
    before = target.read_bytes()
    source.write_text(json.dumps(record("1111111111111111")), encoding="utf-8")

    def broken_replace(src, dst):
        raise OSError("disk full")
    monkeypatch.setattr(atomic.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        store.merge_file(target, source)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gpu.json", "timings.json"]
