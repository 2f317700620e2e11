"""Split the examples into N shards of about equal run time, for machines that execute them side by side.

Each example weighs its recorded duration (the slowest stored run of it);
an example that never ran weighs its file size at the rate the recorded
examples run at (bytes per second, their median), or its size alone when
nothing is recorded. The heaviest example goes first into the lightest
shard (longest-processing-time first), so shards differ by at most one
example's duration. The split depends only on the files and the store, so
every machine of a CI matrix computes the same one.
"""

from __future__ import annotations

import re
import statistics
from pathlib import Path


def parse_shard(text: str) -> tuple[int, int]:
    """``K/N`` as ``(K, N)``, with 1 ≤ K ≤ N.

    >>> parse_shard("2/3")
    (2, 3)
    >>> parse_shard("3/2")
    Traceback (most recent call last):
    ...
    ValueError: expected K/N with 1 <= K <= N (shard K of N), got '3/2'
    """
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise ValueError(f"expected K/N with 1 <= K <= N (shard K of N), got {text!r}")
    return int(match[1]), int(match[2])


def estimate(sizes: dict[Path, int], recorded: dict[Path, float]) -> dict[Path, float]:
    """Seconds per example: recorded where known, else size × the recorded examples' median seconds per byte.

    >>> a, b, c = Path("a.py"), Path("b.py"), Path("c.py")
    >>> estimate({a: 1000, b: 2000, c: 4000}, {a: 2.0, b: 2.0})
    {PosixPath('a.py'): 2.0, PosixPath('b.py'): 2.0, PosixPath('c.py'): 6.0}
    >>> estimate({a: 10, b: 30}, {})
    {PosixPath('a.py'): 10.0, PosixPath('b.py'): 30.0}
    """
    rates = [recorded[p] / sizes[p] for p in sizes if p in recorded and sizes[p] > 0]
    rate = statistics.median(rates) if rates else 1.0
    return {p: float(recorded[p]) if p in recorded else sizes[p] * rate for p in sizes}


def split(weight: dict[Path, float], count: int) -> list[list[Path]]:
    """``count`` shards of the examples in ``weight``, each sorted by path; heaviest first into the lightest.

    >>> w = {Path("a"): 5.0, Path("b"): 4.0, Path("c"): 3.0, Path("d"): 3.0, Path("e"): 1.0}
    >>> [[p.name for p in shard] for shard in split(w, 2)]
    [['a', 'd'], ['b', 'c', 'e']]
    """
    shards: list[list[Path]] = [[] for _ in range(count)]
    loads = [0.0] * count
    for path in sorted(weight, key=lambda p: (-weight[p], p.as_posix())):
        lightest = min(range(count), key=lambda i: (loads[i], i))
        shards[lightest].append(path)
        loads[lightest] += weight[path]
    return [sorted(shard) for shard in shards]


def shard_of(examples: list[Path], recorded: dict[Path, float], shard: str) -> list[Path]:
    """The examples of shard ``K/N``."""
    k, n = parse_shard(shard)
    return split(estimate({p: p.stat().st_size for p in examples}, recorded), n)[k - 1]
