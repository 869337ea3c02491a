"""Chapter 1 in PyTorch: twins of :mod:`dlkit.numpy.basics`."""

import torch

from dlkit._shapes import check_shape, format_shape
from dlkit.torch._tensors import as_tensor


def sigmoid(z):
    """Logistic sigmoid, element-wise: s = 1 / (1 + exp(-z)).  z: any shape."""
    return torch.sigmoid(as_tensor("z", z))


def sigmoid_derivative(z):
    """s'(z) = s(z) (1 - s(z)).  z: any shape."""
    s = sigmoid(z)
    return s * (1.0 - s)


def image2vector(image):
    """image: (height, width, depth) -> v: (height * width * depth, 1), C order."""
    image = as_tensor("image", image)
    check_shape("image", image, ("height", "width", "depth"))
    return image.reshape(-1, 1)  # (h * w * d, 1)


def normalize_rows(x):
    """x_i / ||x_i||_2 for every row of x: (n, m); zero rows stay zero."""
    x = as_tensor("x", x)
    check_shape("x", x, ("n", "m"))
    norms = torch.linalg.vector_norm(x, dim=1, keepdim=True)  # (n, 1)
    return torch.where(norms > 0, x / torch.where(norms > 0, norms, 1.0), 0.0)


def softmax(x, axis=-1):
    """exp(x_j) / sum_k exp(x_k) along ``axis``, computed after subtracting the max."""
    x = as_tensor("x", x)
    if x.dim() == 0:
        raise ValueError("x has shape (), expected at least one axis")
    shifted = x - torch.amax(x, dim=axis, keepdim=True)
    e = torch.exp(shifted)
    return e / torch.sum(e, dim=axis, keepdim=True)


def _same_shape(yhat, y):
    yhat = as_tensor("yhat", yhat)
    y = as_tensor("y", y, like=yhat)
    if yhat.shape != y.shape:
        raise ValueError(f"y has shape {format_shape(y.shape)}, expected the shape of yhat, {format_shape(yhat.shape)}")
    return yhat, y


def L1(yhat, y):
    """sum_i |y_i - yhat_i|, a 0-d tensor.  yhat, y: one shape."""
    yhat, y = _same_shape(yhat, y)
    return torch.sum(torch.abs(y - yhat))


def L2(yhat, y):
    """sum_i (y_i - yhat_i)^2, a 0-d tensor.  yhat, y: one shape."""
    yhat, y = _same_shape(yhat, y)
    d = (y - yhat).reshape(-1)
    return d @ d
