"""Chapter 13, recurrent networks: the RNN cell, the GRU and the LSTM, with backpropagation through time.

Layout (the notes'): a batch of sequences x is (n_x, m, T_x) (features,
examples, time), one time step xt is (n_x, m); hidden states a are
(n_a, m, T_x), one a_prev is (n_a, m); predictions y_pred are (n_y, m, T_x).
Biases are columns (n, 1); softmax runs over axis 0, the class axis.
Parameters are dicts; the input dtype is kept (float64 by default).

RNN, {"Wax" (n_a, n_x), "Waa" (n_a, n_a), "Wya" (n_y, n_a), "ba" (n_a, 1), "by" (n_y, 1)}:

    a<t> = tanh(Waa a<t-1> + Wax x<t> + ba),      y<t> = softmax(Wya a<t> + by)

LSTM, gate matrices Wf, Wi, Wc, Wo (n_a, n_a + n_x) acting on [a<t-1>; x<t>]
(a first), biases bf, bi, bc, bo (n_a, 1), Wy (n_y, n_a), by (n_y, 1):

    Γf = σ(Wf [a<t-1>; x<t>] + bf)     forget gate
    Γu = σ(Wi [a<t-1>; x<t>] + bi)     update gate (PyTorch's input gate i)
    c̃  = tanh(Wc [a<t-1>; x<t>] + bc)  candidate
    Γo = σ(Wo [a<t-1>; x<t>] + bo)     output gate
    c<t> = Γf * c<t-1> + Γu * c̃,    a<t> = Γo * tanh(c<t>),    y<t> = softmax(Wy a<t> + by)

torch.nn.LSTM computes the same function: its weight_ih_l0 stacks the x
columns of Wi, Wf, Wc, Wo (gate order i, f, g, o), weight_hh_l0 the a
columns, and its two biases add up to ours.

GRU (the notes' full GRU; the memory cell c is the hidden state a), Wu, Wr,
Wc (n_a, n_a + n_x) on [c<t-1>; x<t>], bu, br, bc (n_a, 1), Wy, by:

    Γu = σ(Wu [c<t-1>; x<t>] + bu),   Γr = σ(Wr [c<t-1>; x<t>] + br)
    c̃  = tanh(Wc [Γr * c<t-1>; x<t>] + bc)
    c<t> = Γu * c̃ + (1 - Γu) * c<t-1>,    y<t> = softmax(Wy c<t> + by)

The simplified GRU of the notes has no relevance gate: pass parameters
without "Wr" and "br" and Γr = 1 (the same as Wr = 0 with a huge br).

torch.nn.GRU is a different function in general.  Its update gate z is
1 - Γu (h' = (1 - z) * n + z * h), and its reset gate r multiplies
(W_hn h + b_hn) AFTER the matrix product, while the notes multiply c<t-1>
BEFORE it: Wc [Γr * c; x] = Wc_c (Γr * c) + Wc_x x, against
r * (W_hn c + b_hn) + W_in x.  The two agree when Γr = 1 (the simplified GRU,
with b_hn = 0 and b_in = bc) and differ otherwise; each is tested against
its own definition.

Backward functions take the upstream gradients of the hidden states (and of
the LSTM cells) and return dicts; the output layer's gradients are the
caller's, as dout of the y<t> is not given to them.  Backpropagation through
time adds, at each step, the gradient flowing back from step t + 1.
"""

import numpy as np

from dlkit._shapes import check_shape
from dlkit.numpy._arrays import as_array
from dlkit.numpy.basics import softmax

RNN_PARAMETERS = ("Wax", "Waa", "Wya", "ba", "by")
LSTM_PARAMETERS = ("Wf", "bf", "Wi", "bi", "Wc", "bc", "Wo", "bo", "Wy", "by")
GRU_PARAMETERS = ("Wu", "bu", "Wr", "br", "Wc", "bc", "Wy", "by")
LSTM_GATES = ("f", "i", "o", "c")  # the order of the gates in the stacked (4 n_a, n_a + n_x) matrix: σ gates first


def _sigmoid(z):
    """σ(z) = 1 / (1 + exp(-z)), element-wise (NumPy's exp is 2-3 times faster than its float64 tanh)."""
    with np.errstate(over="ignore"):            # exp(-z) = inf for z below about -710 (-88 in float32): σ = 0
        e = np.exp(-z)
    e += 1
    return np.reciprocal(e, out=e)


