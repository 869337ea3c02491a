"""Chapter 2, the computation graph J = 3(a + bc), forward and backward.

The graph has three nodes: u = b c, v = a + u, J = 3 v.  The backward pass
applies the chain rule from J back to the inputs:
dJ/dv = 3, dJ/du = dJ/dv, dJ/da = dJ/dv, dJ/db = dJ/du * c, dJ/dc = dJ/du * b.
"""

from dlkit.numpy._arrays import as_array


def computation_graph_forward(a, b, c):
    """Forward pass of J = 3(a + bc), element-wise.

    a, b, c: scalars or arrays of one shape.  Returns (J, cache).

    >>> J, cache = computation_graph_forward(5.0, 3.0, 2.0)
    >>> float(J)
    33.0
    """
    a, b, c = as_array("a", a), as_array("b", b), as_array("c", c)
    u = b * c
    v = a + u
    J = 3.0 * v
    return J, (a, b, c)


def computation_graph_backward(dJ, cache):
    """Backward pass of J = 3(a + bc): the gradients of a downstream loss.

    dJ: the gradient flowing into J (1.0 for J itself), J's shape.
    cache: from :func:`computation_graph_forward`.  Returns (da, db, dc).

    >>> _, cache = computation_graph_forward(5.0, 3.0, 2.0)
    >>> [float(g) for g in computation_graph_backward(1.0, cache)]
    [3.0, 6.0, 9.0]
    """
    a, b, c = cache
    dv = 3.0 * as_array("dJ", dJ)  # J = 3 v
    du = dv                        # v = a + u
    da = dv
    db = du * c                    # u = b c
    dc = du * b
    return da, db, dc
