"""Rewrite src/tactful/text/patterns_index.json: the saved parse results of every shipped pattern.

    python scripts/write_pattern_index.py [--out FILE]

Run it after changing a rule's, lexicon's or template's patterns (tests/text/test_patterns.py says when);
a stale file is never wrong, only slower to start, because entries are keyed by the patterns.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ["TACTFUL_NO_PATTERN_INDEX"] = "1"  # work everything out afresh

import tactful  # noqa: E402
from tactful.composer import rewrite  # noqa: E402
from tactful.kb import STORE_EXAMPLE, load_kb  # noqa: E402
from tactful.text import patterns  # noqa: E402
from tactful.understanding import understand  # noqa: E402


def use_every_pattern() -> None:
    """Load every shipped rule, lexicon and template by using analyze, understand, compose and
    rewrite (with its guard) once each."""
    message = "Hi, my blender from order 5521 broke after six weeks. I want a refund or I'll post a review!"
    kb = load_kb(STORE_EXAMPLE)
    facts: dict[str, object] = {"purchase_date": "2026-09-01", "today": "2026-11-23"}
    tactful.analyze("Sorry, we can't refund it. Thanks!", message, {"history": ["We can't."]})
    understand(message)
    tactful.compose(message, facts, kb)
    rewrite("We CANNOT refund this. Sorry! So sorry.", message, facts=facts, kb=kb)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", help="where to write (default: the shipped file)")
    args = ap.parse_args()
    use_every_pattern()
    count = patterns.save_index(args.out)
    print(f"wrote {count} entries to {args.out or 'src/tactful/text/' + patterns.INDEX_FILE}")
