#!/usr/bin/env bash
# One call on a GPU machine: nvidia-smi, the gpu tests, the matmul example, every example executed
# as the site's build runs them, and a timings record with the recorder's defaults (CPU and every
# GPU), all within a time limit it enforces.
#
#   scripts/gpu_check.sh OUTDIR
#
# Needs python3 with torch and pytest (no .venv, no MkDocs, no network), and for the examples the
# packages of requirements-execute.txt: installed already, or as wheels in GPU_CHECK_WHEELS (they
# are then installed into a virtual environment in a temporary folder that sees the system's torch).
# Writes OUTDIR/gpu_check.log (everything, also echoed), OUTDIR/timings.json (the new record, a
# timings file holding this machine only) and OUTDIR/executions/ (the executed examples and their
# manifest). Back in the project:
#   make merge-timings FILE=OUTDIR/timings.json && make merge-executions DIR=OUTDIR/executions
# Exit status: 0 when every step passed on a GPU; 3 when no GPU was found; else 1.
# Environment: PYTHON (default python3), GPU_CHECK_LIMIT (seconds in all, default 480, at most 540),
# GPU_CHECK_WHEELS (a folder of wheels for requirements-execute.txt).
set -uo pipefail

if [ $# -ne 1 ]; then
    echo "usage: scripts/gpu_check.sh OUTDIR" >&2
    exit 2
fi
ROOT=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$1" && OUT=$(cd "$1" && pwd) || { echo "gpu_check: cannot create $1" >&2; exit 2; }
PY=${PYTHON:-python3}
LIMIT=${GPU_CHECK_LIMIT:-480}
(( LIMIT > 540 )) && LIMIT=540
LOG="$OUT/gpu_check.log"
: >"$LOG"
cd "$ROOT" || exit 2
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}" PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
START=$SECONDS
FAILED=()

say() { echo "$*" | tee -a "$LOG"; }

# step NAME CAP_SECONDS COMMAND...: run COMMAND for at most CAP seconds (less if the overall
# limit is nearer), append its output to the log and echo it; record a failure by NAME.
step() {
    local name=$1 cap=$2 left rc
    shift 2
    left=$(( LIMIT - (SECONDS - START) - 5 ))
    (( left < cap )) && cap=$left
    if (( cap < 10 )); then
        say "== $name: not run, the ${LIMIT} s limit is used up"
        FAILED+=("$name (not run: out of time)")
        return 124
    fi
    say "== $name (at most ${cap} s): $*"
    timeout -k 5 "$cap" "$@" 2>&1 | tee -a "$LOG"
    rc=${PIPESTATUS[0]}
    (( rc == 124 || rc == 137 )) && say "== $name: stopped after ${cap} s (time limit)"
    say "== $name: exit status $rc"
    (( rc == 0 )) || FAILED+=("$name (exit $rc)")
    return "$rc"
}

say "gpu_check: $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(hostname), project $ROOT, limit ${LIMIT} s"
step environment 60 "$PY" -c '
import platform, sys
import torch, pytest
print("python", platform.python_version(), "| torch", torch.__version__,
      "| built for CUDA", torch.version.cuda, "| pytest", pytest.__version__)
n = torch.cuda.device_count() if torch.cuda.is_available() else 0
print("CUDA devices:", n, [torch.cuda.get_device_name(i) for i in range(n)])
sys.exit(0 if n else 3)'
GPU_RC=$?

if command -v nvidia-smi >/dev/null 2>&1; then
    step nvidia-smi 30 nvidia-smi
else
    say "== nvidia-smi: not found on PATH (no NVIDIA driver, or its tools are not installed)"
fi

step "gpu tests" 150 "$PY" -m pytest -p no:cacheprovider --noconftest -m gpu -rs -v tests/test_gpu.py
step "matmul example" 120 "$PY" lessonsrc/matmul_cpu_gpu.py

# The examples, each in a fresh kernel, as the build runs them: the outputs the site shows as its GPU run.
EXEC_PY=$PY
if [ -n "${GPU_CHECK_WHEELS:-}" ]; then
    VENV=$(mktemp -d)/execute
    step "install requirements-execute.txt from $GPU_CHECK_WHEELS" 120 bash -c \
        "'$PY' -m venv --system-site-packages '$VENV' && '$VENV/bin/python' -m pip install --quiet --no-index \
         --find-links '$GPU_CHECK_WHEELS' -r '$ROOT/requirements-execute.txt'" && EXEC_PY=$VENV/bin/python
fi
rm -rf "$OUT/executions"
step "execute examples" 200 "$EXEC_PY" scripts/execute_examples.py "$OUT/executions"

rm -f "$OUT/timings.json"
if (( GPU_RC == 0 )); then
    step record 240 "$PY" scripts/record_timings.py --output "$OUT/timings.json"
elif (( GPU_RC == 3 )); then  # no record; the recorder says why (no device, or a torch without CUDA)
    step "record: why not" 60 "$PY" scripts/record_timings.py --dry-run --device cuda
fi

say "gpu_check: $(( SECONDS - START )) s; files in $OUT: $(cd "$OUT" && ls | tr '\n' ' ')"
if (( GPU_RC == 3 )); then
    say "RESULT: NO GPU FOUND: torch sees no CUDA device on this machine, so the gpu tests were" \
        "skipped and no record was made. Steps that did not pass: ${FAILED[*]}"
    exit 3
elif (( ${#FAILED[@]} )); then
    say "RESULT: FAILED: ${FAILED[*]}"
    exit 1
fi
say "RESULT: OK: all steps passed; merge the record and the examples with:" \
    "make merge-timings FILE=$OUT/timings.json && make merge-executions DIR=$OUT/executions"
