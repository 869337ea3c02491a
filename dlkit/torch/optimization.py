"""Chapter 6 in PyTorch: twins of :mod:`dlkit.numpy.optimization` (the same rules, :mod:`dlkit._optimizer_rules`).

The model trains with autograd's gradients; the optimizers are the update
rules of the notes written on tensors, not torch.optim (which the tests use
as the oracle).  The learning-rate schedules compute plain numbers: use
dlkit.numpy.optimization's with either backend.
"""

import numpy as np
import torch

from dlkit import _optimizer_rules as rules
from dlkit._shapes import check_shape
from dlkit.numpy.optimization import OPTIMIZERS, _check_beta
from dlkit.torch._tensors import as_tensor
from dlkit.torch.deep_network import L_model_forward, compute_cost, initialize_parameters_deep


def random_mini_batches(X, Y, mini_batch_size=64, seed=0):
    """The NumPy twin's batches (the same permutation of the same seed), as tensors on X's device."""
    X = as_tensor("X", X)
    Y = as_tensor("Y", Y, like=X)
    dims = check_shape("X", X, ("n_x", "m"))
    check_shape("Y", Y, ("n_y", "m"), dims)
    if not (isinstance(mini_batch_size, (int, np.integer)) and mini_batch_size >= 1):
        raise ValueError(f"mini_batch_size is {mini_batch_size!r}, expected a positive int")
    order = torch.as_tensor(np.random.default_rng(seed).permutation(X.shape[1]), device=X.device)
    X, Y = X[:, order], Y[:, order]
    return [(X[:, k:k + mini_batch_size], Y[:, k:k + mini_batch_size]) for k in range(0, X.shape[1], mini_batch_size)]


def exponentially_weighted_average(values, beta, bias_correction=False):
    """v_t = beta v_(t-1) + (1 - beta) theta_t from 0, optionally divided by 1 - beta^t.  values: (T,)."""
    _check_beta("beta", beta)
    values = as_tensor("values", values)
    check_shape("values", values, ("T",))
    v, out = 0.0, torch.empty_like(values)
    for t in range(1, values.shape[0] + 1):
        v = beta * v + (1 - beta) * values[t - 1]
        out[t - 1] = v / (1 - beta ** t) if bias_correction else v
    return out


def _check_state(parameters, grads, *states):
    if not parameters:
        raise ValueError("parameters is empty")
    for name, d in (("grads", grads),) + tuple((f"state {i + 1}", s) for i, s in enumerate(states)):
        missing = [f"d{k}" for k in parameters if f"d{k}" not in d]
        if missing:
            raise ValueError(f"{name} has no {missing} for the parameters {list(parameters)}")
        for k, p in parameters.items():
            check_shape(f"{name}['d{k}']", d[f"d{k}"], tuple(p.shape))
    return {k: as_tensor(k, p) for k, p in parameters.items()}


def initialize_velocity(parameters):
    """Zeros like every parameter, keyed "dW1", "db1", ..."""
    return {"d" + k: torch.zeros_like(as_tensor(k, p)) for k, p in parameters.items()}


def initialize_adam(parameters):
    """(v, s), zeros like the parameters."""
    return initialize_velocity(parameters), initialize_velocity(parameters)


def update_parameters_with_momentum(parameters, grads, v, beta=0.9, learning_rate=0.01, damped=True):
    """One momentum step (damped: the notes' form).  Returns (parameters, v)."""
    _check_beta("beta", beta)
    return rules.momentum(_check_state(parameters, grads, v), grads, v, beta, learning_rate, damped)


def update_parameters_with_nesterov(parameters, grads, v, beta=0.9, learning_rate=0.01):
    """One Nesterov step.  Returns (parameters, v)."""
    _check_beta("beta", beta)
    return rules.nesterov(_check_state(parameters, grads, v), grads, v, beta, learning_rate)


def update_parameters_with_adagrad(parameters, grads, s, learning_rate=0.01, epsilon=1e-10):
    """One AdaGrad step.  Returns (parameters, s)."""
    return rules.adagrad(_check_state(parameters, grads, s), grads, s, learning_rate, epsilon)


def update_parameters_with_rmsprop(parameters, grads, s, beta=0.99, learning_rate=0.01, epsilon=1e-8):
    """One RMSProp step.  Returns (parameters, s)."""
    _check_beta("beta", beta)
    return rules.rmsprop(_check_state(parameters, grads, s), grads, s, beta, learning_rate, epsilon)


def update_parameters_with_adadelta(parameters, grads, s, delta, rho=0.9, epsilon=1e-6, learning_rate=1.0):
    """One Adadelta step.  Returns (parameters, s, delta)."""
    _check_beta("rho", rho)
    return rules.adadelta(_check_state(parameters, grads, s, delta), grads, s, delta, rho, epsilon, learning_rate)


def update_parameters_with_adam(parameters, grads, v, s, t, learning_rate=0.001, beta1=0.9, beta2=0.999,
                                epsilon=1e-8, weight_decay=0.0):
    """One Adam (AdamW when weight_decay > 0) step at step t >= 1.  Returns (parameters, v, s)."""
    _check_beta("beta1", beta1)
    _check_beta("beta2", beta2)
    if not (isinstance(t, int) and t >= 1):
        raise ValueError(f"t is {t!r}, expected the step number, an int >= 1")
    return rules.adam(_check_state(parameters, grads, v, s), grads, v, s, t, learning_rate, beta1, beta2, epsilon,
                      weight_decay)


def model(X, Y, layers_dims, optimizer="adam", learning_rate=0.0007, mini_batch_size=64, beta=0.9, beta1=0.9,
          beta2=0.999, epsilon=1e-8, weight_decay=0.01, num_epochs=100, decay=None, seed=1, record_every=10,
          callback=None):
    """The NumPy twin's training, with autograd's gradients, on X's device.  Returns (parameters, costs)."""
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer is {optimizer!r}, expected one of {OPTIMIZERS}")
    X = as_tensor("X", X)
    Y = as_tensor("Y", Y, like=X)
    parameters = initialize_parameters_deep(layers_dims, seed, dtype=X.dtype, device=X.device)
    v, s = initialize_adam(parameters)
    t, costs = 0, []
    for epoch in range(num_epochs):
        rate = learning_rate if decay is None else decay(learning_rate, epoch)
        total = 0.0
        for X_batch, Y_batch in random_mini_batches(X, Y, mini_batch_size, seed + epoch):
            leaves = {k: p.detach().requires_grad_(True) for k, p in parameters.items()}
            with torch.enable_grad():
                cost = compute_cost(L_model_forward(X_batch, leaves)[0], Y_batch)
                found = torch.autograd.grad(cost, list(leaves.values()))
            grads = {"d" + k: g for k, g in zip(leaves, found)}
            total += float(cost.detach()) * X_batch.shape[1]
            t += 1
            parameters, v, s = rules.step(optimizer, parameters, grads, v, s, t, rate, beta, beta1, beta2, epsilon,
                                          weight_decay)
        if epoch % record_every == 0:
            costs.append(total / X.shape[1])
            if callback is not None:
                callback(epoch, costs[-1])
    return parameters, costs