def _parameters(parameters, shapes, dims):
    """The arrays of ``parameters`` named in ``shapes`` ({name: expected shape}), checked; ``dims`` binds the sizes."""
    missing = [k for k in shapes if k not in parameters]
    if missing:
        raise ValueError(f"parameters has keys {sorted(parameters)}, expected {list(shapes)} (missing {missing})")
    p = {}
    for k, shape in shapes.items():
        p[k] = as_array(k, parameters[k])
        check_shape(k, p[k], shape, dims)
    return p


def _rnn_parameters(parameters, dims):
    return _parameters(parameters, {"Wax": ("n_a", "n_x"), "Waa": ("n_a", "n_a"), "Wya": ("n_y", "n_a"),
                                    "ba": ("n_a", 1), "by": ("n_y", 1)}, dims)


def _gate_parameters(parameters, gates, dims):
    """Gate matrices W<g> (n_a, n_a + n_x) and biases b<g> (n_a, 1), then Wy (n_y, n_a) and by (n_y, 1)."""
    shapes = {}
    for g in gates:
        shapes[f"W{g}"], shapes[f"b{g}"] = ("n_a", "n_a+n_x"), ("n_a", 1)
    shapes.update({"Wy": ("n_y", "n_a"), "by": ("n_y", 1)})
    p = _parameters(parameters, shapes, dims)
    if dims["n_a+n_x"] <= dims["n_a"]:
        raise ValueError(f"W{gates[0]} has shape {p['W' + gates[0]].shape}, expected (n_a, n_a + n_x) with n_x >= 1")
    dims["n_x"] = dims["n_a+n_x"] - dims["n_a"]
    return p


def _step(xt, a_prev, dims, a_name="a_prev"):
    xt = as_array("xt", xt)
    check_shape("xt", xt, ("n_x", "m"), dims)
    a_prev = as_array(a_name, a_prev)
    check_shape(a_name, a_prev, ("n_a", "m"), dims)
    return xt, a_prev


def _sequence(x, a0, dims, a_name="a0"):
    x = as_array("x", x)
    check_shape("x", x, ("n_x", "m", "T_x"), dims)
    a0 = as_array(a_name, a0)
    check_shape(a_name, a0, ("n_a", "m"), dims)
    return x, a0


# ---------------------------------------------------------------------------------------------- RNN

def rnn_cell_forward(xt, a_prev, parameters):
    """One RNN step: a_next = tanh(Waa a_prev + Wax xt + ba), yt_pred = softmax(Wya a_next + by).

    xt: (n_x, m), a_prev: (n_a, m).  Returns (a_next (n_a, m), yt_pred (n_y, m),
    cache = (a_next, a_prev, xt, parameters)).

    >>> p = {"Wax": np.array([[2.0]]), "Waa": np.array([[1.0]]), "Wya": np.array([[1.0], [-1.0]]),
    ...      "ba": np.zeros((1, 1)), "by": np.zeros((2, 1))}
    >>> a_next, yt_pred, _ = rnn_cell_forward(np.array([[0.5]]), np.zeros((1, 1)), p)   # a = tanh(2 * 0.5)
    >>> a_next.round(4), yt_pred.round(4)
    (array([[0.7616]]), array([[0.821],
           [0.179]]))
    """
    dims = {}
    p = _rnn_parameters(parameters, dims)
    xt, a_prev = _step(xt, a_prev, dims)
    a_next = np.tanh(p["Waa"] @ a_prev + p["Wax"] @ xt + p["ba"])   # (n_a, m)
    yt_pred = softmax(p["Wya"] @ a_next + p["by"], axis=0)          # (n_y, m)
    return a_next, yt_pred, (a_next, a_prev, xt, parameters)


