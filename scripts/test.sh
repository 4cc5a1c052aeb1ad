#!/usr/bin/env bash
# Lint, type-check and run the whole test suite (the command CI runs).
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
.venv/bin/ruff check src tests bench
.venv/bin/mypy
.venv/bin/python -m pytest -q --durations=10 "$@"  # the ten slowest: the suite must stay under 15 min
