"""Chapter 13 in PyTorch: twins of :mod:`dlkit.numpy.rnn`, in the notes' layout; the backward passes are autograd.

x is (n_x, m, T_x), hidden states (n_a, m, T_x), parameters dicts of tensors
with the NumPy module's names and shapes (its docstring has the equations,
and the mapping to torch.nn.LSTM and torch.nn.GRU).  Caches hold what the
NumPy caches hold; each backward function runs its forward twin again under
autograd (:func:`dlkit.torch.activations._vjp`) from the inputs in the cache.
:func:`sample` draws with NumPy's generator, so both backends give the same
indices for the same seed.
"""

import numpy as np
import torch

from dlkit._shapes import check_shape
from dlkit.numpy.rnn import GRU_PARAMETERS, LSTM_GATES, LSTM_PARAMETERS, _check_sampling
from dlkit.torch._tensors import as_tensor
from dlkit.torch.activations import _vjp


def _parameters(parameters, shapes, dims):
    """The tensors of ``parameters`` named in ``shapes`` ({name: expected shape}), checked; ``dims`` binds the sizes."""
    missing = [k for k in shapes if k not in parameters]
    if missing:
        raise ValueError(f"parameters has keys {sorted(parameters)}, expected {list(shapes)} (missing {missing})")
    p, like = {}, None
    for k, shape in shapes.items():
        p[k] = as_tensor(k, parameters[k], like=like)
        check_shape(k, p[k], shape, dims)
        like = p[k] if like is None else like
    return p


def _rnn_parameters(parameters, dims):
    return _parameters(parameters, {"Wax": ("n_a", "n_x"), "Waa": ("n_a", "n_a"), "Wya": ("n_y", "n_a"),
                                    "ba": ("n_a", 1), "by": ("n_y", 1)}, dims)


def _gate_parameters(parameters, gates, dims):
    shapes = {}
    for g in gates:
        shapes[f"W{g}"], shapes[f"b{g}"] = ("n_a", "n_a+n_x"), ("n_a", 1)
    shapes.update({"Wy": ("n_y", "n_a"), "by": ("n_y", 1)})
    p = _parameters(parameters, shapes, dims)
    if dims["n_a+n_x"] <= dims["n_a"]:
        raise ValueError(f"W{gates[0]} has shape {tuple(p['W' + gates[0]].shape)}, "
                         f"expected (n_a, n_a + n_x) with n_x >= 1")
    dims["n_x"] = dims["n_a+n_x"] - dims["n_a"]
    return p


def _step(xt, a_prev, dims, like, a_name="a_prev"):
    xt = as_tensor("xt", xt, like=like)
    check_shape("xt", xt, ("n_x", "m"), dims)
    a_prev = as_tensor(a_name, a_prev, like=like)
    check_shape(a_name, a_prev, ("n_a", "m"), dims)
    return xt, a_prev


def _sequence(x, a0, dims, like, a_name="a0"):
    x = as_tensor("x", x, like=like)
    check_shape("x", x, ("n_x", "m", "T_x"), dims)
    a0 = as_tensor(a_name, a0, like=like)
    check_shape(a_name, a0, ("n_a", "m"), dims)
    return x, a0


def _upstream(name, d, caches, n_a):
    _, x = caches
    d = as_tensor(name, d, like=x)
    check_shape(name, d, (n_a,) + tuple(x.shape[1:]))
    return d


def _softmax(z):
    return torch.softmax(z, dim=0)


# ---------------------------------------------------------------------------------------------- RNN

def rnn_cell_forward(xt, a_prev, parameters):
    """a_next = tanh(Waa a_prev + Wax xt + ba), yt_pred = softmax(Wya a_next + by).  As in NumPy."""
    dims = {}
    p = _rnn_parameters(parameters, dims)
    xt, a_prev = _step(xt, a_prev, dims, p["Wax"])
    a_next = torch.tanh(p["Waa"] @ a_prev + p["Wax"] @ xt + p["ba"])
    return a_next, _softmax(p["Wya"] @ a_next + p["by"]), (a_next, a_prev, xt, p)


def rnn_forward(x, a0, parameters):
    """The RNN over x: (n_x, m, T_x).  Returns (a, y_pred, caches = (cell caches, x))."""
    dims = {}
    p = _rnn_parameters(parameters, dims)
    x, a0 = _sequence(x, a0, dims, p["Wax"])
    a, y_pred, caches, a_next = [], [], [], a0
    for t in range(x.shape[2]):
        a_next, yt_pred, cache = rnn_cell_forward(x[:, :, t], a_next, p)
        a.append(a_next)
        y_pred.append(yt_pred)
        caches.append(cache)
    return torch.stack(a, dim=2), torch.stack(y_pred, dim=2), (caches, x)


