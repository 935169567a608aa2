"""Rewrite src/tactful/text/patterns_index.json: the saved parse results of every shipped pattern.

    python scripts/write_pattern_index.py

Run it after changing a rule's, lexicon's or template's patterns (tests/test_patterns.py says when);
a stale file is never wrong, only slower to start, because entries are keyed by the patterns.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ["TACTFUL_NO_PATTERN_INDEX"] = "1"  # work everything out afresh

from tactful.text import patterns  # noqa: E402

if __name__ == "__main__":
    count = patterns.write_index()
    print(f"wrote {count} entries to src/tactful/text/{patterns.INDEX_FILE}")
