"""Parity: every public function of dlkit.numpy has a dlkit.torch twin that agrees with it.

On random float64 inputs the forward results agree to 1e-10 relative, on
every device; every hand-written NumPy gradient agrees with torch autograd
through the twin.  A new NumPy function fails here until it has a twin and a
case in CASES (or a reasoned entry in BACKEND_NEUTRAL).
"""

import inspect

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the torch extra is not installed")

from dlkit.testing import rel_error  # noqa: E402
from helpers import hand_written_gradients, public_functions, rnn_parameters  # noqa: E402

NUMPY, TORCH = public_functions("numpy"), public_functions("torch")

# NumPy functions with no tensor computation to port, and why.
BACKEND_NEUTRAL = {
    "basics.broadcast_shape": "computes a shape from shape tuples; no arrays involved",
    **{f"optimization.{name}": "a learning rate from numbers; use it with either backend" for name in (
        "schedule_lr_decay", "inverse_time_decay", "exponential_decay", "sqrt_decay")},
    "convolution.conv_output_size": "computes a size from integers; no arrays involved",
    "detection.build_yolo_target": "bookkeeping over a short list of boxes (a Python loop, slot by slot); NumPy in "
                                   "and out, tensors accepted",
    "detection.mean_average_precision": "matching and counting over lists of boxes per image; NumPy in and out, "
                                        "tensors accepted",
    "knn.k_fold_split": "index arrays from a seeded NumPy permutation; the torch kNN indexes tensors with them",
    "glove.cooccurrence": "counting over integer word ids (one sort); NumPy in and out, the torch train_glove uses it",
}
# Hand-written backward passes: checked against autograd through the forward twin instead.
BACKWARD_OF = {"computation_graph.computation_graph_backward": "computation_graph.computation_graph_forward"}


def _labels(rng, shape):
    return (rng.random(shape) < 0.5).astype(np.float64)


def _with_zeros(rng, shape=(4, 6)):
    """Random entries with some exact zeros, where the activations have their kink."""
    z = rng.standard_normal(shape)
    z.flat[::5] = 0.0
    return z


def _elementwise(rng):
    return (_with_zeros(rng),), {}


def _maxout_inputs(rng):
    return rng.standard_normal((3, 6)), rng.standard_normal((3, 4, 3)), rng.standard_normal((3, 4, 1))


def _separable(rng):
    X = rng.standard_normal((2, 20))
    return X, (X[:1] + 0.5 * X[1:] > 0).astype(np.float64)


def _shallow(rng, n_x=3, n_h=4, m=7):
    X = rng.standard_normal((n_x, m))
    params = {"W1": rng.standard_normal((n_h, n_x)), "b1": rng.standard_normal((n_h, 1)),
              "W2": rng.standard_normal((1, n_h)), "b2": rng.standard_normal((1, 1))}
    return (X, params), {}, _labels(rng, (1, m))


def _shallow_backward(rng):
    (X, params), _, Y = _shallow(rng)
    _, cache = NUMPY["shallow_network.forward_propagation"](X, params)
    return (params, cache, X, Y), {}


def _update(rng):
    (_, params), _, _ = _shallow(rng)
    grads = {"d" + k: rng.standard_normal(v.shape) for k, v in params.items()}
    return (params, grads), {"learning_rate": 0.3}


def _linear_inputs(rng):
    return rng.standard_normal((4, 6)), rng.standard_normal((3, 4)), rng.standard_normal((3, 1))


def _linear_activation_backward(rng):
    activation = ("relu", "sigmoid", "tanh")[rng.integers(3)]
    _, cache = NUMPY["deep_network.linear_activation_forward"](*_linear_inputs(rng), activation)
    return (rng.standard_normal((3, 6)), cache, activation), {}


def _deep(rng, layer_dims=(5, 4, 3, 1), m=8):
    """X and parameters of a random network, with biases that are not zero."""
    params = {}
    for l in range(1, len(layer_dims)):
        params[f"W{l}"] = rng.standard_normal((layer_dims[l], layer_dims[l - 1]))
        params[f"b{l}"] = rng.standard_normal((layer_dims[l], 1))
    return rng.standard_normal((layer_dims[0], m)), params


def _L_model_backward(rng):
    X, params = _deep(rng, (5, 4, 4, 3, 1))
    AL, caches = NUMPY["deep_network.L_model_forward"](X, params)
    return AL, _labels(rng, AL.shape), caches


def _deep_model(rng, layer_dims):
    return rng.standard_normal((layer_dims[0], 16)), _labels(rng, (1, 16)), layer_dims


def _dropout_backward(rng):
    X, params = _deep(rng)
    AL, caches = NUMPY["regularization.forward_propagation_with_dropout"](X, params, 0.7, 4)
    return AL, _labels(rng, AL.shape), caches


def _one_hot(rng, K=4, m=6):
    return np.eye(K)[:, rng.integers(K, size=m)]


