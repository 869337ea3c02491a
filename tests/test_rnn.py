"""Chapter 13: the RNN, LSTM and GRU cells, backpropagation through time, clipping, sampling, CharLM.

Oracles: a hand-worked RNN step; plain per-example, per-step loops written
from the equations; torch.nn.LSTM and torch.nn.GRU with our weights copied
across (gate order i, f, g, o; GRU update gate z = 1 - Γu; the GRUs coincide
only where the relevance gate is 1, see the module docstring of
dlkit.numpy.rnn); torch autograd through the torch twins and through
nn.LSTM; torch.nn.utils.clip_grad_norm_.  Gradient checks are in
test_gradients.py, forward parity in test_parity.py.
"""

import numpy as np
import pytest

from dlkit.numpy import rnn
from dlkit.testing import rel_error
from helpers import rnn_parameters

KINDS = ("rnn", "lstm", "gru", "gru_simplified")


def _torch():
    return pytest.importorskip("torch", reason="the torch extra is not installed")


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


def _forward(kind):
    return getattr(rnn, f"{kind.split('_')[0]}_forward")


# ---------------------------------------------------------------------------------------------- forward

def test_rnn_cell_forward_by_hand():
    """n_a = n_x = 1: a = tanh(1 * 0 + 2 * 0.5 + 0) = tanh(1); y = softmax([a, -a])."""
    params = {"Wax": np.array([[2.0]]), "Waa": np.array([[1.0]]), "Wya": np.array([[1.0], [-1.0]]),
              "ba": np.zeros((1, 1)), "by": np.zeros((2, 1))}
    a_next, yt_pred, cache = rnn.rnn_cell_forward(np.array([[0.5]]), np.zeros((1, 1)), params)
    assert a_next[0, 0] == pytest.approx(0.7615941559557649, abs=1e-15)
    assert yt_pred[:, 0] == pytest.approx([1 / (1 + np.exp(-2 * np.tanh(1))), 1 / (1 + np.exp(2 * np.tanh(1)))],
                                          abs=1e-15)
    assert cache[0] is a_next


def _loop_step(kind, p, x, a, c):
    """One step for ONE example (column vectors), written from the equations."""
    if kind == "rnn":
        a = np.tanh(p["Waa"] @ a + p["Wax"] @ x + p["ba"][:, 0])
        return a, a, _softmax(p["Wya"] @ a + p["by"][:, 0])
    concat = np.concatenate([a, x])
    if kind == "lstm":
        f, u, o = (_sigmoid(p[f"W{g}"] @ concat + p[f"b{g}"][:, 0]) for g in "fio")
        c = f * c + u * np.tanh(p["Wc"] @ concat + p["bc"][:, 0])
        a = o * np.tanh(c)
        return a, c, _softmax(p["Wy"] @ a + p["by"][:, 0])
    u = _sigmoid(p["Wu"] @ concat + p["bu"][:, 0])
    r = _sigmoid(p["Wr"] @ concat + p["br"][:, 0]) if "Wr" in p else 1.0
    c = u * np.tanh(p["Wc"] @ np.concatenate([r * a, x]) + p["bc"][:, 0]) + (1 - u) * a
    return c, c, _softmax(p["Wy"] @ c + p["by"][:, 0])


@pytest.mark.parametrize("kind", KINDS)
def test_forward_equals_a_loop_over_examples_and_steps(kind, rng):
    p = rnn_parameters(rng, kind)
    x, a0 = rng.standard_normal((3, 5, 6)), rng.standard_normal((4, 5))
    out = _forward(kind)(x, a0, p)
    a, y_pred = out[0], out[1]
    for i in range(5):
        a_i, c_i = a0[:, i], np.zeros(4)
        for t in range(6):
            a_i, c_i, y = _loop_step(kind, p, x[:, i, t], a_i, c_i)
            assert rel_error(a[:, i, t], a_i) < 1e-12
            assert rel_error(y_pred[:, i, t], y) < 1e-12
            if kind == "lstm":
                assert rel_error(out[2][:, i, t], c_i) < 1e-12


