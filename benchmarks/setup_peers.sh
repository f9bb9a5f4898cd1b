#!/usr/bin/env bash
# Create benchmarks/.peers: a separate virtual environment holding the peer tools that
# benchmarks/bench_sfc_peers.py compares Bubble Machine against (gitignored; never imported
# by the package). Versions are those measured in research/modeling-anchors.md section 3.
#
# Usage: benchmarks/setup_peers.sh            (uses python3; PYTHON=python3.11 to choose)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.peers"
PYTHON="${PYTHON:-python3}"
if [ ! -x "$venv/bin/python" ]; then
    "$PYTHON" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet \
    "numpy>=2.0" "pysolve==0.2.0" "mesa==3.3.1" "pysd==3.14.3"
"$venv/bin/python" - <<'PY'
import importlib.metadata as md
for name in ("numpy", "pysolve", "mesa", "pysd", "sympy"):
    print(f"{name:8s} {md.version(name)}")
PY
echo "peers ready in $venv"