def _features(rng):
    """Correlated features with distinct variances: a well-defined principal basis."""
    return np.array([[3.0, 0, 0], [1, 1.0, 0], [0.5, -0.3, 0.2]]) @ rng.standard_normal((3, 40)) + 1.5


def _gradients_to_vector(rng):
    params = _deep(rng)[1]
    return (({"d" + k: rng.standard_normal(v.shape) for k, v in params.items()},
             NUMPY["gradient_checking.dictionary_to_vector"](params)[1]), {})


def _gradient_check_n(rng):
    X, params = _deep(rng, (3, 4, 1), m=5)
    Y = _labels(rng, (1, 5))
    AL, caches = NUMPY["deep_network.L_model_forward"](X, params)
    grads = NUMPY["deep_network.L_model_backward"](AL, Y, caches)
    grads["dW1"] = grads["dW1"] * 1.5  # a planted bug: the difference is far from zero
    return (params, grads, X, Y), {"epsilon": 1e-6}


def _bn_inputs(rng):
    """Z: (4, 7) with units of different scales and offsets, gamma, beta: (4, 1)."""
    Z = rng.standard_normal((4, 7)) * np.array([[1.0], [3.0], [0.2], [5.0]]) + np.array([[0.0], [2.0], [-1.0], [4.0]])
    return Z, 1 + 0.5 * rng.standard_normal((4, 1)), rng.standard_normal((4, 1))


def _optimizer_state(rng, n_states):
    """parameters, grads and n_states state dicts of positive entries (AdaGrad's and Adam's s are sums of squares)."""
    params = _deep(rng)[1]
    grads = {"d" + k: rng.standard_normal(v.shape) for k, v in params.items()}
    states = [{"d" + k: rng.random(v.shape) for k, v in params.items()} for _ in range(n_states)]
    return (params, grads, *states)


def _conv_inputs(rng, transpose=False):
    """A_prev (2, 5, 7, 3), W and b of a 3x3 convolution (or transposed convolution) to 4 channels, stride 2, pad 1."""
    W_shape = (3, 3, 4, 3) if transpose else (3, 3, 3, 4)
    return (rng.standard_normal((2, 5, 7, 3)), rng.standard_normal(W_shape), rng.standard_normal((1, 1, 1, 4)),
            {"stride": 2, "pad": 1})


def _conv_backward(rng, forward, transpose=False):
    out, cache = NUMPY[f"convolution.{forward}"](*_conv_inputs(rng, transpose))
    return (rng.standard_normal(out.shape), cache), {}


def _knn_pair(rng):
    return rng.standard_normal((4, 5)), rng.standard_normal((4, 7))


def _linear_problem(rng, K=3, n_x=5, m=8):
    """W: (K, n_x), X: (n_x, m) with a bias row, y: (m,) ints."""
    X = np.vstack([rng.standard_normal((n_x - 1, m)), np.ones((1, m))])
    return rng.standard_normal((K, n_x)), X, rng.integers(K, size=m)


def _pool_backward(rng):
    """Overlapping 3x3 windows, stride 2; continuous values, so no window has tied maxima."""
    mode = ("max", "average")[rng.integers(2)]
    A, cache = NUMPY["convolution.pool_forward"](rng.standard_normal((2, 7, 5, 3)), {"f": 3, "stride": 2}, mode)
    return (rng.standard_normal(A.shape), cache), {"mode": mode}