@pytest.mark.parametrize("kind", KINDS)
def test_sequence_forward_equals_its_cells(kind, rng):
    p = rnn_parameters(rng, kind)
    x, a0 = rng.standard_normal((3, 5, 4)), rng.standard_normal((4, 5))
    out = _forward(kind)(x, a0, p)
    cell = getattr(rnn, f"{kind.split('_')[0]}_cell_forward")
    a, c = a0, np.zeros((4, 5))
    for t in range(4):
        step = cell(x[:, :, t], a, c, p) if kind == "lstm" else cell(x[:, :, t], a, p)
        a = step[0]
        c = step[1] if kind == "lstm" else c
        assert rel_error(out[0][:, :, t], a) < 1e-13
        assert rel_error(out[1][:, :, t], step[-2]) < 1e-13


def test_simplified_gru_is_the_full_gru_with_a_relevance_gate_of_one(rng):
    """No Wr, br means Γr = 1; the full GRU with Wr = 0 and br = 1000 has σ(1000) = 1.0 exactly in float64."""
    p = rnn_parameters(rng, "gru_simplified")
    x, c0 = rng.standard_normal((3, 5, 6)), rng.standard_normal((4, 5))
    full = {**p, "Wr": np.zeros((4, 7)), "br": np.full((4, 1), 1000.0)}
    simple_out, full_out = rnn.gru_forward(x, c0, p), rnn.gru_forward(x, c0, full)
    assert np.array_equal(simple_out[0], full_out[0])
    d = rng.standard_normal((4, 5, 6))
    g_simple, g_full = rnn.gru_backward(d, simple_out[2]), rnn.gru_backward(d, full_out[2])
    assert set(g_full) - set(g_simple) == {"dWr", "dbr"}
    for k in g_simple:
        assert rel_error(g_simple[k], g_full[k]) < 1e-14, k
    assert np.all(g_full["dWr"] == 0)                          # σ'(1000) = 0: the gate does not learn there


def test_the_input_dtype_is_kept(rng):
    p = {k: v.astype(np.float32) for k, v in rnn_parameters(rng, "lstm").items()}
    x, a0 = rng.standard_normal((3, 5, 6)).astype(np.float32), np.zeros((4, 5), np.float32)
    a, y_pred, c, caches = rnn.lstm_forward(x, a0, p)
    assert a.dtype == y_pred.dtype == c.dtype == np.float32
    grads = rnn.lstm_backward(np.ones_like(a), caches)
    assert all(g.dtype == np.float32 for g in grads.values())


# ---------------------------------------------------------------------------------------------- torch oracles

def _to_torch_layout(torch, x, a0):
    """(n_x, m, T_x) -> (T_x, m, n_x) and a0 (n_a, m) -> (1, m, n_a), nn.LSTM/nn.GRU's layout."""
    return (torch.tensor(x.transpose(2, 1, 0).copy(), requires_grad=True),
            torch.tensor(a0.T[None].copy(), requires_grad=True))


def test_lstm_forward_and_backward_agree_with_nn_lstm(rng):
    """nn.LSTM stacks the gates i, f, g (our c̃), o; weight_ih holds the x columns, weight_hh the a columns."""
    torch = _torch()
    n_x, n_a, m, T = 3, 4, 5, 6
    p = rnn_parameters(rng, "lstm", n_x, n_a)
    x, a0 = rng.standard_normal((n_x, m, T)), rng.standard_normal((n_a, m))
    lstm = torch.nn.LSTM(n_x, n_a).double()
    order = ("i", "f", "c", "o")                                # PyTorch's gate order, in our names
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(torch.tensor(np.concatenate([p[f"W{g}"][:, n_a:] for g in order])))
        lstm.weight_hh_l0.copy_(torch.tensor(np.concatenate([p[f"W{g}"][:, :n_a] for g in order])))
        lstm.bias_ih_l0.copy_(torch.tensor(np.concatenate([p[f"b{g}"][:, 0] for g in order])))
        lstm.bias_hh_l0.zero_()
    xt, h0 = _to_torch_layout(torch, x, a0)
    out, _ = lstm(xt, (h0, torch.zeros_like(h0)))              # (T, m, n_a)
    a, _, _, caches = rnn.lstm_forward(x, a0, p)
    assert rel_error(a, out.detach().numpy().transpose(2, 1, 0)) < 1e-12
    da = rng.standard_normal(a.shape)
    (out * torch.tensor(da.transpose(2, 1, 0))).sum().backward()
    grads = rnn.lstm_backward(da, caches)
    assert rel_error(grads["dx"], xt.grad.numpy().transpose(2, 1, 0)) < 1e-10
    assert rel_error(grads["da0"], h0.grad[0].numpy().T) < 1e-10
    for k, g in enumerate(order):
        rows = slice(k * n_a, (k + 1) * n_a)
        dW = np.concatenate([lstm.weight_hh_l0.grad[rows].numpy(), lstm.weight_ih_l0.grad[rows].numpy()], axis=1)
        assert rel_error(grads[f"dW{g}"], dW) < 1e-10, g
        assert rel_error(grads[f"db{g}"][:, 0], lstm.bias_ih_l0.grad[rows].numpy()) < 1e-10, g