def rnn_forward(x, a0, parameters):
    """The RNN over a whole sequence, a<0> = a0.

    x: (n_x, m, T_x), a0: (n_a, m).  Returns (a (n_a, m, T_x), y_pred (n_y, m, T_x),
    caches = (list of the T_x cell caches, x)).
    """
    dims = {}
    p = _rnn_parameters(parameters, dims)
    x, a0 = _sequence(x, a0, dims)
    n_a, (n_x, m, T_x), n_y = dims["n_a"], x.shape, dims["n_y"]
    dtype = np.result_type(x, a0, *p.values())
    a, y_pred = np.empty((n_a, m, T_x), dtype), np.empty((n_y, m, T_x), dtype)
    caches, a_next = [], a0
    for t in range(T_x):
        a_next, y_pred[:, :, t], cache = rnn_cell_forward(x[:, :, t], a_next, parameters)
        a[:, :, t] = a_next
        caches.append(cache)
    return a, y_pred, (caches, x)


def rnn_cell_backward(da_next, cache):
    """Gradients of one RNN step through the tanh (the output layer's are the caller's).

    With dz = da_next * (1 - a_next^2), the gradient of tanh's pre-activation:
    dxt = Wax^T dz, da_prev = Waa^T dz, dWax = dz xt^T, dWaa = dz a_prev^T,
    dba = sum over the m examples of dz.
    da_next: (n_a, m).  Returns {"dxt" (n_x, m), "da_prev" (n_a, m), "dWax" (n_a, n_x),
    "dWaa" (n_a, n_a), "dba" (n_a, 1)}.
    """
    a_next, a_prev, xt, p = cache
    da_next = as_array("da_next", da_next)
    check_shape("da_next", da_next, a_next.shape)
    dz = da_next * (1 - a_next ** 2)                        # (n_a, m)
    return {"dxt": p["Wax"].T @ dz,                         # (n_x, m)
            "da_prev": p["Waa"].T @ dz,                     # (n_a, m)
            "dWax": dz @ xt.T,                              # (n_a, n_x)
            "dWaa": dz @ a_prev.T,                          # (n_a, n_a)
            "dba": dz.sum(axis=1, keepdims=True)}           # (n_a, 1)


def _upstream(name, d, caches, n_a):
    """The upstream gradient d (n_a, m, T_x) of a sequence's hidden states, checked against x in caches."""
    _, x = caches
    d = as_array(name, d)
    check_shape(name, d, (n_a,) + x.shape[1:])
    return d


def rnn_backward(da, caches):
    """Backpropagation through time for :func:`rnn_forward`.

    da: (n_a, m, T_x), the gradient of the loss with respect to every a<t>
    coming from the outputs; at step t the cell gets da<t> plus the gradient
    that flows back from a<t+1>.  Returns {"dx" (n_x, m, T_x), "da0" (n_a, m),
    "dWax", "dWaa", "dba"}, the weight gradients summed over the time steps.
    """
    cell_caches, x = caches
    p = cell_caches[0][3]
    da = _upstream("da", da, caches, p["Waa"].shape[0])
    dx = np.empty(x.shape, np.result_type(x, da))
    grads = {"dWax": np.zeros_like(p["Wax"]), "dWaa": np.zeros_like(p["Waa"]), "dba": np.zeros_like(p["ba"])}
    da_prev = np.zeros_like(da[:, :, 0])
    for t in reversed(range(x.shape[2])):
        step = rnn_cell_backward(da[:, :, t] + da_prev, cell_caches[t])
        dx[:, :, t], da_prev = step["dxt"], step["da_prev"]
        for k in grads:
            grads[k] += step[k]
    return {"dx": dx, "da0": da_prev, **grads}


# ---------------------------------------------------------------------------------------------- LSTM

def _lstm_parameters(parameters, dims):
    return _gate_parameters(parameters, LSTM_GATES, dims)


def _lstm_stack(p):
    """The gates stacked in LSTM_GATES order (f, i, o, c): W (4 n_a, n_a + n_x), b (4 n_a, 1); one product for all."""
    return np.concatenate([p[f"W{g}"] for g in LSTM_GATES]), np.concatenate([p[f"b{g}"] for g in LSTM_GATES])


def _lstm_gates(z, c_prev, n_a):
    """From the stacked pre-activations z (4 n_a, m): (a_next, c_next, ft, it, cct, ot), each (n_a, m)."""
    gates = _sigmoid(z[:3 * n_a])               # [Γf; Γu; Γo]: (3 n_a, m), one call
    ft, it, ot = gates[:n_a], gates[n_a:2 * n_a], gates[2 * n_a:]
    cct = np.tanh(z[3 * n_a:])                  # c̃
    c_next = ft * c_prev + it * cct
    a_next = ot * np.tanh(c_next)
    return a_next, c_next, ft, it, cct, ot


