#!/usr/bin/env bash
# Main job on the embedded default: set up .venv and analyze a sample refusal.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
echo "== A reply that needs work =="
.venv/bin/tactful check examples/reply.txt --customer examples/customer.txt
echo
echo "== The same no, said well =="
.venv/bin/tactful check examples/better-reply.txt --customer examples/customer.txt
