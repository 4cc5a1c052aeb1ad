#!/usr/bin/env bash
# Install newstrace and everything it needs into .venv, then run the demo.
#   bash scripts/setup.sh            # install + demo
#   NEWSTRACE_SKIP_DEMO=1 bash scripts/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "newstrace needs Python 3.11 or newer (found: $("$PYTHON" --version 2>&1))" >&2
  exit 1
fi

# System packages the project uses, installed only when missing.
need_apt=()
for pkg in $(cat scripts/apt-packages.txt 2>/dev/null | grep -v '^#'); do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "note: install these system packages for the full test suite: ${need_apt[*]}" >&2
  fi
fi

[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[dev,spark]"
.venv/bin/python -c "import newstrace" # fail here, loudly, if the install did not work
# corpus mode's static embedding, distilled once from the shipped MiniLM (~20 s, offline)
[ -f "${NEWSTRACE_CACHE:-$HOME/.cache/newstrace}/static-minilm-v1.npy" ] || \
  .venv/bin/python -m newstrace.nlp.static_embed

if [ -z "${NEWSTRACE_SKIP_DEMO:-}" ]; then
  HF_HUB_OFFLINE=1 .venv/bin/newstrace demo -o newstrace-demo
fi
