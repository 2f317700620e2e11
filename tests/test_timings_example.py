"""lessonsrc/matmul_cpu_gpu.py says only what is true on any machine, and runs without a GPU."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys

import pytest

from conftest import ROOT

EXAMPLE = ROOT / "lessonsrc" / "matmul_cpu_gpu.py"
CJK = re.compile(r"[\u4e00-\u9fff]")
# Not Chinese sentence text: code spans, TeX, link targets, and decimal points in numbers.
NOT_PROSE = re.compile(r"`[^`]*`|\$\$.*?\$\$|\$[^$]*\$|\]\([^)]*\)|\d\.\d")


def zh_prose_lines() -> list[str]:
    """The lines of the example's Chinese prose cells, without the leading ``# ``."""
    lines, inside = [], False
    for line in EXAMPLE.read_text(encoding="utf-8").splitlines():
        if line.startswith("# %%"):
            inside = line.strip() == '# %% [markdown] lang="zh"'
        elif inside:
            lines.append(line[2:])
    return lines


def test_chinese_prose_uses_full_width_punctuation():
    """No ASCII , . : ; ( ) in a Chinese sentence (code, TeX and link targets aside)."""
    lines = zh_prose_lines()
    assert len(lines) > 20
    bad = [line for line in lines if CJK.search(line)
           and re.search(r"[,.:;()]", NOT_PROSE.sub("", line))]
    assert bad == []


def test_no_claim_about_records_the_data_may_not_hold():
    """The example never says GPU records exist: whether they do is the timings page's to say."""
    text = EXAMPLE.read_text(encoding="utf-8")
    for claim in ("GPUs included", "包括 GPU", "GPU timings recorded on other machines",
                  "launch only", "多台机器"):
        assert claim not in text


def test_norms_use_torch_linalg_and_the_gpu_is_only_used_when_available():
    """No deprecated Tensor.norm; the device comes from torch.accelerator, and every use sits under its check."""
    tree = ast.parse(EXAMPLE.read_text(encoding="utf-8"))
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    names = [ast.unparse(c.func) for c in calls]
    assert "torch.linalg.vector_norm" in names
    assert not any(name.endswith(".norm") for name in names)
    assert "torch.accelerator.current_accelerator" in names and "torch.cuda.is_available" not in names
    guarded = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
               and ast.unparse(node.test) == "gpu is not None"
               for child in node.body for n in ast.walk(child)}
    uses = [c for c in calls if ("gpu" in [ast.unparse(a) for a in c.args] and ast.unparse(c.func) != "print")
            or ast.unparse(c.func) == "torch.accelerator.synchronize"]
    assert uses and all(id(c) in guarded for c in uses)


def test_the_examples_rate_formula_is_the_recorders():
    """The example's own tflops() gives what lessonsrc.timing.tflops gives (one fact, checked in two places)."""
    from lessonsrc.timing import tflops

    tree = ast.parse(EXAMPLE.read_text(encoding="utf-8"))
    source = next(ast.unparse(n) for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "tflops")
    namespace = {"m": 10000, "k": 1000, "n": 2000}
    exec(source, namespace)  # noqa: S102 (the project's own example)
    for seconds in (0.25, 0.001, 3.0):
        assert namespace["tflops"](seconds) == pytest.approx(tflops(10000, 1000, 2000, seconds))


@pytest.mark.slow
def test_runs_as_plain_python_without_a_gpu():
    """`python lessonsrc/matmul_cpu_gpu.py` runs; without a GPU it says the GPU part was skipped."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CUDA_VISIBLE_DEVICES": ""}
    result = subprocess.run([sys.executable, "-W", "error", str(EXAMPLE)], capture_output=True,
                            text=True, timeout=300, cwd=ROOT, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    norm = float(re.search(r"vector_norm\(c\) = tensor\(([\d.]+)\)", result.stdout).group(1))
    assert abs(norm / (10000 * 1000 * 2000) ** 0.5 - 1) < 0.01
    assert "No GPU was found on this machine" in result.stdout
    queued = float(re.search(r"three submit\(\) calls returned after +([\d.]+) ms", result.stdout).group(1))
    waited = float(re.search(r"the last result\(\) returned after +([\d.]+) ms", result.stdout).group(1))
    assert queued * 20 < waited  # queuing returns at once; waiting takes the time of three products
    assert "says which had a GPU" in result.stdout