def _nn_gru(torch, p, n_x, n_a, b_hn):
    """nn.GRU from the notes' GRU parameters: r from Wr, z = 1 - Γu (weights and bias negated), n from Wc."""
    gru = torch.nn.GRU(n_x, n_a).double()
    Wr = p.get("Wr", np.zeros((n_a, n_a + n_x)))
    br = p.get("br", np.full((n_a, 1), 1000.0))                # the simplified GRU: r = σ(1000) = 1.0
    stacked = [Wr, -p["Wu"], p["Wc"]]                          # PyTorch's order r, z, n
    with torch.no_grad():
        gru.weight_ih_l0.copy_(torch.tensor(np.concatenate([W[:, n_a:] for W in stacked])))
        gru.weight_hh_l0.copy_(torch.tensor(np.concatenate([W[:, :n_a] for W in stacked])))
        gru.bias_ih_l0.copy_(torch.tensor(np.concatenate([br[:, 0], -p["bu"][:, 0], p["bc"][:, 0]])))
        gru.bias_hh_l0.copy_(torch.tensor(np.concatenate([np.zeros(2 * n_a), b_hn])))
    return gru


def test_simplified_gru_agrees_with_nn_gru(rng):
    """With r = 1 (and b_hn = 0) PyTorch's candidate tanh(W_in x + b_in + r * (W_hn h + b_hn)) is the notes' c̃."""
    torch = _torch()
    n_x, n_a, m, T = 3, 4, 5, 6
    p = rnn_parameters(rng, "gru_simplified", n_x, n_a)
    x, c0 = rng.standard_normal((n_x, m, T)), rng.standard_normal((n_a, m))
    xt, h0 = _to_torch_layout(torch, x, c0)
    out, _ = _nn_gru(torch, p, n_x, n_a, np.zeros(n_a))(xt, h0)
    assert rel_error(rnn.gru_forward(x, c0, p)[0], out.detach().numpy().transpose(2, 1, 0)) < 1e-12


