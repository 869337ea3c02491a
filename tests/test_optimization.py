"""Chapter 6: mini-batches, exponentially weighted averages, and every optimizer's trajectory against torch.optim."""

import numpy as np
import pytest

from dlkit.data import load_moons
from dlkit.numpy import optimization as opt

torch = pytest.importorskip("torch", reason="the torch extra is not installed")

STEPS = 100


def _problem(rng):
    """A smooth, non-quadratic function of two parameters: f = sum(c P^2 / 2 + sin P), grad = c P + cos P."""
    params = {"W1": rng.standard_normal((3, 4)), "b1": rng.standard_normal((3, 1))}
    c = {k: 0.5 + rng.random(p.shape) for k, p in params.items()}
    return params, c


def _ours(params, c, update, state):
    """STEPS steps of ``update(params, grads, state, t) -> (params, state)``, starting from ``state``."""
    for t in range(1, STEPS + 1):
        grads = {"d" + k: c[k] * p + np.cos(p) for k, p in params.items()}
        params, state = update(params, grads, state, t)
    return params


def _torch(params, c, make_optimizer):
    tensors = {k: torch.tensor(p, requires_grad=True) for k, p in params.items()}
    optimizer = make_optimizer(list(tensors.values()))
    for _ in range(STEPS):
        optimizer.zero_grad()
        sum((torch.from_numpy(c[k]) * p * p / 2 + torch.sin(p)).sum() for k, p in tensors.items()).backward()
        optimizer.step()
    return {k: p.detach().numpy() for k, p in tensors.items()}


def _momentum(params, grads, v, t, **kw):
    return opt.update_parameters_with_momentum(params, grads, v, **kw)


CASES = {  # name: (our update, its initial state, torch's optimizer), conventions mapped in the comments
    # torch's momentum buffer is the undamped velocity: v := beta v + dW
    "momentum (undamped)": (lambda p, g, v, t: _momentum(p, g, v, t, beta=0.9, learning_rate=0.01, damped=False),
                            "velocity", lambda ps: torch.optim.SGD(ps, lr=0.01, momentum=0.9)),
    # the notes' damped form with alpha is the undamped one with alpha (1 - beta)
    "momentum (damped, the notes')": (lambda p, g, v, t: _momentum(p, g, v, t, beta=0.9, learning_rate=0.1),
                                      "velocity", lambda ps: torch.optim.SGD(ps, lr=0.1 * (1 - 0.9), momentum=0.9)),
    "Nesterov": (lambda p, g, v, t: opt.update_parameters_with_nesterov(p, g, v, beta=0.8, learning_rate=0.02),
                 "velocity", lambda ps: torch.optim.SGD(ps, lr=0.02, momentum=0.8, nesterov=True)),
    "AdaGrad": (lambda p, g, s, t: opt.update_parameters_with_adagrad(p, g, s, learning_rate=0.1),
                "velocity", lambda ps: torch.optim.Adagrad(ps, lr=0.1)),
    # torch's RMSprop: alpha is our beta, eps outside the square root as here
    "RMSProp": (lambda p, g, s, t: opt.update_parameters_with_rmsprop(p, g, s, beta=0.95, learning_rate=0.01),
                "velocity", lambda ps: torch.optim.RMSprop(ps, lr=0.01, alpha=0.95, eps=1e-8)),
    "Adam": (lambda p, g, vs, t: _adam(p, g, vs, t), "adam",
             lambda ps: torch.optim.Adam(ps, lr=0.01, betas=(0.9, 0.999), eps=1e-8)),
    "AdamW": (lambda p, g, vs, t: _adam(p, g, vs, t, weight_decay=0.1), "adam",
              lambda ps: torch.optim.AdamW(ps, lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1)),
    "Adadelta": (lambda p, g, sd, t: _adadelta(p, g, sd), "adam", lambda ps: torch.optim.Adadelta(ps, lr=1.0, rho=0.9,
                                                                                                   eps=1e-6)),
}


def _adam(params, grads, vs, t, weight_decay=0.0):
    params, v, s = opt.update_parameters_with_adam(params, grads, *vs, t, learning_rate=0.01,
                                                   weight_decay=weight_decay)
    return params, (v, s)


def _adadelta(params, grads, sd):
    params, s, delta = opt.update_parameters_with_adadelta(params, grads, *sd, rho=0.9, epsilon=1e-6)
    return params, (s, delta)


@pytest.mark.parametrize("name", sorted(CASES))
def test_trajectory_matches_torch_optim(name, rng):
    params, c = _problem(rng)
    update, state, make_optimizer = CASES[name]
    state = opt.initialize_velocity(params) if state == "velocity" else opt.initialize_adam(params)
    ours, theirs = _ours(params, c, update, state), _torch(params, c, make_optimizer)
    for k in params:
        assert not np.allclose(ours[k], params[k], atol=1e-3), f"{name}: the parameters did not move"
        np.testing.assert_allclose(ours[k], theirs[k], rtol=1e-10, atol=1e-12, err_msg=f"{name}: {k}")