def lstm_cell_forward(xt, a_prev, c_prev, parameters):
    """One LSTM step (the module docstring has the equations).

    xt: (n_x, m), a_prev, c_prev: (n_a, m).  Returns (a_next (n_a, m), c_next (n_a, m),
    yt_pred (n_y, m), cache = (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)).
    """
    dims = {}
    p = _lstm_parameters(parameters, dims)
    xt, a_prev = _step(xt, a_prev, dims)
    c_prev = as_array("c_prev", c_prev)
    check_shape("c_prev", c_prev, ("n_a", "m"), dims)
    W, b = _lstm_stack(p)
    z = W @ np.concatenate([a_prev, xt]) + b                # (4 n_a, m)
    a_next, c_next, ft, it, cct, ot = _lstm_gates(z, c_prev, dims["n_a"])
    yt_pred = softmax(p["Wy"] @ a_next + p["by"], axis=0)   # (n_y, m)
    return a_next, c_next, yt_pred, (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, p)


def lstm_forward(x, a0, parameters):
    """The LSTM over a whole sequence, a<0> = a0 and c<0> = 0.

    The x half of every gate's product is computed for all time steps at
    once, one matrix product, before the loop; each step adds Wa a<t-1>
    (Wa = W[:, :n_a]) and applies one sigmoid to the three σ gates at once.
    x: (n_x, m, T_x), a0: (n_a, m).  Returns (a (n_a, m, T_x), y_pred (n_y, m, T_x),
    c (n_a, m, T_x), caches = (list of the T_x cell caches, x)).
    """
    dims = {}
    p = _lstm_parameters(parameters, dims)
    x, a0 = _sequence(x, a0, dims)
    (n_x, m, T_x), n_a = x.shape, dims["n_a"]
    W, b = _lstm_stack(p)
    Wa, Wx = W[:, :n_a], W[:, n_a:]                                              # (4 n_a, n_a), (4 n_a, n_x)
    dtype = np.result_type(x, a0, W)
    x_tm = np.ascontiguousarray(x.transpose(0, 2, 1)).reshape(n_x, T_x * m)      # (n_x, T_x m), step by step
    zx = (Wx @ x_tm + b).reshape(4 * n_a, T_x, m)                                  # (4 n_a, T_x, m)
    a, c = np.empty((n_a, m, T_x), dtype), np.empty((n_a, m, T_x), dtype)
    a_next, c_next, caches = a0, np.zeros_like(a0, dtype=dtype), []
    for t in range(T_x):
        a_prev, c_prev = a_next, c_next
        a_next, c_next, ft, it, cct, ot = _lstm_gates(Wa @ a_prev + zx[:, t], c_prev, n_a)
        a[:, :, t], c[:, :, t] = a_next, c_next
        caches.append((a_next, c_next, a_prev, c_prev, ft, it, cct, ot, x[:, :, t], p))
    y_pred = softmax((p["Wy"] @ a.reshape(n_a, m * T_x)).reshape(-1, m, T_x) + p["by"][:, :, None], axis=0)
    return a, y_pred, c, (caches, x)


def _lstm_dz(da_next, dc_next, cache, dz):
    """Write the gradients of the stacked pre-activations into dz (4 n_a, m); return dc_prev (n_a, m)."""
    _, c_next, _, c_prev, ft, it, cct, ot, _, _ = cache
    n_a = c_next.shape[0]
    tanh_c = np.tanh(c_next)
    dc = dc_next + da_next * ot * (1 - tanh_c ** 2)             # every path into c<t>: (n_a, m)
    dz[:n_a] = dc * c_prev * ft * (1 - ft)                      # Γf's pre-activation
    dz[n_a:2 * n_a] = dc * cct * it * (1 - it)                  # Γu's
    dz[2 * n_a:3 * n_a] = da_next * tanh_c * ot * (1 - ot)      # Γo's
    dz[3 * n_a:] = dc * it * (1 - cct ** 2)                     # c̃'s
    return dc * ft


