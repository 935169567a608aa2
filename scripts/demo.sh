#!/usr/bin/env bash
# Main job on the embedded default: set up .venv, show one analysis, then serve the web page
# and REST API on http://127.0.0.1:8000 with demo data in ./tactful.db (SQLite) and the example
# store's policies (--kb example: without a KB tactful decides nothing).
# Extra arguments go to `tactful serve` (e.g. --port 8080, --db postgresql://…).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
echo "== A reply that needs work, analyzed =="
.venv/bin/tactful check examples/reply.txt --customer examples/customer.txt
echo
echo "== The same reply, rewritten by the method =="
.venv/bin/tactful rewrite examples/reply.txt --customer examples/customer.txt --kb example --fact today="$(date +%F)"
echo
echo "== Serving the team (Ctrl-C to stop) =="
exec .venv/bin/tactful serve --kb example "$@"