def rnn_cell_backward(da_next, cache):
    """{"dxt", "da_prev", "dWax", "dWaa", "dba"}, by autograd through :func:`rnn_cell_forward`."""
    a_next, a_prev, xt, p = cache
    da_next = as_tensor("da_next", da_next, like=a_next)
    check_shape("da_next", da_next, tuple(a_next.shape))
    names = ("Wax", "Waa", "ba")
    grads = _vjp(lambda xt, a_prev, *W: rnn_cell_forward(xt, a_prev, {**p, **dict(zip(names, W))})[0],
                 [xt, a_prev, *(p[k] for k in names)], da_next)
    return dict(zip(("dxt", "da_prev", "dWax", "dWaa", "dba"), grads))


def rnn_backward(da, caches):
    """{"dx", "da0", "dWax", "dWaa", "dba"}, by autograd through :func:`rnn_forward`."""
    cell_caches, x = caches
    a0, p = cell_caches[0][1], cell_caches[0][3]
    da = _upstream("da", da, caches, p["Waa"].shape[0])
    names = ("Wax", "Waa", "ba")
    grads = _vjp(lambda x, a0, *W: rnn_forward(x, a0, {**p, **dict(zip(names, W))})[0],
                 [x, a0, *(p[k] for k in names)], da)
    return dict(zip(("dx", "da0", "dWax", "dWaa", "dba"), grads))


# ---------------------------------------------------------------------------------------------- LSTM

def _lstm_step(xt, a_prev, c_prev, p):
    n_a = a_prev.shape[0]
    W = torch.cat([p[f"W{g}"] for g in LSTM_GATES])                 # (4 n_a, n_a + n_x), one product for all gates
    b = torch.cat([p[f"b{g}"] for g in LSTM_GATES])
    z = W @ torch.cat([a_prev, xt]) + b
    gates = torch.sigmoid(z[:3 * n_a])                                  # LSTM_GATES order: f, i, o, then c
    ft, it, ot = gates[:n_a], gates[n_a:2 * n_a], gates[2 * n_a:]
    cct = torch.tanh(z[3 * n_a:])
    c_next = ft * c_prev + it * cct
    a_next = ot * torch.tanh(c_next)
    return a_next, c_next, (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, p)


def lstm_cell_forward(xt, a_prev, c_prev, parameters):
    """One LSTM step.  Returns (a_next, c_next, yt_pred, cache) as in NumPy."""
    dims = {}
    p = _gate_parameters(parameters, LSTM_GATES, dims)
    xt, a_prev = _step(xt, a_prev, dims, p["Wf"])
    c_prev = as_tensor("c_prev", c_prev, like=p["Wf"])
    check_shape("c_prev", c_prev, ("n_a", "m"), dims)
    a_next, c_next, cache = _lstm_step(xt, a_prev, c_prev, p)
    return a_next, c_next, _softmax(p["Wy"] @ a_next + p["by"]), cache


def lstm_forward(x, a0, parameters):
    """The LSTM over x: (n_x, m, T_x), c<0> = 0.  Returns (a, y_pred, c, caches = (cell caches, x))."""
    dims = {}
    p = _gate_parameters(parameters, LSTM_GATES, dims)
    x, a0 = _sequence(x, a0, dims, p["Wf"])
    a, c, caches = [], [], []
    a_next, c_next = a0, torch.zeros_like(a0)
    for t in range(x.shape[2]):
        a_next, c_next, cache = _lstm_step(x[:, :, t], a_next, c_next, p)
        a.append(a_next)
        c.append(c_next)
        caches.append(cache)
    a = torch.stack(a, dim=2)
    return a, _softmax(torch.einsum("ya,amt->ymt", p["Wy"], a) + p["by"][:, :, None]), torch.stack(c, dim=2), \
        (caches, x)


LSTM_WEIGHTS = tuple(k for k in LSTM_PARAMETERS if k not in ("Wy", "by"))