def test_full_gru_differs_from_nn_gru_where_the_reset_gate_acts(rng):
    """The notes reset c<t-1> before Wc's product, PyTorch resets (W_hn h + b_hn) after it: different functions.

    Each is checked against its own definition: the notes' GRU in
    test_forward_equals_a_loop_over_examples_and_steps, nn.GRU here against
    PyTorch's documented equations; with the same weights the two differ.
    """
    torch = _torch()
    n_x, n_a, m = 3, 4, 5
    p = rnn_parameters(rng, "gru", n_x, n_a)
    x, c0 = rng.standard_normal((n_x, m, 1)), rng.standard_normal((n_a, m))
    b_hn = rng.standard_normal(n_a)
    xt, h0 = _to_torch_layout(torch, x, c0)
    out, _ = _nn_gru(torch, p, n_x, n_a, b_hn)(xt, h0)
    h = out.detach().numpy()[0].T                               # (n_a, m)
    concat = np.concatenate([c0, x[:, :, 0]])
    r = _sigmoid(p["Wr"] @ concat + p["br"])
    z = _sigmoid(-p["Wu"] @ concat - p["bu"])
    n = np.tanh(p["Wc"][:, n_a:] @ x[:, :, 0] + p["bc"] + r * (p["Wc"][:, :n_a] @ c0 + b_hn[:, None]))
    assert rel_error(h, (1 - z) * n + z * c0) < 1e-12          # PyTorch's own definition
    ours = rnn.gru_forward(x, c0, p)[0][:, :, 0]
    assert np.max(np.abs(ours - h)) > 1e-3                     # not the notes' GRU


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("cell", [True, False], ids=["cell", "sequence"])
def test_backward_agrees_with_autograd_through_the_twin(kind, cell, rng):
    torch = _torch()
    from dlkit.torch import rnn as trnn
    name = kind.split("_")[0]
    p = rnn_parameters(rng, kind)
    states = 2 if name == "lstm" and cell else 1
    inputs = [rng.standard_normal((3, 5) if cell else (3, 5, 6))] + [rng.standard_normal((4, 5)) for _ in range(states)]
    suffix = "cell_" if cell else ""
    out = getattr(rnn, f"{name}_{suffix}forward")(*inputs, p)
    d = [rng.standard_normal((4, 5) if cell else (4, 5, 6)) for _ in range(states)]
    expected = getattr(rnn, f"{name}_{suffix}backward")(*d, out[-1])
    t_inputs = [torch.tensor(v, requires_grad=True) for v in inputs]
    t_params = {k: torch.tensor(v, requires_grad=True) for k, v in p.items()}
    t_out = getattr(trnn, f"{name}_{suffix}forward")(*t_inputs, t_params)
    sum((o * torch.tensor(g)).sum() for o, g in zip(t_out[:states], d)).backward()
    got = [t.grad for t in t_inputs] + [t_params[k[1:]].grad for k in list(expected)[1 + states:]]
    assert list(expected)[1 + states:] == ["d" + k for k in p if k not in ("Wy", "Wya", "by")]
    for k, g in zip(expected, got):
        assert rel_error(expected[k], g) < 1e-10, k


# ---------------------------------------------------------------------------------------------- clipping, loss

def test_clip_by_value_returns_a_new_dict(rng):
    grads = {"dWax": 4 * rng.standard_normal((3, 4)), "dba": 4 * rng.standard_normal((3, 1))}
    before = {k: v.copy() for k, v in grads.items()}
    clipped = rnn.clip(grads, 2.0)
    for k in grads:
        assert np.array_equal(clipped[k], np.minimum(2.0, np.maximum(-2.0, before[k])))
        assert np.array_equal(grads[k], before[k])
    assert np.max(np.abs(before["dWax"])) > 2.0


@pytest.mark.parametrize("max_norm", [0.5, 100.0], ids=["clips", "leaves"])
def test_clip_by_norm_agrees_with_clip_grad_norm(max_norm, rng):
    torch = _torch()
    grads = {"dWax": rng.standard_normal((3, 4)), "dba": rng.standard_normal((3, 1))}
    clipped, norm = rnn.clip_by_norm(grads, max_norm)
    tensors = [torch.nn.Parameter(torch.zeros(v.shape, dtype=torch.float64)) for v in grads.values()]
    for t, v in zip(tensors, grads.values()):
        t.grad = torch.tensor(v)
    total = torch.nn.utils.clip_grad_norm_(tensors, max_norm)
    assert norm == pytest.approx(float(total), rel=1e-14)
    for t, k in zip(tensors, grads):
        assert rel_error(clipped[k], t.grad) < 1e-14


def test_sequence_loss_is_the_summed_negative_log_likelihood(rng):
    y_pred = rng.random((4, 3, 5)) + 0.1
    y_pred /= y_pred.sum(axis=0)
    Y = rng.integers(4, size=(3, 5))
    expected = -sum(np.log(y_pred[Y[i, t], i, t]) for i in range(3) for t in range(5))
    assert rnn.sequence_loss(y_pred, Y) == pytest.approx(expected, rel=1e-14)
    with pytest.raises(ValueError, match=r"Y has shape \(5, 3\), expected \(m, T\) = \(3, 5\)"):
        rnn.sequence_loss(y_pred, Y.T)


def test_bidirectional_stacks_the_forward_and_the_time_reversed_states(rng):
    pf, pb = rnn_parameters(rng, "lstm"), rnn_parameters(rng, "lstm", n_a=2)
    x, a0f, a0b = rng.standard_normal((3, 5, 6)), rng.standard_normal((4, 5)), rng.standard_normal((2, 5))
    a, _ = rnn.bidirectional_forward(x, a0f, a0b, pf, pb, forward=rnn.lstm_forward)
    assert a.shape == (6, 5, 6)
    assert np.array_equal(a[:4], rnn.lstm_forward(x, a0f, pf)[0])
    # the backward network's state at t has read x<T_x>, ..., x<t>
    for t in range(6):
        assert rel_error(a[4:, :, t], rnn.lstm_forward(x[:, :, t:][:, :, ::-1], a0b, pb)[0][:, :, -1]) < 1e-14


