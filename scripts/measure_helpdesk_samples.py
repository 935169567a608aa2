"""What ``tactful qa`` reads from each recorded helpdesk sample: the table in docs/qa.md.

Runs ``tactful qa FILE --from VENDOR`` (the CLI, as a user would) on every file of the samples folder
(``../shared/data/helpdesk-samples`` by default; a folder of further samples laid out the same way,
one sub-folder per vendor, may be given instead) and prints, per file, the exit status and what the
run's ``summary.json`` counts: conversations, agent turns, customer turns, bot turns, internal notes
left out, problems. Exits 1 when a file does not read (exit status not 0, or no conversation).

    .venv/bin/python scripts/measure_helpdesk_samples.py [SAMPLES_DIR]
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

VENDORS = ("zendesk", "freshdesk", "helpscout", "intercom", "chatwoot")
DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data" / "helpdesk-samples"


def measure(path: Path, vendor: str) -> dict[str, object]:
    tactful = Path(sys.executable).with_name("tactful")
    with tempfile.TemporaryDirectory() as out:
        run = subprocess.run(
            [
                str(tactful),
                "qa",
                str(path),
                "--from",
                vendor,
                "--out",
                out,
                "--workers",
                "1",
                "--no-progress",
            ],
            capture_output=True,
            text=True,
        )
        summary_path = Path(out) / "summary.json"
        summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    return {"exit": run.returncode, "stderr": run.stderr.strip().splitlines()[-1:], **summary}


def main() -> int:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    columns = ("conversations", "agent_turns", "customer_turns", "bot_turns", "notes_skipped", "problems")
    print("| file | exit | conversations | agent turns | customer turns | bots | notes skipped | problems |")
    print("|---|---|---|---|---|---|---|---|")
    failed = 0
    for vendor in VENDORS:
        folder = root / vendor
        for path in sorted(folder.iterdir()) if folder.is_dir() else []:
            result = measure(path, vendor)
            counts = " | ".join(str(result.get(c, "–")) for c in columns)
            print(f"| `{vendor}/{path.name}` | {result['exit']} | {counts} |")
            if result["exit"] != 0 or not result.get("conversations"):
                failed += 1
                print(f"  {path}: {result['stderr']}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