def _lstm_grads(dW, db, n_a):
    """Split the stacked dW (4 n_a, n_a + n_x), db (4 n_a, 1) into {"dWf", "dbf", ..., "dWo", "dbo"}."""
    grads = {}
    for g in "fico":                                            # the API's order; the rows are in LSTM_GATES order
        rows = slice(LSTM_GATES.index(g) * n_a, (LSTM_GATES.index(g) + 1) * n_a)
        grads[f"dW{g}"], grads[f"db{g}"] = dW[rows], db[rows]
    return grads


def lstm_cell_backward(da_next, dc_next, cache):
    """Gradients of one LSTM step, given those of its outputs a_next and c_next.

    With dc = dc_next + da_next * Γo * (1 - tanh(c_next)^2), the pre-activation
    gradients are dΓf = dc * c_prev * Γf(1 - Γf), dΓu = dc * c̃ * Γu(1 - Γu),
    dc̃ = dc * Γu * (1 - c̃^2), dΓo = da_next * tanh(c_next) * Γo(1 - Γo); then
    dW<g> = d<g> [a_prev; xt]^T, db<g> = sum over the examples, d[a_prev; xt]
    = sum over gates of W<g>^T d<g>, dc_prev = dc * Γf.
    da_next, dc_next: (n_a, m).  Returns {"dxt" (n_x, m), "da_prev", "dc_prev" (n_a, m),
    "dWf", "dbf", "dWi", "dbi", "dWc", "dbc", "dWo", "dbo"}.
    """
    a_next, _, a_prev, _, _, _, _, _, xt, p = cache
    n_a = a_next.shape[0]
    da_next, dc_next = as_array("da_next", da_next), as_array("dc_next", dc_next)
    check_shape("da_next", da_next, a_next.shape)
    check_shape("dc_next", dc_next, a_next.shape)
    W, _ = _lstm_stack(p)
    dz = np.empty((4 * n_a, a_next.shape[1]), np.result_type(da_next, dc_next, W))
    dc_prev = _lstm_dz(da_next, dc_next, cache, dz)
    dconcat = W.T @ dz                                          # (n_a + n_x, m)
    dW = dz @ np.concatenate([a_prev, xt]).T                    # (4 n_a, n_a + n_x)
    return {"dxt": dconcat[n_a:], "da_prev": dconcat[:n_a], "dc_prev": dc_prev,
            **_lstm_grads(dW, dz.sum(axis=1, keepdims=True), n_a)}


def lstm_backward(da, caches):
    """Backpropagation through time for :func:`lstm_forward` (c gets no gradient from outside).

    da: (n_a, m, T_x), the gradient with respect to every a<t> from the
    outputs.  The loop keeps only what must be sequential (da_prev = W[:, :n_a]^T dz);
    the pre-activation gradients dz of all steps are kept, (T_x, 4 n_a, m), and
    the weight gradients and dx come from one matrix product each after it.
    Returns {"dx" (n_x, m, T_x), "da0" (n_a, m), "dWf", "dbf", "dWi", "dbi", "dWc", "dbc", "dWo", "dbo"}.
    """
    cell_caches, x = caches
    p = cell_caches[0][-1]
    W, _ = _lstm_stack(p)
    n_a, (n_x, m, T_x) = p["Wf"].shape[0], x.shape
    WaT = W[:, :n_a].T                                          # (n_a, 4 n_a)
    da = _upstream("da", da, caches, n_a)
    dtype = np.result_type(da, W)
    dz, a_prevs = np.empty((T_x, 4 * n_a, m), dtype), np.empty((T_x, n_a, m), dtype)
    da_prev, dc_prev = np.zeros((n_a, m), dtype), np.zeros((n_a, m), dtype)
    for t in reversed(range(T_x)):
        dc_prev = _lstm_dz(da[:, :, t] + da_prev, dc_prev, cell_caches[t], dz[t])
        da_prev = WaT @ dz[t]                                   # (n_a, m)
        a_prevs[t] = cell_caches[t][2]
    dz = dz.transpose(1, 0, 2).reshape(4 * n_a, T_x * m)        # (4 n_a, T_x m)
    concat = np.concatenate([a_prevs.transpose(1, 0, 2).reshape(n_a, T_x * m),
                             x.transpose(0, 2, 1).reshape(n_x, T_x * m)])      # [a<t-1>; x<t>] of every step
    dW = dz @ concat.T                                                          # (4 n_a, n_a + n_x)
    dx = (W[:, n_a:].T @ dz).reshape(n_x, T_x, m).transpose(0, 2, 1)   # (n_x, m, T_x)
    return {"dx": np.ascontiguousarray(dx), "da0": da_prev,
            **_lstm_grads(dW, dz.sum(axis=1, keepdims=True), n_a)}


