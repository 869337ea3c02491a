"""What the tests share: dlkit's public functions per backend, and the repository's tools."""

import importlib
import importlib.util
import inspect
import pkgutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_tool(name):
    """Import tools/<name>.py (the repository's scripts) as a module."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def public_functions(backend):
    """{"topic.name": function} for every public function of dlkit.<backend>'s topic modules."""
    package = importlib.import_module(f"dlkit.{backend}")
    found = {}
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"dlkit.{backend}.{info.name}")
        for name, obj in vars(module).items():
            if inspect.isfunction(obj) and obj.__module__ == module.__name__ and not name.startswith("_"):
                found[f"{info.name}.{name}"] = obj
    return found


def hand_written_gradients():
    """NumPy functions that compute a gradient by hand: each needs a gradient check and an autograd twin check.

    The rule: names ending in ``_backward`` or ``_derivative``, and the
    functions listed in RETURNS_GRADIENTS.
    """
    return sorted(
        key for key in public_functions("numpy")
        if key.endswith(("_backward", "_derivative")) or key in RETURNS_GRADIENTS
    )


# NumPy functions whose result includes hand-written gradients (a grads dict).
RETURNS_GRADIENTS = {"logistic_regression.propagate", "shallow_network.backward_propagation",
                     "regularization.backward_propagation_with_regularization",
                     "regularization.backward_propagation_with_dropout",
                     "regularization.cross_entropy_with_label_smoothing",
                     "softmax_regression.softmax_cross_entropy",
                     *(f"linear_classifier.{name}" for name in ("svm_loss_loops", "svm_loss_vectorized",
                                                                "softmax_loss_loops", "softmax_loss_vectorized")),
                     *(f"word2vec.{name}" for name in ("softmax_loss_and_grads", "sgns_loss_and_grads",
                                                       "hs_loss_and_grads")),
                     "glove.glove_loss_and_grads"}


def rnn_parameters(rng, kind, n_x=3, n_a=4, n_y=3):
    """Random parameters of dlkit's recurrent cells: kind "rnn", "lstm", "gru" or "gru_simplified" (no Wr, br)."""
    if kind == "rnn":
        shapes = {"Wax": (n_a, n_x), "Waa": (n_a, n_a), "Wya": (n_y, n_a), "ba": (n_a, 1), "by": (n_y, 1)}
    else:
        gates = {"lstm": "fico", "gru": "urc", "gru_simplified": "uc"}[kind]
        shapes = {k: v for g in gates for k, v in ((f"W{g}", (n_a, n_a + n_x)), (f"b{g}", (n_a, 1)))}
        shapes.update({"Wy": (n_y, n_a), "by": (n_y, 1)})
    return {k: rng.standard_normal(shape) for k, shape in shapes.items()}
