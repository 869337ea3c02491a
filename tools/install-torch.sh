#!/usr/bin/env bash
# Installs PyTorch into the virtual environment whose python is $1, unless it
# already has one (a GPU user's CUDA build is kept as it is).
# - With an NVIDIA GPU (nvidia-smi lists one): PyPI's default wheel, which on
#   Linux is the CUDA build.
# - Without: the CPU build of the tested version, 2.13.0, from PyTorch's CPU
#   index (an unpinned `pip install torch` would pull a multi-GB CUDA build).
#   Where that index cannot be reached, pip takes a local copy of the same
#   wheel if its configuration points at one (--find-links), else PyPI's.
set -euo pipefail
py=${1:?usage: install-torch.sh PATH/TO/VENV/bin/python}
TORCH_VERSION=${TORCH_VERSION:-2.13.0}
if "$py" -c "import torch" 2>/dev/null; then
    echo "torch $("$py" -c 'import torch; print(torch.__version__)') is already installed; keeping it"
    exit 0
fi
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
    echo "NVIDIA GPU found: installing PyPI's torch (CUDA build)"
    "$py" -m pip install "torch>=2.3,<3"
else
    echo "no NVIDIA GPU: installing the CPU build of torch $TORCH_VERSION"
    "$py" -m pip install --retries 1 --timeout 15 "torch==$TORCH_VERSION" \
        --extra-index-url https://download.pytorch.org/whl/cpu
fi