# ---------------------------------------------------------------------------------------------- GRU

def _gru_parameters(parameters, dims):
    """The full GRU's parameters, or the simplified GRU's when both "Wr" and "br" are absent."""
    gates = ("u", "r", "c") if "Wr" in parameters or "br" in parameters else ("u", "c")
    return _gate_parameters(parameters, gates, dims)


def _gru_step(xt, c_prev, p):
    """One GRU step on checked arrays: (c_next, cache); Γr = 1 when p has no "Wr"."""
    concat = np.concatenate([c_prev, xt])                                       # (n_a + n_x, m)
    gu = _sigmoid(p["Wu"] @ concat + p["bu"])                                   # Γu
    gr = _sigmoid(p["Wr"] @ concat + p["br"]) if "Wr" in p else np.ones_like(c_prev)  # Γr
    cct = np.tanh(p["Wc"] @ np.concatenate([gr * c_prev, xt]) + p["bc"])        # c̃
    c_next = gu * cct + (1 - gu) * c_prev
    return c_next, (c_next, c_prev, gu, gr, cct, xt, p)


def gru_cell_forward(xt, c_prev, parameters):
    """One GRU step (the module docstring has the equations; no "Wr"/"br": the simplified GRU).

    xt: (n_x, m), c_prev: (n_a, m).  Returns (c_next (n_a, m), yt_pred (n_y, m),
    cache = (c_next, c_prev, Γu, Γr, c̃, xt, parameters)).
    """
    dims = {}
    p = _gru_parameters(parameters, dims)
    xt, c_prev = _step(xt, c_prev, dims, "c_prev")
    c_next, cache = _gru_step(xt, c_prev, p)
    return c_next, softmax(p["Wy"] @ c_next + p["by"], axis=0), cache


def gru_forward(x, c0, parameters):
    """The GRU over a whole sequence, c<0> = c0.

    x: (n_x, m, T_x), c0: (n_a, m).  Returns (c (n_a, m, T_x), y_pred (n_y, m, T_x),
    caches = (list of the T_x cell caches, x)).
    """
    dims = {}
    p = _gru_parameters(parameters, dims)
    x, c0 = _sequence(x, c0, dims, "c0")
    (n_x, m, T_x), n_a = x.shape, dims["n_a"]
    c, caches, c_next = np.empty((n_a, m, T_x), np.result_type(x, c0, p["Wu"])), [], c0
    for t in range(T_x):
        c_next, cache = _gru_step(x[:, :, t], c_next, p)
        c[:, :, t] = c_next
        caches.append(cache)
    y_pred = softmax((p["Wy"] @ c.reshape(n_a, m * T_x)).reshape(-1, m, T_x) + p["by"][:, :, None], axis=0)
    return c, y_pred, (caches, x)