# "topic.name": rng -> (args, kwargs); kwargs may hold "torch_only" options for the twin.
CASES = {
    "basics.sigmoid": lambda rng: ((8 * rng.standard_normal((4, 5)),), {}),
    "basics.sigmoid_derivative": lambda rng: ((8 * rng.standard_normal((4, 5)),), {}),
    "basics.image2vector": lambda rng: ((rng.random((3, 4, 2)),), {}),
    "basics.normalize_rows": lambda rng: ((rng.standard_normal((3, 4)),), {}),
    "basics.softmax": lambda rng: ((30 * rng.standard_normal((3, 4)),), {"axis": 0}),
    "basics.L1": lambda rng: ((rng.random((1, 6)), _labels(rng, (1, 6))), {}),
    "basics.L2": lambda rng: ((rng.random((1, 6)), _labels(rng, (1, 6))), {}),
    "computation_graph.computation_graph_forward": lambda rng: (tuple(rng.standard_normal((3, 2)) for _ in range(3)), {}),
    "logistic_regression.initialize_with_zeros": lambda rng: ((4,), {"torch_only": {"device": None}}),
    "logistic_regression.propagate": lambda rng: (
        (rng.standard_normal((5, 1)), 0.3, rng.standard_normal((5, 7)), _labels(rng, (1, 7))), {}),
    "logistic_regression.optimize": lambda rng: (
        (rng.standard_normal((5, 1)), 0.3, rng.standard_normal((5, 7)), _labels(rng, (1, 7))),
        {"num_iterations": 30, "learning_rate": 0.1, "record_every": 7}),
    "logistic_regression.predict": lambda rng: ((rng.standard_normal((5, 1)), 0.3, rng.standard_normal((5, 9))), {}),
    "logistic_regression.model": lambda rng: (
        (rng.standard_normal((5, 12)), _labels(rng, (1, 12)), rng.standard_normal((5, 6)), _labels(rng, (1, 6))),
        {"num_iterations": 40, "learning_rate": 0.2, "record_every": 10}),
    **{f"activations.{name}": _elementwise for name in (
        "tanh", "tanh_derivative", "relu", "relu_derivative", "elu_derivative", "leaky_relu_derivative")},
    "activations.leaky_relu": lambda rng: ((_with_zeros(rng),), {"alpha": 0.2}),
    "activations.elu": lambda rng: ((_with_zeros(rng),), {"alpha": 1.5}),
    "activations.prelu": lambda rng: ((_with_zeros(rng), rng.random((4, 1))), {}),
    "activations.prelu_backward": lambda rng: (
        (rng.standard_normal((4, 6)), _with_zeros(rng), rng.random((4, 1))), {}),
    "activations.maxout_forward": lambda rng: (_maxout_inputs(rng), {}),
    "activations.maxout_backward": lambda rng: (
        (rng.standard_normal((4, 6)), NUMPY["activations.maxout_forward"](*_maxout_inputs(rng))[1]), {}),
    "activations.softmax_backward": lambda rng: (
        (rng.standard_normal((5, 6)), NUMPY["basics.softmax"](3 * rng.standard_normal((5, 6)), axis=0)), {"axis": 0}),
    "perceptron.perceptron_predict": lambda rng: ((rng.standard_normal((3, 1)), 0.1, rng.standard_normal((3, 9))), {}),
    "perceptron.perceptron_train": lambda rng: (_separable(rng), {"learning_rate": 0.5, "max_epochs": 50}),
    "shallow_network.layer_sizes": lambda rng: ((rng.standard_normal((5, 3)), _labels(rng, (2, 3))), {"n_h": 7}),
    "shallow_network.initialize_parameters": lambda rng: ((3, 5, 1), {"seed": 4, "torch_only": {"device": None}}),
    "shallow_network.forward_propagation": lambda rng: _shallow(rng)[:2],
    "shallow_network.compute_cost": lambda rng: ((rng.random((1, 7)) * 0.98 + 0.01, _labels(rng, (1, 7))), {}),
    "shallow_network.backward_propagation": lambda rng: _shallow_backward(rng),
    "shallow_network.update_parameters": lambda rng: _update(rng),
    "shallow_network.nn_model": lambda rng: (
        (rng.standard_normal((2, 30)), _labels(rng, (1, 30)), 4), {"num_iterations": 25, "record_every": 5}),
    "shallow_network.predict": lambda rng: (_shallow(rng)[0][::-1], {}),
    "deep_network.initialize_parameters_deep": lambda rng: (([5, 4, 3, 1],), {"seed": 7, "torch_only": {"device": None}}),
    "deep_network.linear_forward": lambda rng: (_linear_inputs(rng), {}),
    "deep_network.linear_activation_forward": lambda rng: (_linear_inputs(rng), {"activation": "tanh"}),
    "deep_network.L_model_forward": lambda rng: (_deep(rng)[:2], {}),
    "deep_network.linear_backward": lambda rng: (
        (rng.standard_normal((3, 6)), NUMPY["deep_network.linear_forward"](*_linear_inputs(rng))[1]), {}),
    "deep_network.linear_activation_backward": lambda rng: _linear_activation_backward(rng),
    "deep_network.L_model_backward": lambda rng: (_L_model_backward(rng), {}),
    "deep_network.two_layer_model": lambda rng: (_deep_model(rng, [4, 5, 1]), {"num_iterations": 20, "learning_rate": 0.1,
                                                                            "record_every": 6}),
    "deep_network.L_layer_model": lambda rng: (_deep_model(rng, [4, 5, 3, 1]), {"num_iterations": 20, "learning_rate": 0.1,
                                                                             "record_every": 6}),
    "deep_network.predict": lambda rng: (_deep(rng)[1::-1], {}),
    **{f"initialization.initialize_parameters_{name}": (lambda kwargs: lambda rng: (
        ([6, 5, 3, 1],), {**kwargs, "torch_only": {"device": None}}))(kwargs) for name, kwargs in (
        ("zeros", {}), ("random", {"scale": 0.3, "seed": 2}), ("lecun", {"seed": 2}),
        ("xavier", {"uniform": True, "seed": 2}), ("he", {"seed": 2}))},
    "regularization.regularization_cost": lambda rng: ((_deep(rng)[1], 0.7, 8), {"norm": "l1"}),
    "regularization.compute_cost_with_regularization": lambda rng: (
        (rng.random((1, 8)) * 0.98 + 0.01, _labels(rng, (1, 8)), _deep(rng)[1], 0.7), {}),
    "regularization.backward_propagation_with_regularization": lambda rng: (
        (*_L_model_backward(rng), 0.7), {"norm": ("l1", "l2")[rng.integers(2)]}),
    "regularization.dropout_forward": lambda rng: ((rng.standard_normal((4, 6)), 0.7), {"seed": 5}),
    "regularization.dropout_backward": lambda rng: (
        (rng.standard_normal((4, 6)), NUMPY["regularization.dropout_forward"](np.ones((4, 6)), 0.6, 3)[1]), {}),
    "regularization.forward_propagation_with_dropout": lambda rng: (_deep(rng), {"keep_prob": 0.7, "seed": 4}),
    "regularization.backward_propagation_with_dropout": lambda rng: (_dropout_backward(rng), {"keep_prob": 0.7}),
    "regularization.smooth_labels": lambda rng: ((_one_hot(rng), 0.2), {}),
    "regularization.cross_entropy_with_label_smoothing": lambda rng: (
        (3 * rng.standard_normal((4, 6)), _one_hot(rng)), {"epsilon": 0.2}),
    "input_normalization.fit_standardization": lambda rng: ((_features(rng),), {}),
    "input_normalization.standardize": lambda rng: (
        (_features(rng), *NUMPY["input_normalization.fit_standardization"](_features(rng))), {}),
    "input_normalization.fit_pca_whitening": lambda rng: ((_features(rng),), {}),
    "input_normalization.pca_whiten": lambda rng: (
        (_features(rng), *NUMPY["input_normalization.fit_pca_whitening"](_features(rng))), {}),
    "gradient_checking.dictionary_to_vector": lambda rng: ((_deep(rng)[1],), {}),
    "gradient_checking.vector_to_dictionary": lambda rng: (
        NUMPY["gradient_checking.dictionary_to_vector"](_deep(rng)[1]), {}),
    "gradient_checking.gradients_to_vector": lambda rng: _gradients_to_vector(rng),
    "gradient_checking.gradient_check_n": lambda rng: _gradient_check_n(rng),
    "optimization.random_mini_batches": lambda rng: (
        (rng.standard_normal((3, 10)), _labels(rng, (1, 10))), {"mini_batch_size": 4, "seed": 2}),
    "optimization.exponentially_weighted_average": lambda rng: (
        (rng.standard_normal(7), 0.8), {"bias_correction": True}),
    "optimization.initialize_velocity": lambda rng: ((_deep(rng)[1],), {}),
    "optimization.initialize_adam": lambda rng: ((_deep(rng)[1],), {}),
    "optimization.update_parameters_with_momentum": lambda rng: (_optimizer_state(rng, 1), {"damped": False}),
    "optimization.update_parameters_with_nesterov": lambda rng: (_optimizer_state(rng, 1), {"beta": 0.8}),
    "optimization.update_parameters_with_adagrad": lambda rng: (_optimizer_state(rng, 1), {}),
    "optimization.update_parameters_with_rmsprop": lambda rng: (_optimizer_state(rng, 1), {"beta": 0.9}),
    "optimization.update_parameters_with_adadelta": lambda rng: (_optimizer_state(rng, 2), {}),
    "optimization.update_parameters_with_adam": lambda rng: (
        (*_optimizer_state(rng, 2), 3), {"weight_decay": 0.1}),
    "batch_norm.batchnorm_forward": lambda rng: (
        (*_bn_inputs(rng), {"mean": rng.standard_normal((4, 1)), "var": rng.random((4, 1)) + 0.5}),
        {"mode": ("train", "test")[rng.integers(2)], "momentum": 0.8}),
    "batch_norm.batchnorm_backward": lambda rng: (
        (rng.standard_normal((4, 7)), NUMPY["batch_norm.batchnorm_forward"](*_bn_inputs(rng))[1]), {}),
    "batch_norm.layernorm_forward": lambda rng: (_bn_inputs(rng), {"eps": 1e-3}),
    "batch_norm.layernorm_backward": lambda rng: (
        (rng.standard_normal((4, 7)), NUMPY["batch_norm.layernorm_forward"](*_bn_inputs(rng))[1]), {}),
    "softmax_regression.one_hot": lambda rng: ((rng.integers(4, size=6), 4), {}),
    "softmax_regression.softmax_cross_entropy": lambda rng: ((3 * rng.standard_normal((4, 6)), _one_hot(rng)), {}),
    "optimization.model": lambda rng: (
        (rng.standard_normal((2, 20)), _labels(rng, (1, 20)), [2, 3, 1]),
        {"optimizer": ("momentum", "rmsprop", "adam", "adadelta")[rng.integers(4)], "mini_batch_size": 8,
         "num_epochs": 3, "record_every": 1, "learning_rate": 0.05}),
    "convolution.zero_pad": lambda rng: ((rng.standard_normal((2, 3, 4, 2)), 2), {}),
    "convolution.conv_single_step": lambda rng: (
        (rng.standard_normal((3, 3, 4)), rng.standard_normal((3, 3, 4)), rng.standard_normal((1, 1, 1))), {}),
    "convolution.conv_forward": lambda rng: (_conv_inputs(rng), {}),
    "convolution.conv_backward": lambda rng: _conv_backward(rng, "conv_forward"),
    "convolution.pool_forward": lambda rng: (
        (rng.standard_normal((2, 7, 5, 3)), {"f": 3, "stride": 2}), {"mode": ("max", "average")[rng.integers(2)]}),
    "convolution.pool_backward": _pool_backward,
    "convolution.im2col": lambda rng: ((rng.standard_normal((2, 5, 7, 3)), 3, 2, 1), {}),
    "convolution.col2im": lambda rng: ((rng.standard_normal((2 * 3 * 4, 27)), (2, 5, 7, 3), 3, 2, 1), {}),
    "convolution.conv_transpose_forward": lambda rng: (_conv_inputs(rng, transpose=True), {}),
    "convolution.conv_transpose_backward": lambda rng: _conv_backward(rng, "conv_transpose_forward", transpose=True),
    "detection.iou": lambda rng: (tuple(NUMPY["detection.yolo_boxes_to_corners"](
        rng.random((2, 2, 1, 6)) * [1, 1, 1, 3, 3, 1]).reshape(-1, 4) for _ in range(2)), {}),
    "detection.yolo_boxes_to_corners": lambda rng: ((rng.random((2, 3, 3, 2, 8)) * 2,), {}),
    "detection.scale_boxes": lambda rng: ((rng.random((3, 3, 2, 4)), (48, 64)), {}),
    "detection.yolo_filter_boxes": lambda rng: (
        (rng.random((3, 3, 2, 1)), rng.random((3, 3, 2, 4)), rng.random((3, 3, 2, 3))), {"threshold": 0.3}),
    "detection.non_max_suppression": lambda rng: (
        (NUMPY["detection.yolo_boxes_to_corners"](rng.random((3, 3, 2, 6)) * [1, 1, 1, 3, 3, 1]).reshape(-1, 4),
         rng.random(18)), {"iou_threshold": 0.3, "max_boxes": 8}),
    "detection.yolo_eval": lambda rng: (
        (rng.random((3, 3, 2, 8)) * [1, 1, 1, 3, 3, 1, 1, 1], (48, 64)), {"score_threshold": 0.3, "iou_threshold": 0.4}),
    "face_recognition.triplet_loss": lambda rng: (tuple(rng.standard_normal((6, 4)) for _ in range(3)), {"alpha": 0.5}),
    "face_recognition.distance": lambda rng: ((rng.standard_normal((5, 4)), rng.standard_normal(4)), {}),
    "face_recognition.verify": lambda rng: (
        (rng.standard_normal(4), "b", {name: rng.standard_normal(4) for name in "abc"}), {"threshold": 2.0}),
    "face_recognition.who_is_it": lambda rng: (
        (rng.standard_normal(4), {name: rng.standard_normal(4) for name in "abc"}), {"threshold": 2.0}),
    "face_recognition.hardest_triplets": lambda rng: ((rng.standard_normal((9, 3)), rng.integers(3, size=9)), {}),
    "face_recognition.all_triplets": lambda rng: ((rng.integers(3, size=9),), {}),
    **{f"knn.{name}": lambda rng: (_knn_pair(rng), {}) for name in (
        "compute_distances_two_loops", "compute_distances_one_loop", "compute_distances_no_loops", "l1_distances")},
    "knn.predict_labels": lambda rng: ((rng.random((6, 9)), rng.integers(3, size=9)), {"k": 4}),
    "knn.cross_validate_knn": lambda rng: (
        (rng.standard_normal((3, 20)), rng.integers(3, size=20), [1, 3, 5]),
        {"n_folds": 4, "seed": 2, "distance": ("l1", "l2")[rng.integers(2)]}),
    "linear_classifier.add_bias_row": lambda rng: ((rng.standard_normal((4, 6)),), {}),
    **{f"linear_classifier.{name}": lambda rng: (_linear_problem(rng) + (0.1,), {}) for name in (
        "svm_loss_loops", "svm_loss_vectorized", "softmax_loss_loops", "softmax_loss_vectorized")},
    "linear_classifier.train_linear_classifier": lambda rng: (
        _linear_problem(rng, m=30)[1:], {"loss": ("svm", "softmax")[rng.integers(2)], "learning_rate": 0.1,
                                         "num_iters": 15, "batch_size": 10, "seed": 3}),
    "linear_classifier.predict_linear": lambda rng: (_linear_problem(rng)[:2], {}),
    **{f"style_transfer.{name}": lambda rng: ((rng.standard_normal((1, 3, 4, 5)), rng.standard_normal((1, 3, 4, 5))), {})
       for name in ("compute_content_cost", "compute_layer_style_cost")},
    "style_transfer.gram_matrix": lambda rng: ((rng.standard_normal((5, 12)),), {}),
    "style_transfer.compute_style_cost": lambda rng: (
        ([rng.standard_normal((1, 3, 4, 5)), rng.standard_normal((1, 2, 2, 7))],
         [rng.standard_normal((1, 3, 4, 5)), rng.standard_normal((1, 2, 2, 7))], [0.3, 2.0]), {}),
    "style_transfer.total_cost": lambda rng: ((np.array(rng.random()), np.array(rng.random())), {"alpha": 3, "beta": 7}),
    **{f"rnn.{kind}_cell_forward": (lambda kind: lambda rng: (  # xt (3, 5), a_prev (4, 5) [, c_prev (4, 5)]
        (rng.standard_normal((3, 5)), *(rng.standard_normal((4, 5)) for _ in range(1 + (kind == "lstm"))),
         rnn_parameters(rng, kind if kind != "gru" else "gru_simplified")), {}))(kind) for kind in ("rnn", "lstm", "gru")},
    **{f"rnn.{kind}_forward": (lambda kind: lambda rng: (
        (rng.standard_normal((3, 5, 6)), rng.standard_normal((4, 5)), rnn_parameters(rng, kind)), {}))(kind)
       for kind in ("rnn", "lstm", "gru")},
    **{f"rnn.{kind}_cell_backward": (lambda kind: lambda rng: (  # d of every output but y: (4, 5) each
        (*(rng.standard_normal((4, 5)) for _ in range(1 + (kind == "lstm"))),
         NUMPY[f"rnn.{kind}_cell_forward"](*CASES[f"rnn.{kind}_cell_forward"](rng)[0])[-1]), {}))(kind)
       for kind in ("rnn", "lstm", "gru")},
    **{f"rnn.{kind}_backward": (lambda kind: lambda rng: (
        (rng.standard_normal((4, 5, 6)), NUMPY[f"rnn.{kind}_forward"](*CASES[f"rnn.{kind}_forward"](rng)[0])[-1]), {}))(kind)
       for kind in ("rnn", "lstm", "gru")},
    "rnn.clip": lambda rng: (({k: 3 * rng.standard_normal((3, 4)) for k in ("dWax", "dba")}, 1.5), {}),
    "rnn.clip_by_norm": lambda rng: (({k: 3 * rng.standard_normal((3, 4)) for k in ("dWax", "dba")}, 2.0), {}),
    "rnn.sample": lambda rng: ((rnn_parameters(rng, "rnn", n_x=5, n_y=5), {"\n": 0, **dict(zip("abcd", range(1, 5)))}),
                               {"seed": 3, "temperature": 1.5, "max_length": 12}),
    "rnn.sequence_loss": lambda rng: ((NUMPY["basics.softmax"](rng.standard_normal((4, 3, 5)), axis=0),
                                       rng.integers(4, size=(3, 5))), {}),
    "rnn.bidirectional_forward": lambda rng: (
        (rng.standard_normal((3, 5, 6)), rng.standard_normal((4, 5)), rng.standard_normal((2, 5)),
         rnn_parameters(rng, "rnn"), rnn_parameters(rng, "rnn", n_a=2)), {}),
    "word_vectors.cosine_similarity": lambda rng: ((rng.standard_normal((5, 4)), rng.standard_normal(4)), {}),
    "word_vectors.complete_analogy": lambda rng: (
        ("a", "b", "c", {w: rng.standard_normal(4) for w in "abcdefgh"}), {}),
    "word_vectors.neutralize": lambda rng: ((rng.standard_normal((5, 4)), rng.standard_normal(4)), {}),
    "word_vectors.equalize": lambda rng: (  # unit-length rows (m = 3 pairs), as equalize expects
        (tuple(NUMPY["basics.normalize_rows"](rng.standard_normal((3, 4))) for _ in range(2)),
         rng.standard_normal(4)), {}),
    "sentiment.sentence_to_avg": lambda rng: (("A good, GOOD film; not bad", {w: rng.standard_normal(4) for w in (
        "good", "film", "bad", "plot")}), {}),
    "sentiment.avg_classifier_forward": lambda rng: (
        (rng.standard_normal((4, 6)), rng.standard_normal((3, 4)), rng.standard_normal((3, 1))), {}),
    "sentiment.avg_classifier_backward": lambda rng: (
        (rng.standard_normal((3, 6)),
         NUMPY["sentiment.avg_classifier_forward"](*CASES["sentiment.avg_classifier_forward"](rng)[0])[1]), {}),
    "sentiment.train_avg_classifier": lambda rng: (
        (rng.standard_normal((4, 20)), rng.integers(3, size=(1, 20)).astype(np.float64)),
        {"n_classes": 4, "learning_rate": 0.5, "num_epochs": 3, "mini_batch_size": 8, "seed": 2}),
    "sentiment.predict": lambda rng: ((rng.standard_normal((4, 6)), {"W": rng.standard_normal((3, 4)),
                                                                     "b": rng.standard_normal((3, 1))}), {}),
    "glove.weighting": lambda rng: ((np.where(rng.random((4, 5)) < 0.2, 0.0, rng.uniform(0, 300, (4, 5))),), {}),
    "glove.glove_loss_and_grads": lambda rng: (  # V = 6, n_e = 3, 20 entries (rows repeat, some x above x_max)
        (rng.standard_normal((6, 3)), rng.standard_normal((6, 3)), rng.standard_normal(6), rng.standard_normal(6),
         rng.integers(6, size=20), rng.integers(6, size=20), np.exp(rng.uniform(-1, 6, size=20))), {}),
    "glove.glove_vectors": lambda rng: ((rng.standard_normal((6, 3)), rng.standard_normal((6, 3))), {}),
    "word2vec.softmax_loss_and_grads": lambda rng: (  # e_c (4, 5), U (7, 5), targets (4,)
        (rng.standard_normal((4, 5)), rng.standard_normal((7, 5)), rng.integers(7, size=4)), {}),
    "word2vec.sgns_loss_and_grads": lambda rng: (  # e_c, u_o (4, 5), u_neg (4, 3, 5)
        (rng.standard_normal((4, 5)), rng.standard_normal((4, 5)), rng.standard_normal((4, 3, 5))), {}),
    "word2vec.hs_loss_and_grads": lambda rng: (  # e_c (5,), a path of 4 nodes (4, 5), its bits (4,)
        (rng.standard_normal(5), rng.standard_normal((4, 5)), rng.integers(2, size=4)), {}),
}


