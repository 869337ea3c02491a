"""dlkit.torch.models: the MLP's structure, shapes, errors, and that it learns."""

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the torch extra is not installed")

from dlkit.data import load_spirals  # noqa: E402
from dlkit.torch.models import MLP, accuracy, count_parameters  # noqa: E402


def test_structure_and_parameter_count():
    model = MLP([4, 8, 3], batch_norm=True, dropout=0.2)
    kinds = [type(m).__name__ for m in model.layers]
    assert kinds == ["Linear", "BatchNorm1d", "ReLU", "Dropout", "Linear"]
    assert count_parameters(model) == (4 * 8 + 8) + 2 * 8 + (8 * 3 + 3)
    assert model(torch.zeros(5, 4)).shape == (5, 3)
    with pytest.raises(ValueError, match=r"x has shape \(5, 3\), expected \(m, 4\)"):
        model(torch.zeros(5, 3))
    with pytest.raises(ValueError, match="dropout is 1.0"):
        MLP([4, 3], dropout=1.0)


def test_mlp_learns_the_spirals():
    X, Y = load_spirals(m=300)
    x, y = torch.tensor(X.T, dtype=torch.float32), torch.tensor(Y[0])
    torch.manual_seed(0)
    model = MLP([2, 64, 3])
    optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
    for _ in range(300):
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=64)
    assert accuracy(model, loader) > 0.95 and model.training
