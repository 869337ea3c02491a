"""Checks shared by the tests, the book and the notebooks' test cells.

Two kinds of helpers live here:

- numerical tools: :func:`rel_error`, :func:`numerical_gradient` (two-sided
  differences) and :func:`gradient_check`;
- assertions for test cells, whose messages are written for a student:
  :func:`assert_shape`, :func:`assert_close`, :func:`assert_own_implementation`.
  They raise ``AssertionError`` with a message that names the variable, what
  was received and what was expected.
"""

import functools
import types

import numpy as np

from dlkit._shapes import format_shape


def _to_numpy(x):
    """A NumPy array for arrays, tensors (any device) and numbers."""
    if hasattr(x, "detach"):  # a torch tensor
        x = x.detach().cpu().numpy()
    return np.asarray(x)


def rel_error(x, y, floor=1e-8):
    """Largest element-wise relative error: max |x - y| / max(floor, |x| + |y|).

    >>> f"{rel_error(np.array([1.0, 2.0]), np.array([1.0, 2.0 + 4e-8])):.1e}"
    '1.0e-08'
    """
    x, y = _to_numpy(x).astype(np.float64), _to_numpy(y).astype(np.float64)
    if x.shape != y.shape:
        raise ValueError(f"shapes differ: {format_shape(x.shape)} and {format_shape(y.shape)}")
    if x.size == 0:
        return 0.0
    return float(np.max(np.abs(x - y) / np.maximum(floor, np.abs(x) + np.abs(y))))