def _to_torch(x, device):
    """Arrays become tensors on ``device``, inside tuples, lists and dicts too (caches, parameters)."""
    if isinstance(x, np.ndarray):
        return torch.as_tensor(x, device=device)
    if isinstance(x, (tuple, list)):
        return type(x)(_to_torch(v, device) for v in x)
    if isinstance(x, dict):
        return {k: _to_torch(v, device) for k, v in x.items()}
    return x


# Looser than 1e-10 where the output amplifies roundoff, and why.
RTOL = {"gradient_checking.gradient_check_n": (1e-6, "finite differences divide 1-ulp differences of "
                                                     "the two backends' costs by epsilon")}


def assert_agree(expected, got, device, where="output", rtol=1e-10):
    """NumPy result vs torch result, recursively; tensors must sit on ``device``."""
    if isinstance(expected, dict):
        assert set(got) == set(expected), f"{where}: keys {sorted(got)} != {sorted(expected)}"
        for k in expected:
            assert_agree(expected[k], got[k], device, f"{where}[{k!r}]", rtol)
    elif isinstance(expected, (tuple, list)):
        assert len(got) == len(expected), f"{where}: length {len(got)} != {len(expected)}"
        for i, (e, g) in enumerate(zip(expected, got)):
            assert_agree(e, g, device, f"{where}[{i}]", rtol)
    elif isinstance(expected, (np.ndarray, float)):
        if isinstance(got, torch.Tensor):
            assert got.device.type == device, f"{where} is on {got.device}, expected {device}"
            want = torch.int64 if np.asarray(expected).dtype.kind in "iu" else torch.float64  # labels are int64
            assert got.dtype == want, f"{where} has dtype {got.dtype}, expected {want}"
        assert np.shape(expected) == tuple(np.shape(got.cpu() if isinstance(got, torch.Tensor) else got)), where
        assert rel_error(expected, got) < rtol, f"{where}: relative error {rel_error(expected, got):.2e}"
    else:
        assert got == expected, f"{where}: {got!r} != {expected!r}"


