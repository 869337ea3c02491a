"""Shape checks shared by both backends.

Every public function checks its inputs and raises ``ValueError`` naming the
expected and the received shape, e.g. ``Y has shape (5,), expected (1, m) = (1, 5)``.
"""


def format_shape(shape):
    """``(5,)``, ``(2, 3)``: a shape written as Python writes a tuple."""
    return str(tuple(int(n) for n in shape))


def _describe(expected, dims):
    names = "(" + ", ".join("*" if e is None else str(e) for e in expected)
    names += ",)" if len(expected) == 1 else ")"
    if any(isinstance(e, str) and e in dims for e in expected):  # sizes where known, else the name
        sizes = tuple("*" if e is None else dims.get(e, e) for e in expected)
        values = "(" + ", ".join(map(str, sizes)) + (",)" if len(sizes) == 1 else ")")
        return f"{names} = {values}"
    return names


def check_shape(name, x, expected, dims=None):
    """Raise ``ValueError`` unless ``x.shape`` matches ``expected``.

    expected: a tuple whose items are ints (that size), None (any size) or
    names such as ``"m"``; a name is bound in ``dims`` the first time it is
    seen, and every later use must have the same size.  Returns ``dims``.

    >>> import numpy as np
    >>> dims = check_shape("X", np.zeros((3, 5)), ("n_x", "m"))
    >>> check_shape("Y", np.zeros(5), (1, "m"), dims)
    Traceback (most recent call last):
    ...
    ValueError: Y has shape (5,), expected (1, m) = (1, 5)
    """
    dims = {} if dims is None else dims
    shape = tuple(x.shape)
    # sizes fixed by names seen before this call; a mismatch reports those
    known = dict(dims)
    ok = len(shape) == len(expected)
    if ok:
        for size, want in zip(shape, expected):
            if isinstance(want, str):
                if known.setdefault(want, size) != size:
                    ok = False
            elif want is not None and size != want:
                ok = False
    if not ok:
        raise ValueError(f"{name} has shape {format_shape(shape)}, expected {_describe(expected, dims)}")
    dims.update(known)
    return dims
