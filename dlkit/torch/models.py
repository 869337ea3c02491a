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