def gru_cell_backward(dc_next, cache):
    """Gradients of one GRU step, given that of its output c_next.

    dc̃ = dc * Γu * (1 - c̃^2) and dΓu = dc * (c̃ - c_prev) * Γu(1 - Γu) (pre-activations);
    [d(Γr * c_prev); dxt from c̃] = Wc^T dc̃, dΓr = d(Γr * c_prev) * c_prev * Γr(1 - Γr);
    dc_prev = dc * (1 - Γu) + d(Γr * c_prev) * Γr + the c_prev rows of Wu^T dΓu + Wr^T dΓr.
    dc_next: (n_a, m).  Returns {"dxt" (n_x, m), "dc_prev" (n_a, m), "dWu", "dbu", "dWr",
    "dbr", "dWc", "dbc"}; the simplified GRU's has no "dWr", "dbr".
    """
    c_next, c_prev, gu, gr, cct, xt, p = cache
    n_a = c_next.shape[0]
    dc = as_array("dc_next", dc_next)
    check_shape("dc_next", dc, c_next.shape)
    concat = np.concatenate([c_prev, xt])                       # (n_a + n_x, m)
    dcct = dc * gu * (1 - cct ** 2)                             # c̃'s pre-activation: (n_a, m)
    dgu = dc * (cct - c_prev) * gu * (1 - gu)                   # Γu's pre-activation
    dconcat_c = p["Wc"].T @ dcct                                # [d(Γr * c_prev); dxt]: (n_a + n_x, m)
    dconcat = p["Wu"].T @ dgu                                   # d[c_prev; xt] through Γu
    grads = {"dWu": dgu @ concat.T, "dbu": dgu.sum(axis=1, keepdims=True)}
    if "Wr" in p:
        dgr = dconcat_c[:n_a] * c_prev * gr * (1 - gr)         # Γr's pre-activation
        dconcat = dconcat + p["Wr"].T @ dgr
        grads.update({"dWr": dgr @ concat.T, "dbr": dgr.sum(axis=1, keepdims=True)})
    grads.update({"dWc": dcct @ np.concatenate([gr * c_prev, xt]).T, "dbc": dcct.sum(axis=1, keepdims=True)})
    dc_prev = dc * (1 - gu) + dconcat_c[:n_a] * gr + dconcat[:n_a]
    return {"dxt": dconcat_c[n_a:] + dconcat[n_a:], "dc_prev": dc_prev, **grads}


def gru_backward(dc, caches):
    """Backpropagation through time for :func:`gru_forward`.

    dc: (n_a, m, T_x), the gradient with respect to every c<t> from the outputs.
    Returns {"dx" (n_x, m, T_x), "dc0" (n_a, m), "dWu", "dbu", "dWr", "dbr", "dWc", "dbc"}
    (no "dWr", "dbr" for the simplified GRU).
    """
    cell_caches, x = caches
    p = cell_caches[0][-1]
    dc = _upstream("dc", dc, caches, p["Wu"].shape[0])
    dx = np.empty(x.shape, np.result_type(x, dc))
    grads, dc_prev = None, np.zeros_like(dc[:, :, 0])
    for t in reversed(range(x.shape[2])):
        step = gru_cell_backward(dc[:, :, t] + dc_prev, cell_caches[t])
        dx[:, :, t], dc_prev = step.pop("dxt"), step.pop("dc_prev")
        grads = step if grads is None else {k: grads[k] + step[k] for k in grads}
    return {"dx": dx, "dc0": dc_prev, **grads}


# ---------------------------------------------------------------------------------------------- training helpers

def _check_gradients(gradients):
    if not isinstance(gradients, dict) or not gradients:
        raise ValueError(f"gradients is {type(gradients).__name__}, expected a non-empty dict of arrays")
    return {k: as_array(k, v) for k, v in gradients.items()}


def clip(gradients, max_value):
    """Clip every gradient to [-max_value, max_value], entry by entry.  Returns a new dict."""
    if not max_value > 0:
        raise ValueError(f"max_value is {max_value!r}, expected a positive number")
    return {k: np.clip(v, -max_value, max_value) for k, v in _check_gradients(gradients).items()}


def clip_by_norm(gradients, max_norm, eps=1e-6):
    """Rescale all gradients together when their global L2 norm exceeds max_norm.

    global_norm = sqrt(sum of every squared entry of every array); each array is
    multiplied by min(1, max_norm / (global_norm + eps)), as
    torch.nn.utils.clip_grad_norm_ does.  Returns (a new dict, global_norm).
    """
    if not max_norm > 0:
        raise ValueError(f"max_norm is {max_norm!r}, expected a positive number")
    gradients = _check_gradients(gradients)
    global_norm = float(np.sqrt(sum(np.sum(v * v) for v in gradients.values())))
    scale = min(1.0, max_norm / (global_norm + eps))
    return {k: v * scale for k, v in gradients.items()}, global_norm


def _draw(rng, z, temperature):
    """An index drawn from softmax(z / temperature), z: (n_y, 1) logits of any dtype."""
    p = softmax(np.asarray(z, np.float64).ravel() / temperature)
    return int(rng.choice(p.size, p=p / p.sum()))


