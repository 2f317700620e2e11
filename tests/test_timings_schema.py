"""The timings schema accepts well-formed data and names the file, record and field of errors."""

from __future__ import annotations

import copy

import pytest

from sitelib.timings.schema import SCHEMA_VERSION, SchemaError, validate_timings

SRC = "data/timings.json"


def matmul(**over):
    row = {"kind": "matmul", "device": "cpu", "device_name": "Test CPU", "role": "seed",
           "m": 10000, "k": 1000, "n": 2000, "precision": "fp32", "dtype": "float32",
           "tf32": False, "threads": 1, "median_s": 0.4, "iqr_s": 0.01, "runs": 5,
           "calls_per_run": 1, "min_run_time_s": 2.0, "first_call_s": 0.45, "tflops": 0.1,
           "peak_tflops": None, "peak_percent": None, "peak_source": None}
    row.update(over)
    return row


def record(**over):
    rec = {"machine_id": "0123456789abcdef", "cpu_model": "Test CPU", "logical_cores": 2,
           "gpus": [], "driver_version": None, "cuda_version": None,
           "torch_version": "2.13.0+cpu", "python_version": "3.11.7",
           "date_utc": "2026-01-31T12:00:00Z", "git_commit": None, "script_version": "1.0.0",
           "measurements": [matmul()]}
    rec.update(over)
    return rec


def gpu_record():
    dev = {"device": "cuda:0", "device_name": "NVIDIA H100 80GB HBM3"}
    return record(
        machine_id="fedcba9876543210",
        gpus=[{"index": 0, "name": "NVIDIA H100 80GB HBM3", "memory_bytes": 85 * 2**30,
               "capability": "9.0"}],
        driver_version="550.54.15", cuda_version="12.8", git_commit="a" * 40,
        measurements=[
            matmul(**dev, precision="tf32", tf32=True, threads=None, peak_tflops=494.5,
                   peak_percent=40.0, peak_source="https://example.com/datasheet.pdf"),
            {"kind": "timing", **dev, "m": 10000, "k": 1000, "n": 2000, "precision": "fp32",
             "method": "naive_warm", "seconds": 0.0, "samples": 20},
            {"kind": "copy", **dev, "memory": "pinned", "bytes": 48_000_000, "seconds": 0.002,
             "samples": 10, "gb_per_s": 24.0},
        ])


def doc(*records):
    return {"schema_version": SCHEMA_VERSION, "machines": list(records)}


def problems_of(data) -> str:
    with pytest.raises(SchemaError) as info:
        validate_timings(data, source=SRC)
    return str(info.value)


def test_good_document_passes():
    """A CPU record and a GPU record with every kind of measurement are accepted."""
    validate_timings(doc(record(), gpu_record()), source=SRC)


def test_empty_document_passes():
    """A file with no machine record yet is valid (the state before the first run)."""
    validate_timings(doc(), source=SRC)


def test_missing_field_names_file_record_and_field():
    """A missing provenance field is reported with the file, the machine and the field."""
    rec = record()
    del rec["torch_version"]
    msg = problems_of(doc(rec))
    assert SRC in msg
    assert "machines[0] (machine 0123456789abcdef)" in msg
    assert "'torch_version' is missing" in msg


def test_bad_measurement_value_names_the_measurement():
    """A negative median is refused and the message points at the measurement and field."""
    msg = problems_of(doc(record(measurements=[matmul(), matmul(median_s=-1.0)])))
    assert "measurements[1]" in msg and "'median_s'" in msg and "-1.0" in msg


def test_booleans_are_not_integers():
    """``True`` is not accepted where a thread count is expected."""
    assert "'threads'" in problems_of(doc(record(measurements=[matmul(threads=True)])))


def test_unknown_kind_and_unexpected_field_refused():
    """Unknown measurement kinds and unknown fields are errors, not silently kept."""
    msg = problems_of(doc(record(measurements=[{"kind": "magic"}, matmul(extra=1)])))
    assert "measurements[0]: field 'kind'" in msg
    assert "measurements[1]: unexpected field 'extra'" in msg


@pytest.mark.parametrize("foreign", [[], {"name": "package", "version": "1.0"}, "text", None])
def test_foreign_document_refused(foreign):
    """JSON that is not a timings file is named as such."""
    assert "not a timings file" in problems_of(foreign)


def test_other_schema_version_refused():
    """A file written by a newer schema is refused rather than misread."""
    data = doc(record())
    data["schema_version"] = 2
    assert "schema_version 2 is not supported" in problems_of(data)


def test_duplicate_machine_ids_refused():
    """Two records of the same machine would make the merge ambiguous."""
    assert "duplicates machines[0]" in problems_of(doc(record(), record()))


@pytest.mark.parametrize("date", ["2026-01-31T12:00:00+08:00", "yesterday", "2026-13-01T00:00Z"])
def test_date_must_be_iso_utc(date):
    """Dates must be ISO 8601 and in UTC so that records compare."""
    assert "'date_utc'" in problems_of(doc(record(date_utc=date)))


def test_machine_id_and_commit_formats():
    """The machine id is 16 hex digits and a commit, when present, 40 hex digits."""
    msg = problems_of(doc(record(machine_id="not-an-id", git_commit="abc")))
    assert "'machine_id'" in msg and "'git_commit'" in msg


def test_peak_source_must_be_a_web_link():
    """Only http(s) URLs are accepted as the source of a peak figure (they become links)."""
    bad = gpu_record()
    bad["measurements"][0]["peak_source"] = "javascript:alert(1)"
    assert "'peak_source'" in problems_of(doc(bad))


def test_tf32_precision_needs_tf32_flag():
    """A 'tf32' measurement recorded with the TF32 flag off is inconsistent."""
    bad = gpu_record()
    bad["measurements"][0]["tf32"] = False
    assert "requires field 'tf32' to be true" in problems_of(doc(bad))


def test_gpu_entries_are_checked():
    """GPU descriptions in the provenance are validated too."""
    bad = gpu_record()
    bad["gpus"][0]["capability"] = "Hopper"
    assert "gpus[0]: field 'capability'" in problems_of(doc(bad))


def test_validation_does_not_modify_input():
    """Validating is read-only."""
    data = doc(record(), gpu_record())
    before = copy.deepcopy(data)
    validate_timings(data, source=SRC)
    assert data == before
