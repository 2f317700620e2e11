"""Store the runs of an execution folder (made by scripts/execute_examples.py) in the repository.

    python scripts/merge_executions.py DIR [DIR ...] [--store data/executions]

Each folder is checked whole before anything of it is written: its manifest,
every notebook, and that each example's source is still the one that ran.
A refused folder writes nothing and the message names the file and what is
wrong. Folders are merged one after the other (the shards of one CI run, a
GPU machine's run); a run replaces the stored run of the same example and
kind (cpu or gpu). Run it with ``make merge-executions DIR=...``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sitelib.examples.executions import merge_folder  # noqa: E402
from sitelib.examples.store import StoreError  # noqa: E402


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="merge_executions.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("dirs", type=Path, nargs="+", metavar="DIR", help="execution folders, merged in this order")
    parser.add_argument("--project", type=Path, default=ROOT, help="the project's folder (default: this script's)")
    parser.add_argument("--store", default="data/executions", help="relative to the project (default: data/executions)")
    args = parser.parse_args(argv)
    root = args.project.resolve()
    for folder in args.dirs:
        try:
            said = merge_folder(folder, root, root / args.store)
        except StoreError as error:
            print(f"merge-executions: refused, nothing of {folder} was stored: {error}", file=sys.stderr)
            return 1
        for line in said:
            print(f"merge-executions: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