def _check_sampling(char_to_ix, temperature, max_length):
    """The arguments every sampler shares (NumPy, torch and CharLM's generate)."""
    if "\n" not in char_to_ix:
        raise ValueError("char_to_ix has no '\\n', the end-of-name character that stops sampling")
    if not temperature > 0:
        raise ValueError(f"temperature is {temperature!r}, expected a positive number")
    if int(max_length) < 1:
        raise ValueError(f"max_length is {max_length!r}, expected at least 1")


def _check_sample(parameters, char_to_ix, temperature, max_length):
    dims = {}
    p = _rnn_parameters(parameters, dims)
    if dims["n_x"] != dims["n_y"]:
        raise ValueError(f"Wax has shape {p['Wax'].shape} and Wya {p['Wya'].shape}: sampling feeds each "
                         f"output back as the next input, so n_x = n_y is expected")
    _check_sampling(char_to_ix, temperature, max_length)
    return p, dims


def sample(parameters, char_to_ix, seed=0, temperature=1.0, max_length=50):
    """Sample a sequence of indices from the RNN language model (parameters of :func:`rnn_cell_forward`).

    x<1> = 0 and a<0> = 0; at each step the next index is DRAWN from
    softmax((Wya a<t> + by) / temperature) with np.random.default_rng(seed)
    (not the argmax: that would give the same string every time), and its
    one-hot vector is x<t+1>.  Low temperatures sharpen the distribution
    towards the argmax, high ones flatten it.  Stops after char_to_ix["\\n"]
    (included) or after max_length indices, then appends the newline's index.
    Returns a list of ints.
    """
    p, dims = _check_sample(parameters, char_to_ix, temperature, max_length)
    rng, newline = np.random.default_rng(seed), char_to_ix["\n"]
    x, a = np.zeros((dims["n_x"], 1), p["Wax"].dtype), np.zeros((dims["n_a"], 1), p["Wax"].dtype)
    indices = []
    while len(indices) < int(max_length):
        a = np.tanh(p["Waa"] @ a + p["Wax"] @ x + p["ba"])
        idx = _draw(rng, p["Wya"] @ a + p["by"], temperature)
        indices.append(idx)
        if idx == newline:
            return indices
        x = np.zeros_like(x)
        x[idx] = 1
    return indices + [newline]


def sequence_loss(y_pred, Y):
    """The language model's loss: -sum over examples i and steps t of log y_pred[Y[i, t], i, t].

    y_pred: (n_y, m, T) probabilities, Y: (m, T) integer indices in [0, n_y).  Returns a float.
    """
    y_pred = as_array("y_pred", y_pred)
    dims = check_shape("y_pred", y_pred, ("n_y", "m", "T"))
    Y = np.asarray(Y)
    check_shape("Y", Y, ("m", "T"), dims)
    if Y.dtype.kind not in "iu" or Y.size and (Y.min() < 0 or Y.max() >= dims["n_y"]):
        raise ValueError(f"Y must hold integer indices in [0, {dims['n_y']}), got dtype {Y.dtype}")
    m, T = Y.shape
    picked = y_pred[Y, np.arange(m)[:, None], np.arange(T)[None, :]]   # (m, T)
    return float(-np.sum(np.log(picked)))


def bidirectional_forward(x, a0_forward, a0_backward, params_forward, params_backward, forward=rnn_forward):
    """A bidirectional RNN: one network reads x forwards, the other backwards.

    ``forward`` is rnn_forward, gru_forward or lstm_forward (their hidden
    states are the first item they return, their caches the last).  The
    backward network runs on x reversed in time and its states are reversed
    back, so a[:, :, t] holds [a_forward<t>; a_backward<t>].
    x: (n_x, m, T_x).  Returns (a (2 n_a, m, T_x), caches = (forward caches, backward caches)).
    """
    x = as_array("x", x)
    check_shape("x", x, (None, None, None))
    out_f = forward(x, a0_forward, params_forward)
    out_b = forward(x[:, :, ::-1], a0_backward, params_backward)
    return np.concatenate([out_f[0], out_b[0][:, :, ::-1]]), (out_f[-1], out_b[-1])
