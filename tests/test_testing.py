"""dlkit.testing: the numerical tools and the student-facing assertions of test cells."""

import numpy as np
import pytest

from dlkit.testing import assert_close, assert_own_implementation, assert_shape, numerical_gradient, rel_error


def test_rel_error():
    assert rel_error(np.ones(3), np.ones(3)) == 0.0
    assert rel_error(np.array([1.0]), np.array([3.0])) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="shapes differ"):
        rel_error(np.ones(3), np.ones((3, 1)))


def test_numerical_gradient_is_second_order_and_restores_x():
    x = np.array([[0.5, -1.0], [2.0, 0.1]])
    before = x.copy()
    g = numerical_gradient(lambda x: float(np.sum(np.sin(x))), x)
    np.testing.assert_allclose(g, np.cos(before), rtol=1e-9)
    np.testing.assert_array_equal(x, before)


def test_assert_shape_messages():
    assert_shape("dw", np.zeros((2, 1)), (2, 1))
    with pytest.raises(AssertionError, match=r"^dw has shape \(2, 3\), expected \(2, 1\)$"):
        assert_shape("dw", np.zeros((2, 3)), (2, 1))
    with pytest.raises(AssertionError, match=r"dw is None \(did the function forget to return\?\)"):
        assert_shape("dw", None, (2, 1))


@pytest.mark.parametrize(
    "value, expected, message",
    [
        (None, 1.0, r"cost is None \(did the function forget to return\?\), expected a number"),
        ([1.0, 2.0], np.ones(2), r"cost is list, expected an array of shape \(2,\)"),
        (np.ones((2, 1)), np.ones((1, 2)), r"cost has shape \(2, 1\), expected \(1, 2\)"),
        (np.ones(2), 1.0, r"cost has shape \(2,\), expected a single number"),
        (np.array([1.0, 2.5, 3.0]), np.array([1.0, 2.0, 3.0]), r"cost is wrong at index \(1,\): got 2.5, expected 2 \(1 of 3 entries differ\)"),
        (0.5, 0.25, r"^cost is 0.5, expected 0.25$"),
    ],
)
def test_assert_close_messages(value, expected, message):
    with pytest.raises(AssertionError, match=message):
        assert_close("cost", value, expected)


def test_assert_close_accepts_what_is_right():
    assert_close("x", np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-12]))
    assert_close("x", 3, 3.0)
    assert_close("x", np.float64(3.0), 3.0)


def _notebook(source):
    """Run ``source`` as a notebook would (module __main__) and return its namespace."""
    namespace = {"__name__": "__main__"}
    exec(compile(source, "<notebook cell>", "exec"), namespace)
    return namespace


OWN = """
import numpy as np
from dlkit.numpy.basics import sigmoid        # a tool the chapter provides
def helper(z):
    return sigmoid(z)
def predict(w, b, X):
    return (helper(w.T @ X + b) > 0.5) * 1.0
"""

DELEGATING = {
    "alias": "from dlkit.numpy.logistic_regression import predict",
    "renamed import": "from dlkit.numpy.logistic_regression import predict as p\ndef predict(w, b, X):\n    return p(w, b, X)",
    "module attribute": "import dlkit.numpy.logistic_regression as lr\ndef predict(w, b, X):\n    return lr.predict(w, b, X)",
    "parent package": "import dlkit\ndef predict(w, b, X):\n    return dlkit.numpy.logistic_regression.predict(w, b, X)",
    "through a helper": "import dlkit.torch.logistic_regression as t\ndef h(*a):\n    return t.predict(*a)\ndef predict(w, b, X):\n    return h(w, b, X)",
    "import inside": "def predict(w, b, X):\n    from dlkit.numpy.logistic_regression import predict as p\n    return p(w, b, X)",
    "closure": "from dlkit.numpy.logistic_regression import predict as p\ndef make():\n    q = p\n    def predict(w, b, X):\n        return q(w, b, X)\n    return predict\npredict = make()",
    "callable object": ("import dlkit.numpy.logistic_regression as lr\nclass Model:\n    def __call__(self, *a):\n"
                        "        return lr.predict(*a)\nmodel = Model()\ndef predict(w, b, X):\n    return model(w, b, X)"),
    "class attribute": ("import dlkit.numpy.logistic_regression as lr\nclass Model:\n    @staticmethod\n"
                        "    def run(*a):\n        return lr.predict(*a)\ndef predict(w, b, X):\n    return Model.run(w, b, X)"),
}


def test_own_implementation_passes():
    assert_own_implementation(_notebook(OWN)["predict"], "logistic_regression")


@pytest.mark.parametrize("how", sorted(DELEGATING))
def test_delegating_to_dlkit_is_caught(how):
    predict = _notebook(DELEGATING[how])["predict"]
    with pytest.raises(AssertionError, match="dlkit"):
        assert_own_implementation(predict, "logistic_regression")


def test_backend_neutral_topics_are_forbidden_too():
    f1 = _notebook("from dlkit.metrics import f1 as _f1\ndef f1(y, p):\n    return _f1(y, p)")["f1"]
    with pytest.raises(AssertionError, match="from dlkit.metrics"):
        assert_own_implementation(f1, "metrics")
    assert_own_implementation(f1, "strategy")                  # metrics stays a tool when not graded


MODULE_CLASSES = {
    "subclass": "import dlkit.numpy.logistic_regression as lr\nclass Model(lr.Model):\n    pass",
    "method": "import dlkit.numpy.logistic_regression as lr\nclass Model:\n    def forward(self, *a):\n"
              "        return lr.predict(*a)",
}


@pytest.mark.parametrize("how", sorted(MODULE_CLASSES))
def test_a_class_that_extends_or_calls_dlkit_is_caught(how, monkeypatch):
    import dlkit.numpy.logistic_regression as lr

    monkeypatch.setattr(lr, "Model", type("Model", (), {"__module__": lr.__name__}), raising=False)
    Model = _notebook(MODULE_CLASSES[how])["Model"]
    with pytest.raises(AssertionError, match="dlkit"):
        assert_own_implementation(Model, "logistic_regression")


def test_an_own_class_passes():
    Model = _notebook("import numpy as np\nclass Model:\n    def forward(self, x):\n        return np.tanh(x)")["Model"]
    assert_own_implementation(Model, "logistic_regression")
