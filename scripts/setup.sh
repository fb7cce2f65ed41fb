#!/usr/bin/env bash
# One-time set-up: installs torch (the CPU build where there is no GPU) and then this
# package with its test extras. Safe to run again: it installs nothing that is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}

if ! "$PY" -c "import torch" 2>/dev/null; then
  if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi >/dev/null 2>&1; then
    "$PY" -m pip install "torch>=2.2"
  else
    # No GPU: never download a CUDA build. The CPU wheels carry the +cpu local version;
    # PyTorch's CPU index is tried second to any local wheel directory pip is configured with.
    "$PY" -m pip install "torch==2.13.0+cpu" \
      --extra-index-url https://download.pytorch.org/whl/cpu --timeout 30 --retries 1
  fi
fi
"$PY" -m pip install -e ".[test]"
