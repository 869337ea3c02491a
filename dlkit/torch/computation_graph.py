"""Chapter 2 in PyTorch: the graph J = 3(a + bc); autograd gives da, db, dc."""

from dlkit.torch._tensors import as_tensor


def computation_graph_forward(a, b, c):
    """Forward pass of J = 3(a + bc), element-wise.  Returns (J, cache)."""
    a = as_tensor("a", a)
    b, c = as_tensor("b", b, like=a), as_tensor("c", c, like=a)
    J = 3.0 * (a + b * c)
    return J, (a, b, c)
