"""Record that translated pages have caught up with their English pages (data/translations.toml).

    python scripts/translations_current.py                 # every page of docs/zh
    python scripts/translations_current.py 01-meet-pytorch.md about.md
    python scripts/translations_current.py --lang zh --check   # list lagging pages, exit 1 if any

Run it after bringing a translation up to date with its English page (make translations-current).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sitelib.languages.translations import FILE, TranslationsError, lagging, load, mark_current  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", help="pages (relative to docs/<lang>), default: all")
    parser.add_argument("--lang", default="zh", help="the translated docs folder (default: zh)")
    parser.add_argument("--source", default="en", help="the docs folder translated from (default: en)")
    parser.add_argument("--check", action="store_true", help="only list lagging pages; exit 1 if any")
    args = parser.parse_args(argv)
    try:
        if args.check:
            behind = lagging(ROOT, args.source, args.lang, load(ROOT / FILE))
            for page in behind:
                print(f"docs/{args.lang}/{page}: behind docs/{args.source}/{page}")
            return 1 if behind else 0
        changed = mark_current(ROOT, args.lang, args.source, args.pages or None)
    except TranslationsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"{FILE}: {len(changed)} page(s) of docs/{args.lang} recorded as current"
          + (f": {', '.join(changed)}" if changed else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
