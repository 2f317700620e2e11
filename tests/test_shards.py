"""--shard K/N: every example in exactly one shard, balanced by recorded durations, the same on every machine."""

from __future__ import annotations

from conftest import ROOT

from sitelib.examples.discover import find_examples
from sitelib.examples.shards import shard_of


def test_the_shards_cover_every_example_once():
    """The lesson's examples split into 1, 2 or 3 shards: disjoint, together all of them, none empty."""
    examples = find_examples(ROOT / "lessonsrc")
    for count in (1, 2, 3):
        shards = [shard_of(examples, {}, f"{k}/{count}") for k in range(1, count + 1)]
        together = [p for shard in shards for p in shard]
        assert sorted(together) == examples and len(set(together)) == len(together)
        assert all(shards)


def test_recorded_durations_balance_the_shards(tmp_path):
    """A slow example recorded as such gets a shard to itself; the unrecorded ones are weighed by size."""
    files = []
    for name, size in (("a.py", 100), ("b.py", 100), ("c.py", 100), ("slow.py", 100)):
        path = tmp_path / name
        path.write_text("# %%\n" + "x" * size, encoding="utf-8")
        files.append(path)
    recorded = {tmp_path / "slow.py": 30.0, tmp_path / "a.py": 1.0, tmp_path / "b.py": 1.2}  # c.py: never ran
    first, second = shard_of(files, recorded, "1/2"), shard_of(files, recorded, "2/2")
    assert first == [tmp_path / "slow.py"] and second == [tmp_path / n for n in ("a.py", "b.py", "c.py")]
    assert shard_of(list(reversed(files)), recorded, "1/2") == first  # the order given plays no part
