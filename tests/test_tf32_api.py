"""The recorder sets TF32 with the API of the torch it runs on: fp32_precision from 2.9, allow_tf32 before."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from sitelib.timings.measure import CudaBackend, has_fp32_precision, tf32_matmul


class NewFlags:
    """torch >= 2.9's matmul flags as far as the recorder may use them: touching allow_tf32 fails."""

    def __init__(self):
        self.fp32_precision = "none"

    def __getattr__(self, name):
        raise AssertionError(f"the deprecated {name} was used on a torch that has fp32_precision")


@pytest.mark.parametrize("enabled, inside", [(True, "tf32"), (False, "ieee")])
def test_new_api_sets_and_restores_fp32_precision(enabled, inside):
    """On torch 2.13 the context sets fp32_precision and restores the previous value, never allow_tf32."""
    flags = NewFlags()
    with tf32_matmul(flags, enabled, "2.13.0+cpu"):
        assert flags.fp32_precision == inside
    assert flags.fp32_precision == "none"


@pytest.mark.parametrize("enabled", [True, False])
def test_old_api_sets_and_restores_allow_tf32(enabled):
    """On torch 2.4 to 2.8 (no fp32_precision) the context uses allow_tf32, restored even after an error."""
    flags = SimpleNamespace(allow_tf32=not enabled)
    with pytest.raises(RuntimeError), tf32_matmul(flags, enabled, "2.4.1+cu121"):
        assert flags.allow_tf32 is enabled and not hasattr(flags, "fp32_precision")
        raise RuntimeError("a failed measurement")
    assert flags.allow_tf32 is (not enabled)


def test_version_parsing():
    """The switch is at 2.9; a version torch would never report is an error naming it."""
    assert [has_fp32_precision(v) for v in ("2.4.0", "2.8.0", "2.9.0", "2.13.0+cpu", "3.0.0")] == [
        False, False, True, True, True]
    with pytest.raises(ValueError, match="'nightly'"):
        has_fp32_precision("nightly")


def test_real_backend_uses_fp32_precision_without_warnings():
    """With the installed torch (2.13) the backend's TF32 switch sets fp32_precision and warns nothing."""
    import torch

    before = torch.backends.cuda.matmul.fp32_precision
    with CudaBackend().tf32(True):  # filterwarnings=error: a deprecation warning would fail here
        assert torch.backends.cuda.matmul.fp32_precision == "tf32"
    assert torch.backends.cuda.matmul.fp32_precision == before