def numerical_gradient(f, x, h=1e-5):
    """Two-sided finite differences: df/dx_i ~ (f(x + h e_i) - f(x - h e_i)) / 2h.

    f: a function of the array x that returns a number.  x: a float array; it
    is changed in place during the computation and restored before returning.
    Returns an array of x's shape.  The error is O(h^2), against O(h) for the
    one-sided difference.

    >>> numerical_gradient(lambda x: float(np.sum(x ** 3)), np.array([1.0, 2.0])).round(6)
    array([ 3., 12.])
    """
    if not np.issubdtype(x.dtype, np.floating):
        raise ValueError(f"x has dtype {x.dtype}, expected a floating array")
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = f(x)
        x[i] = old - h
        f_minus = f(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def gradient_check(f, x, analytic, h=1e-5, tol=1e-7, name="dx"):
    """Assert that ``analytic`` is the gradient of ``f`` at ``x``; return the relative error.

    Compares against :func:`numerical_gradient` with :func:`rel_error`.  In
    float64 a correct gradient gives about 1e-9 or less; a wrong one 1e-2 or more.
    """
    numeric = numerical_gradient(f, x, h)
    analytic = _to_numpy(analytic)
    assert_shape(name, analytic, numeric.shape)
    err = rel_error(analytic, numeric)
    if not err < tol:
        errors = np.abs(analytic - numeric) / np.maximum(1e-8, np.abs(analytic) + np.abs(numeric))
        where = np.unravel_index(np.argmax(errors), numeric.shape)
        raise AssertionError(
            f"{name} fails the gradient check: relative error {err:.2e} (tolerance {tol:.0e}); "
            f"worst at index {tuple(int(i) for i in where)}: "
            f"analytic {analytic[where]:.6g}, numerical {numeric[where]:.6g}"
        )
    return err


def _describe_type(value):
    if value is None:
        return "None (did the function forget to return?)"
    return type(value).__name__


def assert_shape(name, value, expected):
    """Assert that ``value`` is an array (or tensor) of shape ``expected``.

    >>> assert_shape("dw", np.zeros((2, 3)), (2, 1))
    Traceback (most recent call last):
    ...
    AssertionError: dw has shape (2, 3), expected (2, 1)
    """
    if not hasattr(value, "shape"):
        raise AssertionError(f"{name} is {_describe_type(value)}, expected an array of shape {format_shape(expected)}")
    if tuple(value.shape) != tuple(expected):
        raise AssertionError(f"{name} has shape {format_shape(value.shape)}, expected {format_shape(expected)}")


def assert_close(name, value, expected, rtol=1e-7, atol=1e-12):
    """Assert that ``value`` equals ``expected`` up to ``rtol`` (relative) and ``atol``.

    Arrays must have the expected shape (no broadcasting); a number may stand
    for a 0-d array.  The message names the first wrong entry.

    >>> assert_close("cost", 0.5, 0.25)
    Traceback (most recent call last):
    ...
    AssertionError: cost is 0.5, expected 0.25
    """
    expected = _to_numpy(expected)
    if value is None or isinstance(value, (str, bytes, dict, list, tuple, set)):
        if expected.ndim == 0:
            raise AssertionError(f"{name} is {_describe_type(value)}, expected a number")
        raise AssertionError(f"{name} is {_describe_type(value)}, expected an array of shape {format_shape(expected.shape)}")
    if expected.ndim > 0:
        assert_shape(name, value, expected.shape)
    try:
        got = _to_numpy(value).astype(np.float64)
    except (TypeError, ValueError):
        raise AssertionError(f"{name} is {_describe_type(value)}, expected numbers") from None
    if got.ndim > 0 and expected.ndim == 0:
        raise AssertionError(f"{name} has shape {format_shape(got.shape)}, expected a single number")
    bad = ~np.isclose(got, expected, rtol=rtol, atol=atol)
    if not np.any(bad):
        return
    if expected.ndim == 0:
        raise AssertionError(f"{name} is {got.item():.6g}, expected {expected.item():.6g}")
    where = tuple(int(i) for i in np.argwhere(bad)[0])
    raise AssertionError(
        f"{name} is wrong at index {where}: got {got[where]:.6g}, expected {expected[where]:.6g} "
        f"({int(bad.sum())} of {bad.size} entries differ)"
    )


def _forbidden(obj, modules):
    """The dlkit module that ``obj`` belongs to or opens, if it is forbidden."""
    if isinstance(obj, functools.partial):
        return _forbidden(obj.func, modules)
    if isinstance(obj, types.ModuleType):
        name = obj.__name__
        # the module itself, or a package through which it can be reached
        if any(m == name or m.startswith(name + ".") for m in modules):
            return name
        return None
    owner = getattr(obj, "__module__", None)
    return owner if owner in modules else None


def _global_names(code):
    """Every global or attribute name used by ``code`` and the functions nested in it."""
    names, stack = set(), [code]
    while stack:
        co = stack.pop()
        names.update(co.co_names)
        stack.extend(c for c in co.co_consts if isinstance(c, types.CodeType))
    return names


def _defined_beside(obj, module):
    """The code to inspect next when ``func`` refers to ``obj``: ``obj`` itself if it is a
    function of the notebook (``module``), and the methods of a class of the notebook or of
    an instance of one (a callable object whose ``__call__`` delegates)."""
    if isinstance(obj, type) and obj.__module__ == module:
        cls = obj
    elif not isinstance(obj, type) and getattr(type(obj), "__module__", None) == module:
        cls = type(obj)
    else:
        return [obj] if getattr(obj, "__module__", None) == module else []
    found = []
    for klass in cls.__mro__:
        for attr in vars(klass).values():
            attr = getattr(attr, "__func__", attr)  # staticmethod, classmethod
            if callable(attr) or isinstance(attr, property):
                found += [attr.fget, attr.fset] if isinstance(attr, property) else [attr]
    return found


def assert_own_implementation(func, *topics):
    """Assert that ``func`` is the student's own code, not dlkit's answer.

    topics: names of dlkit modules whose functions are being graded, such as
    ``"logistic_regression"``: ``func`` may not be, nor call (directly or
    through helper functions of the notebook), anything from
    ``dlkit.numpy.<topic>``, ``dlkit.torch.<topic>`` or the backend-neutral
    ``dlkit.<topic>`` (``"metrics"``), nor import dlkit inside its body.  Other dlkit functions, given to the student as tools,
    stay allowed.  ``func`` may also be a class (an ``nn.Module`` to write):
    then none of its bases may come from those modules, and its methods are
    inspected like functions.
    """
    modules = {f"dlkit.{package}{topic}" for topic in topics for package in ("numpy.", "torch.", "")}
    fname = getattr(func, "__name__", repr(func))
    for obj in func.__mro__ if isinstance(func, type) else (func,):   # a class: itself and its bases
        culprit = _forbidden(obj, modules)
        if culprit:
            raise AssertionError(f"{fname} is (or extends) dlkit's own implementation from {culprit}: write your own")
    seen, todo = set(), _defined_beside(func, func.__module__) if isinstance(func, type) else [func]
    while todo:
        f = todo.pop()
        if isinstance(f, functools.partial):
            f = f.func
        code = getattr(f, "__code__", None)
        if code is None or id(f) in seen:
            continue
        seen.add(id(f))
        referenced = [(n, f.__globals__[n]) for n in _global_names(code) if n in f.__globals__]
        for c, cell in zip(code.co_freevars, f.__closure__ or ()):
            try:
                referenced.append((c, cell.cell_contents))
            except ValueError:  # a cell not yet filled
                pass
        for n in _global_names(code):
            if n == "dlkit" or n.startswith("dlkit."):
                raise AssertionError(f"{fname} imports dlkit inside a graded function: write your own code")
        for n, obj in referenced:
            culprit = _forbidden(obj, modules)
            if culprit:
                raise AssertionError(
                    f"{fname} calls dlkit's own implementation ({n}, from {culprit}): write your own code"
                )
            todo.extend(_defined_beside(obj, f.__module__))