# ---------------------------------------------------------------------------------------------- sampling

def _char_params(by, n_a=4):
    """An RNN whose every step predicts softmax(by): Wya = 0."""
    n = len(by)
    return {"Wax": np.ones((n_a, n)), "Waa": np.eye(n_a), "Wya": np.zeros((n, n_a)),
            "ba": np.zeros((n_a, 1)), "by": np.array(by, dtype=float)[:, None]}


CHARS = {"\n": 0, **{c: i for i, c in enumerate("abcde", start=1)}}


def test_sample_draws_and_is_reproducible():
    """A flat softmax: argmax would give one string for every seed, drawing gives different ones."""
    params = _char_params([-1.0, 0, 0, 0, 0, 0])
    samples = [tuple(rnn.sample(params, CHARS, seed=s)) for s in range(5)]
    assert len(set(samples)) == 5
    assert rnn.sample(params, CHARS, seed=3) == list(samples[3])
    assert all(s[-1] == 0 and 0 not in s[:-1] for s in samples)


def test_sample_stops_at_max_length_and_appends_the_newline():
    params = _char_params([-50.0, 0, 0, 0, 0, 0])              # the newline is (almost) never drawn
    indices = rnn.sample(params, CHARS, seed=1, max_length=7)
    assert len(indices) == 8 and indices[-1] == 0 and 0 not in indices[:-1]


def test_low_temperature_approaches_the_argmax():
    params = _char_params([-5.0, 0.0, 0.5, 0.0, 0.2, 0.0])     # argmax "b"
    cold = rnn.sample(params, CHARS, seed=2, temperature=0.01, max_length=20)
    warm = rnn.sample(params, CHARS, seed=2, temperature=1.0, max_length=20)
    assert cold == [2] * 20 + [0]
    assert len(set(warm[:-1])) > 2


def test_sample_stops_after_a_drawn_newline():
    params = _char_params([50.0, 0, 0, 0, 0, 0])
    assert rnn.sample(params, CHARS, seed=0) == [0]


# ---------------------------------------------------------------------------------------------- bad input

def test_a_sequence_whose_feature_size_does_not_match_the_weights(rng):
    p = rnn_parameters(rng, "rnn")
    with pytest.raises(ValueError, match=r"x has shape \(5, 2, 3\), expected \(n_x, m, T_x\) = \(3, m, T_x\)"):
        rnn.rnn_forward(np.zeros((5, 2, 3)), np.zeros((4, 2)), p)
    with pytest.raises(ValueError, match=r"x has shape \(5, 2, 3\), expected \(n_x, m, T_x\) = \(3, m, T_x\)"):
        rnn.lstm_forward(np.zeros((5, 2, 3)), np.zeros((4, 2)), rnn_parameters(rng, "lstm"))
    with pytest.raises(ValueError, match=r"xt has shape \(2, 2\), expected \(n_x, m\) = \(3, m\)"):
        rnn.gru_cell_forward(np.zeros((2, 2)), np.zeros((4, 2)), rnn_parameters(rng, "gru"))


def test_a_hidden_state_of_the_wrong_batch_or_size(rng):
    with pytest.raises(ValueError, match=r"a0 has shape \(4, 3\), expected \(n_a, m\) = \(4, 2\)"):
        rnn.rnn_forward(np.zeros((3, 2, 5)), np.zeros((4, 3)), rnn_parameters(rng, "rnn"))
    with pytest.raises(ValueError, match=r"c_prev has shape \(5, 2\), expected \(n_a, m\) = \(4, 2\)"):
        rnn.lstm_cell_forward(np.zeros((3, 2)), np.zeros((4, 2)), np.zeros((5, 2)), rnn_parameters(rng, "lstm"))
    with pytest.raises(ValueError, match=r"da has shape \(4, 2, 4\), expected \(4, 2, 5\)"):
        rnn.rnn_backward(np.zeros((4, 2, 4)), rnn.rnn_forward(np.zeros((3, 2, 5)), np.zeros((4, 2)),
                                                              rnn_parameters(rng, "rnn"))[-1])