def test_every_numpy_function_has_a_torch_twin_with_the_same_signature():
    for key, fn in NUMPY.items():
        if key in BACKEND_NEUTRAL or key in BACKWARD_OF:
            continue
        assert key in TORCH, f"dlkit.numpy.{key} has no twin in dlkit.torch"
        np_params = list(inspect.signature(fn).parameters)
        torch_params = list(inspect.signature(TORCH[key]).parameters)
        assert torch_params[: len(np_params)] == np_params, f"{key}: {torch_params} does not start with {np_params}"


def test_every_twin_has_a_parity_case():
    missing = set(NUMPY) - set(CASES) - set(BACKEND_NEUTRAL) - set(BACKWARD_OF)
    assert not missing, f"add parity cases for {sorted(missing)}"


# Hand-written gradients and the test below that compares each with autograd.
AUTOGRAD_CHECKED = set(BACKWARD_OF) | {
    "basics.sigmoid_derivative",  # test_sigmoid_derivative_agrees_with_autograd
    "logistic_regression.propagate",  # test_propagate_gradients_are_autograds
    "activations.softmax_backward",  # test_softmax_backward_agrees_with_autograd
} | {  # their torch twins are autograd through the forward twin: test_forward_agrees compares the two
    f"activations.{name}" for name in (
        "tanh_derivative", "relu_derivative", "leaky_relu_derivative", "elu_derivative", "prelu_backward",
        "maxout_backward")
} | {
    f"deep_network.{name}" for name in ("linear_backward", "linear_activation_backward", "L_model_backward")
} | {"shallow_network.backward_propagation"} | {
    "batch_norm.batchnorm_backward", "batch_norm.layernorm_backward", "softmax_regression.softmax_cross_entropy",
} | {
    f"regularization.{name}" for name in ("backward_propagation_with_regularization", "dropout_backward",
                                          "backward_propagation_with_dropout", "cross_entropy_with_label_smoothing")
} | {f"convolution.{name}" for name in ("conv_backward", "pool_backward", "conv_transpose_backward")} | {  # dW by autograd in the twins
    f"linear_classifier.{name}" for name in ("svm_loss_loops", "svm_loss_vectorized", "softmax_loss_loops",
                                             "softmax_loss_vectorized")} | {  # twins: autograd through the forward twin
    f"rnn.{kind}_{part}backward" for kind in ("rnn", "lstm", "gru") for part in ("cell_", "")}

