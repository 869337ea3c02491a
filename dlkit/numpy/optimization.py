"""Chapter 6, optimization algorithms: mini-batches, exponentially weighted averages, and the optimizers.

Parameters are {"W1", "b1", ...}, gradients and optimizer state {"dW1",
"db1", ...}, as in :mod:`dlkit.numpy.deep_network`.  The update rules
themselves live in :mod:`dlkit._optimizer_rules`, shared with the torch twins:

    momentum   v := beta v + (1 - beta) dW          W := W - alpha v        (damped, the notes' form)
               v := beta v + dW                     W := W - alpha v        (undamped, torch's form)
    Nesterov   v := beta v + dW                     W := W - alpha (dW + beta v)
    AdaGrad    s := s + dW^2                        W := W - alpha dW / (sqrt(s) + eps)
    RMSProp    s := beta s + (1 - beta) dW^2        W := W - alpha dW / (sqrt(s) + eps)
    Adadelta   s := rho s + (1 - rho) dW^2, u = sqrt(delta + eps) / sqrt(s + eps) dW,
               delta := rho delta + (1 - rho) u^2   W := W - alpha u
    Adam       v, s as momentum and RMSProp, bias-corrected by 1 - beta^t   W := W - alpha v_hat / (sqrt(s_hat) + eps)
    AdamW      Adam after W := W (1 - alpha lambda): weight decay decoupled from the gradient

The damped and undamped momentum are the same method: the undamped velocity
is the damped one divided by (1 - beta), so it matches the damped form with
the learning rate alpha / (1 - beta).
"""

import math

import numpy as np

from dlkit import _optimizer_rules as rules
from dlkit._shapes import check_shape
from dlkit.numpy._arrays import as_array
from dlkit.numpy.deep_network import L_model_backward, L_model_forward, compute_cost, initialize_parameters_deep


def random_mini_batches(X, Y, mini_batch_size=64, seed=0):
    """Shuffle the m examples (columns) with ``np.random.default_rng(seed).permutation(m)``, then cut.

    X: (n_x, m), Y: (n_y, m).  Returns a list of (X_batch, Y_batch): floor(m /
    mini_batch_size) full batches and, when mini_batch_size does not divide m,
    a last smaller batch with the m % mini_batch_size examples left.

    >>> batches = random_mini_batches(np.zeros((2, 10)), np.zeros((1, 10)), mini_batch_size=4)
    >>> [b[0].shape[1] for b in batches]
    [4, 4, 2]
    """
    X, Y = as_array("X", X), as_array("Y", Y)
    dims = check_shape("X", X, ("n_x", "m"))
    check_shape("Y", Y, ("n_y", "m"), dims)
    if not (isinstance(mini_batch_size, (int, np.integer)) and mini_batch_size >= 1):
        raise ValueError(f"mini_batch_size is {mini_batch_size!r}, expected a positive int")
    order = np.random.default_rng(seed).permutation(X.shape[1])
    X, Y = X[:, order], Y[:, order]
    return [(X[:, k:k + mini_batch_size], Y[:, k:k + mini_batch_size]) for k in range(0, X.shape[1], mini_batch_size)]


def _check_beta(name, beta):
    if not 0 <= beta < 1:
        raise ValueError(f"{name} is {beta!r}, expected a number in [0, 1)")


def exponentially_weighted_average(values, beta, bias_correction=False):
    """v_t = beta v_(t-1) + (1 - beta) theta_t from v_0 = 0, for t = 1..T; corrected: v_t / (1 - beta^t).

    values: (T,).  Returns (T,).  v_t averages roughly the last 1 / (1 - beta)
    values; without correction the first ones are biased towards 0.

    >>> exponentially_weighted_average([10, 12, 14, 16, 18], 0.5).tolist()
    [5.0, 8.5, 11.25, 13.625, 15.8125]
    """
    _check_beta("beta", beta)
    values = as_array("values", values)
    check_shape("values", values, ("T",))
    v, out = 0.0, np.empty_like(values)
    for t, theta in enumerate(values, 1):
        v = beta * v + (1 - beta) * theta
        out[t - 1] = v / (1 - beta ** t) if bias_correction else v
    return out


def _check_state(parameters, grads, *states):
    """Every parameter has a gradient and state entries of its shape; ValueError naming what is wrong."""
    if not parameters:
        raise ValueError("parameters is empty")
    for name, d in (("grads", grads),) + tuple((f"state {i + 1}", s) for i, s in enumerate(states)):
        missing = [f"d{k}" for k in parameters if f"d{k}" not in d]
        if missing:
            raise ValueError(f"{name} has no {missing} for the parameters {list(parameters)}")
        for k, p in parameters.items():
            check_shape(f"{name}['d{k}']", as_array(f"d{k}", d[f"d{k}"]), np.shape(p))
    return {k: as_array(k, p) for k, p in parameters.items()}


def initialize_velocity(parameters):
    """v = {"dW1": zeros like W1, "db1": zeros like b1, ...}: the state of momentum, Nesterov,
    AdaGrad and RMSProp (and each of Adadelta's two accumulators)."""
    return {"d" + k: np.zeros_like(as_array(k, p)) for k, p in parameters.items()}


def initialize_adam(parameters):
    """(v, s): the first- and second-moment estimates of Adam, zeros like the parameters."""
    return initialize_velocity(parameters), initialize_velocity(parameters)


def update_parameters_with_momentum(parameters, grads, v, beta=0.9, learning_rate=0.01, damped=True):
    """One momentum step.  Returns (parameters, v), new dicts (see the module's formulas)."""
    _check_beta("beta", beta)
    return rules.momentum(_check_state(parameters, grads, v), grads, v, beta, learning_rate, damped)


