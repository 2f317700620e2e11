"""Execute the lesson's examples on this machine and write them, with a manifest, into OUTDIR.

    python scripts/execute_examples.py OUTDIR [--shard K/N] [--only NAME ...] [--src lessonsrc]

Each example runs in a fresh kernel of its own, under its time limit, exactly
as the site's build runs it (the same executor, the same error messages).
OUTDIR then holds one executed notebook per example and ``manifest.json``:
each example's input key (its source and the helpers it imports), the machine
(CPU, GPU, NVIDIA driver, CUDA, torch, Python, machine id), the date and the
duration. Bring the folder back to the project and store it with
``make merge-executions DIR=OUTDIR``; the site then shows those outputs.

Needs Python 3.10+, torch, the examples' own libraries, and the Jupyter
packages of requirements-execute.txt; no MkDocs and nothing else of the
site. Exit status: 0 when every example ran, 1 when one failed (the message
names its file and line), 2 for bad arguments or missing packages.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The import names of requirements-execute.txt's packages (the kernel needs ipykernel and matplotlib_inline).
NEEDED = ("nbformat", "nbclient", "jupyter_client", "jupytext", "ipykernel", "matplotlib_inline")


def missing_packages() -> list[str]:
    return [name for name in NEEDED if importlib.util.find_spec(name) is None]


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="execute_examples.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir", type=Path, help="where the executed notebooks and manifest.json go")
    parser.add_argument("--shard", default="1/1", help="run shard K of N (balanced by recorded durations), e.g. 1/2")
    parser.add_argument("--only", nargs="+", default=None, metavar="NAME",
                        help="run only these examples (file names, with or without .py)")
    parser.add_argument("--src", default="lessonsrc", help="the examples folder, relative to the project (default lessonsrc)")
    parser.add_argument("--project", type=Path, default=ROOT, help="the project's folder (default: this script's)")
    parser.add_argument("--store", default="data/executions", help="the merged runs whose durations balance the shards")
    parser.add_argument("--timeout", type=int, default=None, help="seconds per example unless its header says otherwise")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    missing = missing_packages()
    if missing:
        print(f"execute_examples: missing Python packages: {', '.join(missing)}. Install the pinned set with\n"
              f"    {sys.executable} -m pip install -r {ROOT / 'requirements-execute.txt'}\n"
              "(offline: pip download it elsewhere, then pip install --no-index --find-links WHEELS -r ...)",
              file=sys.stderr)
        return 2

    from sitelib.examples.discover import find_examples
    from sitelib.examples.errors import ExampleFailed, ExampleInvalid, ExampleStopped
    from sitelib.examples.kernels import KernelStartFailed
    from sitelib.examples.executions import write_folder
    from sitelib.examples.notebooks import DEFAULT_TIME_LIMIT, executed_examples
    from sitelib.examples.shards import shard_of
    from sitelib.examples.store import lesson_key, recorded_seconds
    from sitelib.timings.host import current_machine_id, nvidia_driver

    root = args.project.resolve()
    src = root / args.src
    if not src.is_dir():
        print(f"execute_examples: {src} is not a folder", file=sys.stderr)
        return 2
    examples = find_examples(src)
    if args.only:
        names = {p.relative_to(src).with_suffix("").as_posix(): p for p in examples}
        unknown = [n for n in args.only if n.removesuffix(".py") not in names]
        if unknown:
            print(f"execute_examples: no example {', '.join(unknown)} in {args.src}/ (there are: "
                  f"{', '.join(names)})", file=sys.stderr)
            return 2
        examples = [names[n.removesuffix(".py")] for n in args.only]
    try:
        selected = shard_of(examples, recorded_seconds(root / args.store / lesson_key(args.src), src), args.shard)
    except ValueError as error:
        print(f"execute_examples: --shard: {error}", file=sys.stderr)
        return 2
    print(f"execute_examples: shard {args.shard}: {len(selected)} of {len(examples)} example(s): "
          f"{', '.join(p.name for p in selected) or '(none)'}", flush=True)
    driver = nvidia_driver()
    host = {"machine_id": current_machine_id(), "driver": driver.version if driver else None}
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="lesson-execute-") as cache:
        try:
            executions = executed_examples(src, Path(cache), timeout=args.timeout or DEFAULT_TIME_LIMIT,
                                           only=selected, root=root) if selected else {}
        except (ExampleFailed, ExampleStopped, ExampleInvalid, KernelStartFailed) as error:
            print(f"execute_examples: {error}", file=sys.stderr)
            return 1
    manifest = write_folder(args.outdir, args.src, src, executions, args.shard, host)
    for path, execution in executions.items():
        print(f"  {path.relative_to(src).as_posix()}: {execution.seconds:.2f} s on "
              f"{execution.machine.get('gpu') or execution.machine.get('cpu')}")
    print(f"execute_examples: {len(executions)} example(s) in {time.perf_counter() - start:.1f} s; wrote {manifest}\n"
          f"Store them with: make merge-executions DIR={args.outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
