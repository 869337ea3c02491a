"""Idiomatic PyTorch modules for the chapters that train real models (batch-first: X is (m, n_x)).

Unlike the twins in this package, which keep the notes' (n_x, m) layout, these
are ordinary ``nn.Module``s to use with DataLoader and torch.optim.
"""

import torch
from torch import nn

ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}


class MLP(nn.Module):
    """A fully connected network: [Linear -> (BatchNorm1d) -> activation -> (Dropout)] x (L-1) -> Linear.

    layer_sizes: [n_x, n[1], ..., n[L]].  The last layer returns logits: pair
    it with nn.CrossEntropyLoss (softmax inside) for K classes, or
    nn.BCEWithLogitsLoss for one output.  batch_norm puts BatchNorm1d between
    each hidden Linear and its activation, as in the notes (z -> z_tilde -> a);
    dropout is the probability of *dropping* a unit (torch's convention,
    1 - keep_prob).  Input (m, n_x), output (m, n[L]).
    """

    def __init__(self, layer_sizes, activation="relu", batch_norm=False, dropout=0.0):
        super().__init__()
        if len(layer_sizes) < 2 or min(layer_sizes) < 1:
            raise ValueError(f"layer_sizes is {list(layer_sizes)}, expected at least two positive sizes")
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation is {activation!r}, expected one of {sorted(ACTIVATIONS)}")
        if not 0 <= dropout < 1:
            raise ValueError(f"dropout is {dropout!r}, expected a drop probability in [0, 1)")
        layers = []
        for n_in, n_out in zip(layer_sizes[:-2], layer_sizes[1:-1]):
            layers.append(nn.Linear(n_in, n_out))
            if batch_norm:
                layers.append(nn.BatchNorm1d(n_out))
            layers.append(ACTIVATIONS[activation]())
            if dropout:
                layers.append(nn.Dropout(dropout))
        layers.append(nn.Linear(layer_sizes[-2], layer_sizes[-1]))
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        if x.dim() != 2 or x.shape[1] != self.layers[0].in_features:
            raise ValueError(f"x has shape {tuple(x.shape)}, expected (m, {self.layers[0].in_features})")
        return self.layers(x)


def count_parameters(model):
    """The number of trainable numbers in ``model``."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def accuracy(model, loader, device=None):
    """Fraction of correct argmax predictions of ``model`` (in eval mode) over a DataLoader of (x, y)."""
    was_training = model.training
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            correct += (model(x).argmax(dim=1) == y).sum().item()
            total += y.numel()
    model.train(was_training)
    return correct / total


def freeze(module, frozen=True):
    """Stop (frozen=True) or restart training ``module``'s parameters: set their requires_grad. Returns module.

    A frozen layer keeps its weights: the optimizer gets no gradient for them,
    and backprop stops below the lowest layer that still trains.
    """
    for p in module.parameters():
        p.requires_grad_(not frozen)
    return module


def replace_head(model, n_out, freeze_body=True):
    """Transfer learning: a new, randomly initialized last Linear layer with ``n_out`` outputs.

    model: a network whose ``layers`` is an nn.Sequential ending in nn.Linear
    (an ``MLP``).  freeze_body=True freezes every earlier layer, so that
    training updates the head only (for a small new data set); freeze_body=
    False fine-tunes everything.  Changes model in place and returns it.
    """
    if not isinstance(getattr(model, "layers", None), nn.Sequential) or not isinstance(model.layers[-1], nn.Linear):
        raise ValueError(f"model is a {type(model).__name__} whose layers do not end in nn.Linear, expected an MLP")
    if n_out < 1:
        raise ValueError(f"n_out is {n_out!r}, expected a positive number of outputs")
    old = model.layers[-1]
    freeze(model, frozen=freeze_body)
    model.layers[-1] = nn.Linear(old.in_features, n_out).to(device=old.weight.device, dtype=old.weight.dtype)
    return model
