"""Fixtures shared by the tests: random generators and the torch devices to run on."""

import numpy as np
import pytest


def _devices():
    try:
        import torch
    except ImportError:
        return []
    cuda = pytest.param(
        "cuda",
        marks=pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device here: GPU path not exercised"),
    )
    return ["cpu", cuda]


@pytest.fixture(params=_devices())
def device(request):
    """Every torch device: "cpu", and "cuda" where a GPU exists (skipped, visibly, where none)."""
    return request.param


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