AUTOGRAD_CHECKED |= {"glove.glove_loss_and_grads"}  # the twin's gradients are autograd's: test_forward_agrees compares
AUTOGRAD_CHECKED |= {f"word2vec.{name}" for name in (  # twins: autograd; test_forward_agrees compares the gradients
    "softmax_loss_and_grads", "sgns_loss_and_grads", "hs_loss_and_grads")}
AUTOGRAD_CHECKED |= {"sentiment.avg_classifier_backward"}  # twin: autograd through the forward twin (test_forward_agrees)


def test_every_hand_written_gradient_is_checked_against_autograd():
    missing = set(hand_written_gradients()) - AUTOGRAD_CHECKED
    assert not missing, f"compare {sorted(missing)} with torch autograd"


@pytest.mark.parametrize("key", sorted(CASES))
def test_forward_agrees(key, device, rng):
    args, kwargs = CASES[key](rng)
    kwargs = dict(kwargs)
    torch_only = kwargs.pop("torch_only", {})
    if "device" in torch_only:
        torch_only["device"] = device
    expected = NUMPY[key](*args, **kwargs)
    got = TORCH[key](*(_to_torch(a, device) for a in args), **kwargs, **torch_only)
    assert_agree(expected, got, device, rtol=RTOL.get(key, (1e-10,))[0])


