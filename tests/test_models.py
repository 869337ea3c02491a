"""dlkit.torch.models: the MLP's structure, shapes, errors, and that it learns."""

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the torch extra is not installed")

from dlkit.data import load_spirals  # noqa: E402
from dlkit.torch.models import MLP, accuracy, count_parameters, freeze, replace_head  # noqa: E402
from torch import nn  # noqa: E402


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


def test_replace_head_freezes_the_body_and_trains_only_the_new_head():
    torch.manual_seed(0)
    model = MLP([4, 8, 6, 3])
    body = [p.detach().clone() for p in model.layers[:-1].parameters()]
    assert replace_head(model, 2) is model
    assert model.layers[-1].out_features == 2 and model.layers[-1].in_features == 6
    assert count_parameters(model) == 6 * 2 + 2                      # only the head trains
    optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.5)
    x, y = torch.randn(16, 4), torch.randint(0, 2, (16,))
    head_before = model.layers[-1].weight.detach().clone()
    for _ in range(5):
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
    for before, after in zip(body, model.layers[:-1].parameters()):
        assert torch.equal(before, after) and after.grad is None      # no gradient reached the body
    assert not torch.equal(head_before, model.layers[-1].weight)
    freeze(model, frozen=False)
    assert count_parameters(model) == (4 * 8 + 8) + (8 * 6 + 6) + (6 * 2 + 2)


def test_replace_head_without_freezing_and_bad_input():
    model = replace_head(MLP([4, 8, 3]), 5, freeze_body=False)
    assert count_parameters(model) == (4 * 8 + 8) + (8 * 5 + 5)
    with pytest.raises(ValueError, match="n_out is 0"):
        replace_head(model, 0)
    with pytest.raises(ValueError, match="expected an MLP"):
        replace_head(nn.Linear(3, 2), 2)
