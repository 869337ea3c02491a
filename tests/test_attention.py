"""Chapter 15: additive attention and the date translator of dlkit.torch.models, with dlkit.decoding on top.

Oracles: the attention formula written out position by position; finite
differences (torch.autograd.gradcheck in float64) for the gradients of the
attention and of a tiny translator with respect to every parameter;
softmax of decode_step's logits for the step function; greedy_search and
beam_search(beam_width=1) of dlkit.decoding for translate.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the torch extra is not installed")

from dlkit.data import load_dates  # noqa: E402
from dlkit.decoding import beam_search, greedy_search  # noqa: E402
from dlkit.torch.models import AdditiveAttention, DateTranslator, train_translator, translate  # noqa: E402
from torch.func import functional_call  # noqa: E402

# a tiny translator: 5 input symbols (0 = padding), 3 output symbols (bos = 3)
TINY = {"n_x": 5, "n_y": 3, "n_a": 2, "n_s": 3, "n_e": 2, "embed": 2}
X_TINY = [[1, 2, 3, 4], [4, 2, 0, 0]]                     # m = 2, T_x = 4; row 1 padded
Y_TINY = [[0, 2, 1], [1, 1, 0]]


def _tiny(seed=0):
    torch.manual_seed(seed)
    return DateTranslator(**TINY).double()


def _attention_inputs():
    g = torch.Generator().manual_seed(0)
    a = torch.randn(3, 7, 6, generator=g, dtype=torch.float64)           # m = 3, T_x = 7, n_a = 6
    s_prev = torch.randn(3, 5, generator=g, dtype=torch.float64)         # n_s = 5
    mask = torch.ones(3, 7, dtype=torch.bool)
    mask[1, 4:] = False
    mask[2, 1:] = False                                   # one valid position: all the weight on it
    return a, s_prev, mask


# ---------------------------------------------------------------------------------------------- attention

def test_attention_follows_the_formula_and_its_weights_sum_to_one():
    torch.manual_seed(0)
    attention = AdditiveAttention(6, 5, n_e=4).double()
    a, s_prev, mask = _attention_inputs()
    context, alphas = attention(a, s_prev, mask)
    assert context.shape == (3, 6) and alphas.shape == (3, 7)
    W_a, W_s, b, v = attention.W_a.weight, attention.W_s.weight, attention.W_s.bias, attention.v.weight[0]
    for i in range(3):
        e = torch.stack([v @ torch.tanh(W_a @ a[i, t] + W_s @ s_prev[i] + b) for t in range(7)])
        e[~mask[i]] = -torch.inf
        alpha = torch.exp(e - e.max()) / torch.exp(e - e.max()).sum()
        torch.testing.assert_close(alphas[i], alpha, rtol=1e-12, atol=1e-14)
        torch.testing.assert_close(context[i], sum(alpha[t] * a[i, t] for t in range(7)), rtol=1e-12, atol=1e-14)
    torch.testing.assert_close(alphas.sum(dim=1), torch.ones(3, dtype=torch.float64), rtol=0, atol=1e-12)
    assert torch.all(alphas[~mask] == 0) and torch.all(alphas[mask] > 0)
    assert alphas[2, 0] == 1 and torch.equal(context[2], a[2, 0])
    # without a mask every position gets some weight
    _, alphas = attention(a, s_prev)
    assert torch.all(alphas > 0)
    torch.testing.assert_close(alphas.sum(dim=1), torch.ones(3, dtype=torch.float64), rtol=0, atol=1e-12)


def test_attention_gradients_agree_with_finite_differences():
    torch.manual_seed(0)
    attention = AdditiveAttention(2, 3, n_e=2).double()
    a = torch.randn(2, 4, 2, dtype=torch.float64, requires_grad=True)        # m = 2, T_x = 4, n_a = 2
    s_prev = torch.randn(2, 3, dtype=torch.float64, requires_grad=True)      # n_s = 3
    mask = torch.tensor([[True, True, True, True], [True, True, False, False]])
    names = [name for name, _ in attention.named_parameters()]
    params = [p.detach().clone().requires_grad_(True) for p in attention.parameters()]

    def f(a, s_prev, *params):
        return functional_call(attention, dict(zip(names, params)), (a, s_prev, mask))

    assert torch.autograd.gradcheck(f, (a, s_prev, *params), eps=1e-6, atol=1e-8, rtol=1e-6)


def test_attention_rejects_bad_shapes_and_masks():
    attention = AdditiveAttention(2, 3)
    a, s_prev = torch.zeros(2, 4, 2), torch.zeros(2, 3)
    with pytest.raises(ValueError, match=r"a has shape \(2, 4, 5\), expected \(m, T_x, 2\)"):
        attention(torch.zeros(2, 4, 5), s_prev)
    with pytest.raises(ValueError, match=r"s_prev has shape \(3, 3\), expected \(m, 3\) = \(2, 3\)"):
        attention(a, torch.zeros(3, 3))
    with pytest.raises(ValueError, match=r"mask has shape \(2, 5\), expected \(m, T_x\) = \(2, 4\)"):
        attention(a, s_prev, torch.ones(2, 5, dtype=torch.bool))
    with pytest.raises(ValueError, match="mask must be bool .* got dtype torch.int64"):
        attention(a, s_prev, torch.ones(2, 4, dtype=torch.long))
    with pytest.raises(ValueError, match="1 rows without one"):
        attention(a, s_prev, torch.tensor([[True, False, False, False], [False] * 4]))
    with pytest.raises(ValueError, match="n_e is 0"):
        AdditiveAttention(2, 3, n_e=0)


# ---------------------------------------------------------------------------------------------- the translator

def test_translator_shapes_and_attention_over_real_characters_only():
    torch.manual_seed(0)
    model = DateTranslator()
    data = load_dates(m=4)
    a, mask, (s0, c0) = model.encode(data.X)
    assert a.shape == (4, 30, 64) and mask.shape == (4, 30) and s0.shape == c0.shape == (4, 64)
    assert torch.equal(mask, torch.as_tensor(data.X != 0)) and torch.all(a[~mask] == 0)
    assert torch.all(s0 == 0) and torch.all(c0 == 0)
    logits, new_state, alphas = model.decode_step(torch.full((4,), 11), (s0, c0), a, mask)
    assert logits.shape == (4, 11) and new_state[0].shape == (4, 64) and alphas.shape == (4, 30)
    logits, alphas = model(data.X, data.Y)
    assert logits.shape == (4, 10, 11) and alphas.shape == (4, 10, 30)
    torch.testing.assert_close(alphas.sum(dim=2), torch.ones(4, 10), rtol=0, atol=1e-6)
    assert torch.all(alphas[~mask.unsqueeze(1).expand(-1, 10, -1)] == 0)
    assert model(data.X)[0].shape == (4, 10, 11)


def test_padding_does_not_change_the_translation():
    # the encoder runs on each row's own length (packed), and the mask hides the rest
    torch.manual_seed(0)
    model = DateTranslator()
    short, long = load_dates(m=5, T_x=30), load_dates(m=5, T_x=40)
    logits_short, alphas_short = model(short.X, short.Y)
    logits_long, alphas_long = model(long.X, long.Y)
    torch.testing.assert_close(logits_long, logits_short, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(alphas_long[:, :, :30], alphas_short, rtol=1e-5, atol=1e-6)
    assert torch.all(alphas_long[:, :, 30:] == 0)


def test_translator_gradients_agree_with_finite_differences():
    model = _tiny()
    X, Y = torch.tensor(X_TINY), torch.tensor(Y_TINY)
    names = [name for name, _ in model.named_parameters()]
    params = [p.detach().clone().requires_grad_(True) for p in model.parameters()]

    def f(*params):
        return functional_call(model, dict(zip(names, params)), (X, Y))    # (logits, alphas)

    assert sum(p.numel() for p in params) > 100
    assert torch.autograd.gradcheck(f, params, eps=1e-6, atol=1e-8, rtol=1e-6)


def test_teacher_forcing_feeds_the_previous_target_and_free_running_its_own_argmax():
    torch.manual_seed(0)
    model = DateTranslator()
    data = load_dates(m=6)
    X, Y = torch.as_tensor(data.X), torch.as_tensor(data.Y)
    logits, _ = model(X, Y)
    changed = Y.clone()
    changed[:, 3] = (changed[:, 3] + 1) % 11
    logits_changed, _ = model(X, changed)
    assert torch.equal(logits_changed[:, :4], logits[:, :4])                 # steps 0-3 do not see Y[:, 3]
    assert (logits_changed[:, 4:] - logits[:, 4:]).abs().amax(dim=(1, 2)).min() > 1e-4   # every row's later steps do
    last = Y.clone()
    last[:, -1] = (last[:, -1] + 1) % 11                                     # the last target is never fed
    assert torch.equal(model(X, last)[0], logits)
    # free running = teacher forcing with the model's own greedy output
    free, free_alphas = model(X)
    forced, forced_alphas = model(X, free.argmax(dim=2))
    assert torch.equal(free, forced) and torch.equal(free_alphas, forced_alphas)


def test_translator_rejects_bad_input():
    model = DateTranslator()
    X = load_dates(m=2).X
    with pytest.raises(ValueError, match=r"X has shape \(30,\), expected \(m, T_x\)"):
        model(X[0])
    with pytest.raises(ValueError, match=r"Y has shape \(3, 10\), expected \(2, T_y\)"):
        model(X, np.zeros((3, 10), dtype=np.int64))
    with pytest.raises(ValueError, match=r"Y must hold integer indices in \[0, 11\), got dtype torch.int64 "
                                         r"and values in \[11, 11\]"):
        model(X, np.full((2, 10), 11))
    with pytest.raises(ValueError, match=r"X must hold integer indices in \[0, 69\), got dtype torch.float64"):
        model(X.astype(np.float64))
    with pytest.raises(ValueError, match="X must be right-padded"):
        model(np.roll(X, 1, axis=1))
    with pytest.raises(ValueError, match=r"prev_tokens has shape \(1,\), expected \(m,\) = \(2,\)"):
        a, mask, state = model.encode(X)
        model.decode_step(torch.tensor([11]), state, a, mask)
    with pytest.raises(ValueError, match=r"X_one has shape \(1, 30\), expected \(T_x,\)"):
        model.step_function(X[:1])
    with pytest.raises(ValueError, match="beam_width is 0"):
        translate(model, X, beam_width=0)
    with pytest.raises(ValueError, match="alpha is -1"):
        translate(model, X, alpha=-1)
    with pytest.raises(ValueError, match="n_a is 0"):
        DateTranslator(n_a=0)


# ---------------------------------------------------------------------------------------------- decoding

def test_step_function_gives_the_softmax_of_decode_step():
    torch.manual_seed(0)
    model = DateTranslator()
    x = load_dates(m=1).X[0]
    step, state = model.step_function(x)
    probs, states = step(np.array([11]), [state])
    assert isinstance(probs, np.ndarray) and probs.dtype == np.float64 and probs.shape == (1, 11)
    np.testing.assert_allclose(probs.sum(axis=1), 1, rtol=0, atol=1e-12)
    a, mask, (s0, c0) = model.encode(x[None])
    with torch.no_grad():
        logits, (s1, c1), _ = model.decode_step(torch.tensor([11]), (s0, c0), a, mask)
        # two hypotheses batched: each row is its own hypothesis' step
        probs2, states2 = step(np.array([4, 7]), [states[0], state])
        expected2 = model.decode_step(torch.tensor([4, 7]), (torch.stack([s1[0], s0[0]]),
                                                             torch.stack([c1[0], c0[0]])),
                                      a.expand(2, -1, -1), mask.expand(2, -1))[0]
    np.testing.assert_allclose(probs[0], torch.softmax(logits[0].double(), dim=0).numpy(), rtol=1e-6, atol=1e-7)
    torch.testing.assert_close(states[0][0], s1[0])
    np.testing.assert_allclose(probs2, torch.softmax(expected2.double(), dim=1).numpy(), rtol=1e-5, atol=1e-7)
    assert len(states2) == 2


@pytest.mark.parametrize("trained", [False, True])
def test_beam_of_one_equals_greedy_translation(trained):
    torch.manual_seed(0)
    model = DateTranslator()
    if trained:
        train_translator(model, load_dates(m=1000, seed=0), epochs=1, batch_size=64, lr=2e-2, progress=False)
    X = load_dates(m=8, seed=1).X
    greedy = translate(model, X)
    assert translate(model, X, beam_width=1) == greedy and all(len(t) == 10 for t in greedy)
    for x, tokens in zip(X, greedy):
        step, state = model.step_function(x)
        best = beam_search(step, state, bos=11, beam_width=1, max_length=10)
        assert len(best) == 1 and best[0].tokens == tokens
        assert greedy_search(step, state, bos=11, max_length=10) == (tokens, pytest.approx(best[0].log_prob))
    beams = translate(model, X[:3], beam_width=3)
    assert len(beams) == 3 and all(len(t) == 10 and max(t) < 11 for t in beams)


# ---------------------------------------------------------------------------------------------- training

def test_training_learns_to_translate(capsys):
    # a short run (about 5 s of CPU); the docstring's recipe (about 20 s) reaches 97% exact matches
    torch.manual_seed(0)
    model = DateTranslator()
    losses = train_translator(model, load_dates(m=2000, seed=0), epochs=2, batch_size=64, lr=2e-2)
    assert capsys.readouterr().out.splitlines() == [f"iteration     {i}  cost {loss:.6f}"
                                                    for i, loss in enumerate(losses, 1)]
    assert len(losses) == 2 and losses[1] < 0.6 * losses[0]
    test = load_dates(m=200, seed=1)
    tokens = np.array(translate(model, test.X))                              # (200, 10)
    # per character (0.775 measured); the most frequent character of each position scores 0.476
    assert (tokens == test.Y).mean() > 0.7
    train_translator(model, load_dates(m=10, seed=0), epochs=1, progress=False)
    assert capsys.readouterr().out == ""