def update_parameters_with_nesterov(parameters, grads, v, beta=0.9, learning_rate=0.01):
    """One Nesterov step (undamped velocity, as torch.optim.SGD(nesterov=True)).  Returns (parameters, v)."""
    _check_beta("beta", beta)
    return rules.nesterov(_check_state(parameters, grads, v), grads, v, beta, learning_rate)


def update_parameters_with_adagrad(parameters, grads, s, learning_rate=0.01, epsilon=1e-10):
    """One AdaGrad step: the sum of squared gradients scales each parameter's step.  Returns (parameters, s)."""
    return rules.adagrad(_check_state(parameters, grads, s), grads, s, learning_rate, epsilon)


def update_parameters_with_rmsprop(parameters, grads, s, beta=0.99, learning_rate=0.01, epsilon=1e-8):
    """One RMSProp step (eps outside the square root, as torch).  Returns (parameters, s)."""
    _check_beta("beta", beta)
    return rules.rmsprop(_check_state(parameters, grads, s), grads, s, beta, learning_rate, epsilon)


def update_parameters_with_adadelta(parameters, grads, s, delta, rho=0.9, epsilon=1e-6, learning_rate=1.0):
    """One Adadelta step: no learning rate needed (alpha = 1), the step's units come from delta.
    Returns (parameters, s, delta)."""
    _check_beta("rho", rho)
    return rules.adadelta(_check_state(parameters, grads, s, delta), grads, s, delta, rho, epsilon, learning_rate)


def update_parameters_with_adam(parameters, grads, v, s, t, learning_rate=0.001, beta1=0.9, beta2=0.999,
                                epsilon=1e-8, weight_decay=0.0):
    """One Adam step at step t = 1, 2, ... (AdamW when weight_decay > 0).  Returns (parameters, v, s)."""
    _check_beta("beta1", beta1)
    _check_beta("beta2", beta2)
    if not (isinstance(t, (int, np.integer)) and t >= 1):
        raise ValueError(f"t is {t!r}, expected the step number, an int >= 1")
    return rules.adam(_check_state(parameters, grads, v, s), grads, v, s, t, learning_rate, beta1, beta2, epsilon,
                      weight_decay)


def schedule_lr_decay(learning_rate0, epoch_num, decay_rate=1.0, time_interval=1000):
    """Stepwise inverse-time decay: alpha = alpha_0 / (1 + decay_rate * floor(epoch_num / time_interval)).

    >>> schedule_lr_decay(0.5, 2500, decay_rate=1.0, time_interval=1000)
    0.16666666666666666
    """
    return learning_rate0 / (1 + decay_rate * math.floor(epoch_num / time_interval))


def inverse_time_decay(learning_rate0, epoch_num, decay_rate=1.0):
    """alpha = alpha_0 / (1 + decay_rate * epoch_num), the notes' first schedule."""
    return learning_rate0 / (1 + decay_rate * epoch_num)


def exponential_decay(learning_rate0, epoch_num, base=0.95):
    """alpha = base^epoch_num * alpha_0."""
    return learning_rate0 * base ** epoch_num


def sqrt_decay(learning_rate0, epoch_num, k=1.0):
    """alpha = k / sqrt(epoch_num) * alpha_0, for epoch_num >= 1.

    ``model`` counts epochs from 0: pass ``decay=lambda a, e: sqrt_decay(a, e + 1)``.
    """
    if epoch_num < 1:
        raise ValueError(f"epoch_num is {epoch_num}, expected >= 1 (k / sqrt(0) is infinite); "
                         "model counts epochs from 0: use decay=lambda a, e: sqrt_decay(a, e + 1)")
    return k / math.sqrt(epoch_num) * learning_rate0


OPTIMIZERS = ("gd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam", "adamw")


def model(X, Y, layers_dims, optimizer="adam", learning_rate=0.0007, mini_batch_size=64, beta=0.9, beta1=0.9,
          beta2=0.999, epsilon=1e-8, weight_decay=0.01, num_epochs=100, decay=None, seed=1, record_every=10,
          callback=None):
    """Train chapter 4's L-layer network with mini-batches and one of OPTIMIZERS.

    X: (n_x, m), Y: (1, m).  Each epoch shuffles with seed + epoch (see
    :func:`random_mini_batches`).  ``decay(learning_rate, epoch) -> rate``,
    when given, sets each epoch's rate (e.g. :func:`schedule_lr_decay`).  The
    epoch's mean mini-batch cost is recorded every ``record_every`` epochs and
    passed to ``callback(epoch, cost)``.  Returns (parameters, costs).
    """
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer is {optimizer!r}, expected one of {OPTIMIZERS}")
    parameters = initialize_parameters_deep(layers_dims, seed)
    v, s = initialize_adam(parameters)
    t, costs = 0, []
    for epoch in range(num_epochs):
        rate = learning_rate if decay is None else decay(learning_rate, epoch)
        total = 0.0
        for X_batch, Y_batch in random_mini_batches(X, Y, mini_batch_size, seed + epoch):
            AL, caches = L_model_forward(X_batch, parameters)
            total += compute_cost(AL, Y_batch) * X_batch.shape[1]
            grads = L_model_backward(AL, Y_batch, caches)
            t += 1
            parameters, v, s = rules.step(optimizer, parameters, grads, v, s, t, rate, beta, beta1, beta2, epsilon,
                                          weight_decay)
        if epoch % record_every == 0:
            costs.append(total / X.shape[1])
            if callback is not None:
                callback(epoch, costs[-1])
    return parameters, costs