def test_updates_do_not_modify_their_inputs(rng):
    params, c = _problem(rng)
    before = {k: p.copy() for k, p in params.items()}
    v, s = opt.initialize_adam(params)
    grads = {"d" + k: np.ones_like(p) for k, p in params.items()}
    opt.update_parameters_with_adam(params, grads, v, s, 1)
    assert all((params[k] == before[k]).all() for k in params) and not any(x.any() for x in v.values())


def test_exponentially_weighted_average_worked_numbers():
    """The notes' sales series at beta = 0.5; corrected, the second value is 11.333 (the notes print 11.2)."""
    sales = [10, 12, 14, 16, 18]
    np.testing.assert_allclose(opt.exponentially_weighted_average(sales, 0.5), [5, 8.5, 11.25, 13.625, 15.8125])
    np.testing.assert_allclose(opt.exponentially_weighted_average(sales, 0.5, bias_correction=True),
                               [10, 34 / 3, 90 / 7, 218 / 15, 506 / 31])
    np.testing.assert_allclose(opt.exponentially_weighted_average(sales, 0.5, bias_correction=True)[:5].round(3),
                               [10, 11.333, 12.857, 14.533, 16.323])


def test_random_mini_batches_keeps_every_example_once_and_the_last_partial_batch():
    X = np.arange(2 * 150, dtype=float).reshape(2, 150)
    Y = X[:1] * 10
    batches = opt.random_mini_batches(X, Y, mini_batch_size=64, seed=3)
    assert [b[0].shape for b in batches] == [(2, 64), (2, 64), (2, 22)]
    X_all = np.hstack([b[0] for b in batches])
    assert sorted(X_all[0]) == list(X[0]) and not (X_all == X).all()          # shuffled, nothing lost
    assert all((b[1] == b[0][:1] * 10).all() for b in batches)                 # labels follow their examples
    again = opt.random_mini_batches(X, Y, mini_batch_size=64, seed=3)
    assert all((a[0] == b[0]).all() for a, b in zip(batches, again))           # seeded
    assert len(opt.random_mini_batches(X, Y, mini_batch_size=50)) == 3         # exact division: no empty batch


def test_schedules():
    assert opt.schedule_lr_decay(0.5, 999, 1.0, 1000) == 0.5 and opt.schedule_lr_decay(0.5, 1000, 1.0, 1000) == 0.25
    assert opt.inverse_time_decay(0.2, 4, 0.25) == pytest.approx(0.1)
    assert opt.exponential_decay(1.0, 2) == pytest.approx(0.9025)
    assert opt.sqrt_decay(1.0, 4, k=0.5) == pytest.approx(0.25)


def test_adam_trains_faster_than_gradient_descent_on_moons():
    X, Y = load_moons(m=300, noise=0.2)
    finals = {}
    for name in ("gd", "momentum", "adam"):
        _, costs = opt.model(X, Y, [2, 8, 4, 1], optimizer=name, learning_rate=0.01 if name == "adam" else 0.1,
                             num_epochs=40, record_every=10)
        finals[name] = costs[-1]
    assert finals["adam"] < finals["gd"] and finals["adam"] < 0.35


@pytest.mark.parametrize("call, message", [
    (lambda p, g: opt.model(np.zeros((2, 4)), np.zeros((1, 4)), [2, 1], optimizer="adamax"), "optimizer is 'adamax'"),
    (lambda p, g: opt.update_parameters_with_momentum(p, g, opt.initialize_velocity(p), beta=1.0),
     r"beta is 1.0, expected a number in \[0, 1\)"),
    (lambda p, g: opt.random_mini_batches(np.zeros((2, 4)), np.zeros((1, 4)), mini_batch_size=0), "mini_batch_size is 0"),
    (lambda p, g: opt.update_parameters_with_rmsprop(p, {"dW1": g["dW1"]}, opt.initialize_velocity(p)),
     r"grads has no \['db1'\]"),
    (lambda p, g: opt.update_parameters_with_adam(p, g, *opt.initialize_adam(p), 0), "t is 0"),
    (lambda p, g: opt.update_parameters_with_adagrad(p, {**g, "dW1": np.zeros((2, 2))}, opt.initialize_velocity(p)),
     r"grads\['dW1'\] has shape \(2, 2\), expected \(3, 4\)"),
])
def test_bad_inputs_are_named(call, message, rng):
    params, _ = _problem(rng)
    grads = {"d" + k: np.ones_like(p) for k, p in params.items()}
    with pytest.raises(ValueError, match=message):
        call(params, grads)


def test_hyperparameter_samplers_spread_over_decades():
    from dlkit.tuning import sample_beta, sample_log_uniform
    alpha = sample_log_uniform(1e-4, 1.0, size=40_000, seed=1)
    counts = np.histogram(np.log10(alpha), bins=4, range=(-4, 0))[0]
    assert alpha.min() >= 1e-4 and alpha.max() <= 1 and counts.min() > 0.23 * 40_000   # a quarter per decade
    beta = sample_beta(0.9, 0.999, size=40_000, seed=1)
    assert 0.9 <= beta.min() and beta.max() <= 0.999
    assert abs(np.mean(beta > 0.99) - 0.5) < 0.01    # 0.99..0.999 is half of the log range of 1 - beta
    with pytest.raises(ValueError, match="expected 0 < low < high"):
        sample_log_uniform(0, 1)