def lstm_cell_backward(da_next, dc_next, cache):
    """{"dxt", "da_prev", "dc_prev", "dWf", ..., "dbo"}, by autograd through :func:`lstm_cell_forward`."""
    a_next, _, a_prev, c_prev, _, _, _, _, xt, p = cache
    da_next = as_tensor("da_next", da_next, like=a_next)
    dc_next = as_tensor("dc_next", dc_next, like=a_next)
    check_shape("da_next", da_next, tuple(a_next.shape))
    check_shape("dc_next", dc_next, tuple(a_next.shape))
    grads = _vjp(lambda xt, a_prev, c_prev, *W: lstm_cell_forward(xt, a_prev, c_prev,
                                                                  {**p, **dict(zip(LSTM_WEIGHTS, W))})[:2],
                 [xt, a_prev, c_prev, *(p[k] for k in LSTM_WEIGHTS)], (da_next, dc_next))
    return dict(zip(("dxt", "da_prev", "dc_prev", *("d" + k for k in LSTM_WEIGHTS)), grads))


def lstm_backward(da, caches):
    """{"dx", "da0", "dWf", ..., "dbo"}, by autograd through :func:`lstm_forward`."""
    cell_caches, x = caches
    a0, p = cell_caches[0][2], cell_caches[0][-1]
    da = _upstream("da", da, caches, p["Wf"].shape[0])
    grads = _vjp(lambda x, a0, *W: lstm_forward(x, a0, {**p, **dict(zip(LSTM_WEIGHTS, W))})[0],
                 [x, a0, *(p[k] for k in LSTM_WEIGHTS)], da)
    return dict(zip(("dx", "da0", *("d" + k for k in LSTM_WEIGHTS)), grads))


# ---------------------------------------------------------------------------------------------- GRU

def _gru_parameters(parameters, dims):
    gates = ("u", "r", "c") if "Wr" in parameters or "br" in parameters else ("u", "c")
    return _gate_parameters(parameters, gates, dims)


def _gru_step(xt, c_prev, p):
    concat = torch.cat([c_prev, xt])
    gu = torch.sigmoid(p["Wu"] @ concat + p["bu"])
    gr = torch.sigmoid(p["Wr"] @ concat + p["br"]) if "Wr" in p else torch.ones_like(c_prev)
    cct = torch.tanh(p["Wc"] @ torch.cat([gr * c_prev, xt]) + p["bc"])
    c_next = gu * cct + (1 - gu) * c_prev
    return c_next, (c_next, c_prev, gu, gr, cct, xt, p)


def gru_cell_forward(xt, c_prev, parameters):
    """One GRU step (the simplified GRU without "Wr"/"br").  Returns (c_next, yt_pred, cache) as in NumPy."""
    dims = {}
    p = _gru_parameters(parameters, dims)
    xt, c_prev = _step(xt, c_prev, dims, p["Wu"], "c_prev")
    c_next, cache = _gru_step(xt, c_prev, p)
    return c_next, _softmax(p["Wy"] @ c_next + p["by"]), cache


def gru_forward(x, c0, parameters):
    """The GRU over x: (n_x, m, T_x).  Returns (c, y_pred, caches = (cell caches, x))."""
    dims = {}
    p = _gru_parameters(parameters, dims)
    x, c0 = _sequence(x, c0, dims, p["Wu"], "c0")
    c, caches, c_next = [], [], c0
    for t in range(x.shape[2]):
        c_next, cache = _gru_step(x[:, :, t], c_next, p)
        c.append(c_next)
        caches.append(cache)
    c = torch.stack(c, dim=2)
    return c, _softmax(torch.einsum("ya,amt->ymt", p["Wy"], c) + p["by"][:, :, None]), (caches, x)


def _gru_weights(p):
    return tuple(k for k in GRU_PARAMETERS if k in p and k not in ("Wy", "by"))


def gru_cell_backward(dc_next, cache):
    """{"dxt", "dc_prev", "dWu", "dbu", "dWr", "dbr", "dWc", "dbc"} (no dWr, dbr when simplified), by autograd."""
    c_next, c_prev, _, _, _, xt, p = cache
    dc_next = as_tensor("dc_next", dc_next, like=c_next)
    check_shape("dc_next", dc_next, tuple(c_next.shape))
    names = _gru_weights(p)
    grads = _vjp(lambda xt, c_prev, *W: gru_cell_forward(xt, c_prev, {**p, **dict(zip(names, W))})[0],
                 [xt, c_prev, *(p[k] for k in names)], dc_next)
    return dict(zip(("dxt", "dc_prev", *("d" + k for k in names)), grads))


