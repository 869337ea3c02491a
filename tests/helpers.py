"""What the tests need to know about dlkit's layout: its public functions, per backend."""

import importlib
import inspect
import pkgutil


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
RETURNS_GRADIENTS = {"logistic_regression.propagate"}
