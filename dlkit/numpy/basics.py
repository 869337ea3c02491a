"""Chapter 1, NumPy basics: activations, reshaping, normalization, losses, broadcasting."""

import numpy as np

from dlkit._shapes import check_shape, format_shape
from dlkit.numpy._arrays import as_array


def sigmoid(z):
    """Logistic sigmoid, element-wise: s = 1 / (1 + exp(-z)).

    Written so that neither branch overflows: for z < 0 it uses
    exp(z) / (1 + exp(z)), which is the same number.

    z: a scalar or an array of any shape.  Returns s, same shape, in (0, 1).

    >>> sigmoid(np.array([-1.0, 0.0, 2.0])).round(4)
    array([0.2689, 0.5   , 0.8808])
    """
    z = as_array("z", z)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_derivative(z):
    """Derivative of the sigmoid: s'(z) = s(z) (1 - s(z)).

    z: a scalar or an array of any shape.  Returns ds, same shape, at most 1/4.

    >>> float(sigmoid_derivative(0.0))
    0.25
    """
    s = sigmoid(z)
    return s * (1.0 - s)


def image2vector(image):
    """Unroll an image into a column vector.

    image: (height, width, depth).  Returns v: (height * width * depth, 1),
    in C order: the depth index varies fastest.
    """
    image = as_array("image", image)
    check_shape("image", image, ("height", "width", "depth"))
    return image.reshape(-1, 1)  # (h * w * d, 1)


def normalize_rows(x):
    """Scale every row of x to unit Euclidean length: x_i / ||x_i||_2.

    x: (n, m).  Returns an array of the same shape; a row of zeros stays zeros.

    >>> normalize_rows(np.array([[0.0, 3.0, 4.0]]))
    array([[0. , 0.6, 0.8]])
    """
    x = as_array("x", x)
    check_shape("x", x, ("n", "m"))
    norms = np.linalg.norm(x, axis=1, keepdims=True)  # (n, 1)
    return np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)


def softmax(x, axis=-1):
    """Softmax along one axis: exp(x_j) / sum_k exp(x_k).

    Subtracts the maximum first, so large inputs cannot overflow; the result
    is unchanged because softmax(x + c) = softmax(x) for any constant c.

    x: an array of any shape; axis: the axis whose entries sum to 1
    (the last one by default: the rows of a 2-D array).

    >>> softmax(np.array([[1.0, 1.0], [0.0, np.log(3.0)]]))
    array([[0.5 , 0.5 ],
           [0.25, 0.75]])
    """
    x = as_array("x", x)
    if x.ndim == 0:
        raise ValueError("x has shape (), expected at least one axis")
    shifted = x - np.max(x, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)


def _same_shape(yhat, y):
    yhat, y = as_array("yhat", yhat), as_array("y", y)
    if yhat.shape != y.shape:  # no silent broadcasting of (m,) against (1, m)
        raise ValueError(f"y has shape {format_shape(y.shape)}, expected the shape of yhat, {format_shape(yhat.shape)}")
    return yhat, y


def L1(yhat, y):
    """L1 loss: sum_i |y_i - yhat_i|.

    yhat, y: arrays of the same shape.  Returns a float.

    >>> L1(np.array([0.9, 0.2, 0.1, 0.4, 0.9]), np.array([1, 0, 0, 1, 1]))
    1.1
    """
    yhat, y = _same_shape(yhat, y)
    return float(np.sum(np.abs(y - yhat)))


def L2(yhat, y):
    """L2 loss: sum_i (y_i - yhat_i)^2.

    yhat, y: arrays of the same shape.  Returns a float.

    >>> round(L2(np.array([0.9, 0.2, 0.1, 0.4, 0.9]), np.array([1, 0, 0, 1, 1])), 12)
    0.43
    """
    yhat, y = _same_shape(yhat, y)
    d = (y - yhat).ravel()
    return float(d @ d)


def broadcast_shape(*shapes):
    """The shape NumPy's broadcasting gives to arrays of the given shapes.

    The rules: line the shapes up from the right, padding the shorter ones
    with 1s on the left; in each position the sizes must be equal or one of
    them 1, and the result takes the larger.  Agrees with
    ``np.broadcast_shapes``, including the ``ValueError`` when they clash.

    shapes: tuples of non-negative ints (an int stands for a 1-tuple).

    >>> broadcast_shape((3, 1), (4,))
    (3, 4)
    """
    shapes = [(s,) if isinstance(s, int) else tuple(s) for s in shapes]
    for s in shapes:
        if not all(isinstance(n, (int, np.integer)) and n >= 0 for n in s):
            raise ValueError(f"{s} is not a shape: expected a tuple of non-negative ints")
    ndim = max((len(s) for s in shapes), default=0)
    padded = [(1,) * (ndim - len(s)) + s for s in shapes]
    result = []
    for axis, sizes in enumerate(zip(*padded)):
        others = {n for n in sizes if n != 1}
        if len(others) > 1:
            listed = " and ".join(format_shape(s) for s in shapes)
            raise ValueError(
                f"shapes {listed} cannot be broadcast: axis {axis - ndim} has sizes "
                f"{sorted(others)}, which are neither equal nor 1"
            )
        result.append(others.pop() if others else 1)
    return tuple(int(n) for n in result)