@pytest.mark.parametrize("key", sorted(BACKWARD_OF))
def test_backward_agrees_with_autograd(key, device, rng):
    forward = BACKWARD_OF[key]
    args, kwargs = CASES[forward](rng)
    out, cache = NUMPY[forward](*args, **kwargs)
    dout = rng.standard_normal(np.shape(out))
    expected = NUMPY[key](dout, cache)
    inputs = [torch.tensor(a, device=device, requires_grad=True) for a in args]
    out_t, _ = TORCH[forward](*inputs, **kwargs)
    (out_t * torch.as_tensor(dout, device=device)).sum().backward()
    assert_agree(tuple(expected), tuple(x.grad for x in inputs), device)


def test_sigmoid_derivative_agrees_with_autograd(device, rng):
    z = torch.tensor(8 * rng.standard_normal((4, 5)), device=device, requires_grad=True)
    TORCH["basics.sigmoid"](z).sum().backward()
    assert_agree(NUMPY["basics.sigmoid_derivative"](z.detach().cpu().numpy()), z.grad, device)


def test_propagate_gradients_are_autograds(device, rng):
    """The torch twin's dw, db come from autograd; the NumPy ones are derived by hand."""
    args, _ = CASES["logistic_regression.propagate"](rng)
    grads, _ = NUMPY["logistic_regression.propagate"](*args)
    w, b, X, Y = (torch.tensor(a, dtype=torch.float64, device=device) for a in args)
    w.requires_grad_(True)
    b.requires_grad_(True)
    Z = w.T @ X + b
    logsig = torch.nn.functional.logsigmoid  # log a = logsig(z), log(1 - a) = logsig(-z)
    cost = -(Y * logsig(Z) + (1 - Y) * logsig(-Z)).mean()
    cost.backward()
    assert_agree((grads["dw"], grads["db"]), (w.grad, b.grad), device)


def test_twins_keep_the_input_dtype(device):
    z = torch.linspace(-3, 3, 7, dtype=torch.float32, device=device)
    assert TORCH["basics.sigmoid"](z).dtype == torch.float32
    assert TORCH["basics.softmax"](z).device.type == device


def test_softmax_backward_agrees_with_autograd(device, rng):
    z = torch.tensor(3 * rng.standard_normal((5, 6)), device=device, requires_grad=True)
    dS = rng.standard_normal((5, 6))
    S = torch.softmax(z, dim=0)
    (S * torch.as_tensor(dS, device=device)).sum().backward()
    assert_agree(NUMPY["activations.softmax_backward"](dS, S.detach().cpu().numpy(), axis=0), z.grad, device)