def gru_backward(dc, caches):
    """{"dx", "dc0", "dWu", "dbu", "dWr", "dbr", "dWc", "dbc"}, by autograd through :func:`gru_forward`."""
    cell_caches, x = caches
    c0, p = cell_caches[0][1], cell_caches[0][-1]
    dc = _upstream("dc", dc, caches, p["Wu"].shape[0])
    names = _gru_weights(p)
    grads = _vjp(lambda x, c0, *W: gru_forward(x, c0, {**p, **dict(zip(names, W))})[0],
                 [x, c0, *(p[k] for k in names)], dc)
    return dict(zip(("dx", "dc0", *("d" + k for k in names)), grads))


# ---------------------------------------------------------------------------------------------- training helpers

def _check_gradients(gradients):
    if not isinstance(gradients, dict) or not gradients:
        raise ValueError(f"gradients is {type(gradients).__name__}, expected a non-empty dict of tensors")
    return {k: as_tensor(k, v) for k, v in gradients.items()}


def clip(gradients, max_value):
    """Every gradient clamped to [-max_value, max_value].  Returns a new dict."""
    if not max_value > 0:
        raise ValueError(f"max_value is {max_value!r}, expected a positive number")
    return {k: torch.clamp(v, -max_value, max_value) for k, v in _check_gradients(gradients).items()}


def clip_by_norm(gradients, max_norm, eps=1e-6):
    """All gradients times min(1, max_norm / (global_norm + eps)).  Returns (a new dict, global_norm as a tensor)."""
    if not max_norm > 0:
        raise ValueError(f"max_norm is {max_norm!r}, expected a positive number")
    gradients = _check_gradients(gradients)
    global_norm = torch.sqrt(sum(torch.sum(v * v) for v in gradients.values()))
    scale = torch.clamp(max_norm / (global_norm + eps), max=1.0)
    return {k: v * scale for k, v in gradients.items()}, global_norm


def sample(parameters, char_to_ix, seed=0, temperature=1.0, max_length=50):
    """Indices sampled from the RNN language model; the same as NumPy's for the same seed (see there)."""
    dims = {}
    p = _rnn_parameters(parameters, dims)
    if dims["n_x"] != dims["n_y"]:
        raise ValueError(f"Wax has shape {tuple(p['Wax'].shape)} and Wya {tuple(p['Wya'].shape)}: sampling feeds "
                         f"each output back as the next input, so n_x = n_y is expected")
    _check_sampling(char_to_ix, temperature, max_length)
    rng, newline = np.random.default_rng(seed), char_to_ix["\n"]
    x = torch.zeros(dims["n_x"], 1, dtype=p["Wax"].dtype, device=p["Wax"].device)
    a = torch.zeros(dims["n_a"], 1, dtype=p["Wax"].dtype, device=p["Wax"].device)
    indices = []
    with torch.no_grad():
        while len(indices) < int(max_length):
            a = torch.tanh(p["Waa"] @ a + p["Wax"] @ x + p["ba"])
            probs = torch.softmax((p["Wya"] @ a + p["by"]).ravel().double() / temperature, dim=0).cpu().numpy()
            idx = int(rng.choice(probs.size, p=probs / probs.sum()))
            indices.append(idx)
            if idx == newline:
                return indices
            x = torch.zeros_like(x)
            x[idx] = 1
    return indices + [newline]


def sequence_loss(y_pred, Y):
    """-sum over examples and steps of log y_pred[Y[i, t], i, t], a 0-d tensor.  y_pred: (n_y, m, T), Y: (m, T)."""
    y_pred = as_tensor("y_pred", y_pred)
    dims = check_shape("y_pred", y_pred, ("n_y", "m", "T"))
    Y = torch.as_tensor(Y, device=y_pred.device)
    check_shape("Y", Y, ("m", "T"), dims)
    if Y.is_floating_point() or Y.is_complex() or Y.numel() and (Y.min() < 0 or Y.max() >= dims["n_y"]):
        raise ValueError(f"Y must hold integer indices in [0, {dims['n_y']}), got dtype {Y.dtype}")
    picked = torch.gather(y_pred, 0, Y.long().unsqueeze(0))                # (1, m, T)
    return -torch.log(picked).sum()


def bidirectional_forward(x, a0_forward, a0_backward, params_forward, params_backward, forward=rnn_forward):
    """[a_forward<t>; a_backward<t>] stacked: (2 n_a, m, T_x).  Returns (a, (forward caches, backward caches))."""
    x = as_tensor("x", x)
    check_shape("x", x, (None, None, None))
    out_f = forward(x, a0_forward, params_forward)
    out_b = forward(torch.flip(x, dims=(2,)), a0_backward, params_backward)
    return torch.cat([out_f[0], torch.flip(out_b[0], dims=(2,))]), (out_f[-1], out_b[-1])

