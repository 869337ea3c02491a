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


def pytest_collection_modifyitems(items):
    """The slow files (book, exercises, grading) first.

    `make test` hands whole files to two workers (--dist loadfile) in
    collection order; starting with the longest ones keeps one worker from
    being left alone with a 20-minute file at the end.
    """
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)  # stable: file order kept otherwise