def test_parameters_of_inconsistent_shapes(rng):
    p = rnn_parameters(rng, "rnn")
    with pytest.raises(ValueError, match=r"Waa has shape \(4, 5\), expected \(n_a, n_a\) = \(4, 4\)"):
        rnn.rnn_forward(np.zeros((3, 2, 5)), np.zeros((4, 2)), {**p, "Waa": np.zeros((4, 5))})
    with pytest.raises(ValueError, match=r"Wi has shape \(4, 8\), expected \(n_a, n_a\+n_x\) = \(4, 7\)"):
        rnn.lstm_forward(np.zeros((3, 2, 5)), np.zeros((4, 2)), {**rnn_parameters(rng, "lstm"), "Wi": np.zeros((4, 8))})
    with pytest.raises(ValueError, match=r"missing \['Wo', 'bo'\]"):
        rnn.lstm_forward(np.zeros((3, 2, 5)), np.zeros((4, 2)),
                         {k: v for k, v in rnn_parameters(rng, "lstm").items() if k not in ("Wo", "bo")})
    with pytest.raises(ValueError, match="temperature"):
        rnn.sample(_char_params([0.0] * 6), CHARS, temperature=0)


def test_the_torch_twins_check_shapes_too(rng):
    _torch()
    from dlkit.torch import rnn as trnn
    with pytest.raises(ValueError, match=r"x has shape \(5, 2, 3\), expected \(n_x, m, T_x\) = \(3, m, T_x\)"):
        trnn.lstm_forward(np.zeros((5, 2, 3)), np.zeros((4, 2)), rnn_parameters(rng, "lstm"))
    with pytest.raises(ValueError, match=r"a_prev has shape \(4, 3\), expected \(n_a, m\) = \(4, 2\)"):
        trnn.rnn_cell_forward(np.zeros((3, 2)), np.zeros((4, 3)), rnn_parameters(rng, "rnn"))


# ---------------------------------------------------------------------------------------------- CharLM

@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_charlm_maps_indices_to_logits(cell):
    torch = _torch()
    from dlkit.torch.models import CharLM
    torch.manual_seed(0)
    model = CharLM(6, hidden_size=8, cell=cell, num_layers=2)
    X = torch.tensor([[-1, 1, 2, 3], [-1, 4, 5, 0]])
    logits = model(X)
    assert logits.shape == (2, 4, 6)
    # causal: changing a later character leaves the earlier logits alone
    X2 = X.clone()
    X2[0, 3] = 5
    assert torch.equal(model(X2)[:, :3], logits[:, :3])
    assert not torch.equal(model(X2)[0, 3], logits[0, 3])


def test_charlm_rejects_bad_input():
    torch = _torch()
    from dlkit.torch.models import CharLM
    with pytest.raises(ValueError, match="cell is 'transformer'"):
        CharLM(6, cell="transformer")
    with pytest.raises(ValueError, match=r"X must hold integer indices in \[-1, 6\)"):
        CharLM(6)(torch.tensor([[0, 6]]))


def test_generate_draws_and_is_reproducible():
    torch = _torch()
    from dlkit.torch.models import CharLM, generate
    model = CharLM(6, hidden_size=8)
    with torch.no_grad():                                      # a flat softmax except a rare newline
        model.head.weight.zero_()
        model.head.bias.copy_(torch.tensor([-2.0, 0, 0, 0, 0, 0]))
    ix_to_char = {i: c for c, i in CHARS.items()}
    names = [generate(model, CHARS, ix_to_char, seed=s, max_length=10) for s in range(5)]
    assert len(set(names)) == 5 and all(len(n) <= 10 and "\n" not in n for n in names)
    assert generate(model, CHARS, ix_to_char, seed=3, max_length=10) == names[3]
    with torch.no_grad():
        model.head.bias.copy_(torch.tensor([-20.0, 0, 3.0, 0, 0, 0]))
    assert generate(model, CHARS, ix_to_char, seed=1, temperature=0.01, max_length=6) == "bbbbbb"
