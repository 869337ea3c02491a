"""The update rules of chapter 6, written once for both backends.

Each rule takes dicts of arrays or of tensors ({"W1", "b1", ...} for the
parameters, {"dW1", "db1", ...} for gradients and optimizer state, the notes'
naming) and uses only +, -, *, / and ** 0.5, which NumPy arrays and torch
tensors share.  dlkit.numpy.optimization and dlkit.torch.optimization check
their inputs and call these; they never modify the dicts they are given.
"""


def momentum(parameters, grads, v, beta, learning_rate, damped):
    """v := beta v + (1 - beta) dW (damped) or beta v + dW (undamped); W := W - alpha v."""
    v = {k: beta * v[k] + ((1 - beta) * g if damped else g) for k, g in _grads(parameters, grads).items()}
    return {k: p - learning_rate * v["d" + k] for k, p in parameters.items()}, v


def nesterov(parameters, grads, v, beta, learning_rate):
    """v := beta v + dW; W := W - alpha (dW + beta v): the look-ahead written on the current point."""
    g = _grads(parameters, grads)
    v = {k: beta * v[k] + g[k] for k in g}
    return {k: p - learning_rate * (g["d" + k] + beta * v["d" + k]) for k, p in parameters.items()}, v


def adagrad(parameters, grads, s, learning_rate, epsilon):
    """s := s + dW^2; W := W - alpha dW / (sqrt(s) + eps)."""
    g = _grads(parameters, grads)
    s = {k: s[k] + g[k] * g[k] for k in g}
    return {k: p - learning_rate * g["d" + k] / (s["d" + k] ** 0.5 + epsilon) for k, p in parameters.items()}, s


def rmsprop(parameters, grads, s, beta, learning_rate, epsilon):
    """s := beta s + (1 - beta) dW^2; W := W - alpha dW / (sqrt(s) + eps)."""
    g = _grads(parameters, grads)
    s = {k: beta * s[k] + (1 - beta) * g[k] * g[k] for k in g}
    return {k: p - learning_rate * g["d" + k] / (s["d" + k] ** 0.5 + epsilon) for k, p in parameters.items()}, s


def adadelta(parameters, grads, s, delta, rho, epsilon, learning_rate):
    """s := rho s + (1 - rho) dW^2; u = sqrt(delta + eps) / sqrt(s + eps) dW;
    delta := rho delta + (1 - rho) u^2; W := W - alpha u (alpha = 1 in the paper)."""
    g = _grads(parameters, grads)
    s = {k: rho * s[k] + (1 - rho) * g[k] * g[k] for k in g}
    u = {k: (delta[k] + epsilon) ** 0.5 / (s[k] + epsilon) ** 0.5 * g[k] for k in g}
    delta = {k: rho * delta[k] + (1 - rho) * u[k] * u[k] for k in g}
    return {k: p - learning_rate * u["d" + k] for k, p in parameters.items()}, s, delta


def adam(parameters, grads, v, s, t, learning_rate, beta1, beta2, epsilon, weight_decay):
    """Adam at step t (1, 2, ...), with bias correction; AdamW's decoupled decay when weight_decay > 0:

    W := W (1 - alpha lambda); v := b1 v + (1 - b1) dW; s := b2 s + (1 - b2) dW^2;
    W := W - alpha v_hat / (sqrt(s_hat) + eps), v_hat = v / (1 - b1^t), s_hat = s / (1 - b2^t).
    """
    g = _grads(parameters, grads)
    v = {k: beta1 * v[k] + (1 - beta1) * g[k] for k in g}
    s = {k: beta2 * s[k] + (1 - beta2) * g[k] * g[k] for k in g}
    updated = {}
    for k, p in parameters.items():
        v_hat, s_hat = v["d" + k] / (1 - beta1 ** t), s["d" + k] / (1 - beta2 ** t)
        updated[k] = p * (1 - learning_rate * weight_decay) - learning_rate * v_hat / (s_hat ** 0.5 + epsilon)
    return updated, v, s


def step(optimizer, parameters, grads, v, s, t, learning_rate, beta, beta1, beta2, epsilon, weight_decay):
    """One step of the named optimizer, as the models of chapter 6 take it.

    v and s are the two state dicts (velocity or first moment, and squared
    gradients or second moment; Adadelta keeps its delta in v); t counts steps
    from 1.  Returns (parameters, v, s).
    """
    if optimizer == "gd":
        return {k: p - learning_rate * grads["d" + k] for k, p in parameters.items()}, v, s
    if optimizer == "momentum":
        return (*momentum(parameters, grads, v, beta, learning_rate, damped=True), s)
    if optimizer == "nesterov":
        return (*nesterov(parameters, grads, v, beta, learning_rate), s)
    if optimizer == "adagrad":
        parameters, s = adagrad(parameters, grads, s, learning_rate, epsilon)
        return parameters, v, s
    if optimizer == "rmsprop":
        parameters, s = rmsprop(parameters, grads, s, beta, learning_rate, epsilon)
        return parameters, v, s
    if optimizer == "adadelta":
        parameters, s, v = adadelta(parameters, grads, s, v, beta, epsilon, learning_rate)
        return parameters, v, s
    return adam(parameters, grads, v, s, t, learning_rate, beta1, beta2, epsilon,
                weight_decay if optimizer == "adamw" else 0.0)


def _grads(parameters, grads):
    """{"dW1": grads["dW1"], ...} for every parameter, in the parameters' order."""
    return {"d" + k: grads["d" + k] for k in parameters}
