"""Chapter 12, the costs of neural style transfer: content, Gram matrix, style and total cost.

C is the content image, S the style image, G the generated one.  All three
go through the same fixed network; a layer's activations are a: (1, n_H,
n_W, n_C) (NHWC, one image).  Unrolled with one channel per row they are
A = a.reshape(n_H n_W, n_C).T: (n_C, n_H n_W), and the Gram matrix

    G = A A^T: (n_C, n_C),   G[k, k'] = sum_{h, w} a[h, w, k] a[h, w, k']

holds how strongly channels k and k' fire together, summed over positions:
a statistic of the image's textures that ignores where things are.

    J_content(C, G) = 1 / (4 n_H n_W n_C) * sum (a_C - a_G)^2
    J_style^[l](S, G) = 1 / (4 n_C^2 (n_H n_W)^2) * sum_{k, k'} (G_S[k, k'] - G_G[k, k'])^2
    J_style(S, G) = sum_l lambda^[l] J_style^[l](S, G)
    J(G) = alpha J_content(C, G) + beta J_style(S, G)

Their gradients, which drive the pixels of G (through the network, by autograd):

    dJ_content / da_G = -(a_C - a_G) / (2 n_H n_W n_C)
    dJ_style^[l] / dA_G = -(G_S - G_G) A_G / (n_C^2 (n_H n_W)^2)

Normalisers: the notes write J_content = 1/2 ||a_C - a_G||^2, and the
style normaliser differs between the notes, the lecture and common
assignments.  Here both costs are divided by the size of what they compare
(the content cost by the n_H n_W n_C activations, the style cost by the
(n_C n_H n_W)^2 terms of the lecture's 1/(2 n_H n_W n_C)^2), so that a cost
does not grow with the layer or the image: alpha, beta and the layer
weights lambda^[l] need no retuning when the layer or the image size
changes.  The constants only rescale alpha and beta; the minimisers are the same.
"""

import numpy as np

from dlkit._shapes import check_shape, format_shape
from dlkit.numpy._arrays import as_array


def _check_pair(name_a, a, name_b, b):
    """Two activations (1, n_H, n_W, n_C) of the same shape, as arrays."""
    a, b = as_array(name_a, a), as_array(name_b, b)
    check_shape(name_a, a, (1, "n_H", "n_W", "n_C"))
    if a.shape != b.shape:
        raise ValueError(f"{name_b} has shape {format_shape(b.shape)}, expected {name_a}'s shape {format_shape(a.shape)}")
    return a, b


def _unroll(a):
    """a: (1, n_H, n_W, n_C) -> A: (n_C, n_H n_W), one channel per row."""
    _, n_H, n_W, n_C = a.shape
    return a.reshape(n_H * n_W, n_C).T


def compute_content_cost(a_C, a_G):
    """J_content = 1 / (4 n_H n_W n_C) * sum (a_C - a_G)^2, a float.

    a_C, a_G: (1, n_H, n_W, n_C), the content and the generated image's
    activations at one layer.  (The notes' 1/2 ||a_C - a_G||^2, divided by
    2 n_H n_W n_C, the layer's size: see the module docstring.)

    >>> compute_content_cost(np.ones((1, 2, 2, 1)), np.zeros((1, 2, 2, 1)))
    0.25
    """
    a_C, a_G = _check_pair("a_C", a_C, "a_G", a_G)
    _, n_H, n_W, n_C = a_C.shape
    return float(np.sum((a_C - a_G) ** 2) / (4 * n_H * n_W * n_C))


def gram_matrix(A):
    """The Gram matrix G = A A^T: (n_C, n_C) of A: (n_C, n_H n_W), one channel per row.

    G[k, k'] is the dot product of channels k and k' over all positions;
    G is symmetric and positive semi-definite.

    >>> gram_matrix(np.array([[1.0, 2.0], [0.0, 3.0]]))
    array([[5., 6.],
           [6., 9.]])
    """
    A = as_array("A", A)
    check_shape("A", A, ("n_C", "n_H*n_W"))
    return A @ A.T


def compute_layer_style_cost(a_S, a_G):
    """J_style^[l] = 1 / (4 n_C^2 (n_H n_W)^2) * sum (G_S - G_G)^2, a float.

    a_S, a_G: (1, n_H, n_W, n_C), the style and the generated image's
    activations at layer l; G_S, G_G: (n_C, n_C) their Gram matrices, of
    the activations unrolled to (n_C, n_H n_W).

    >>> compute_layer_style_cost(np.ones((1, 1, 2, 1)), np.zeros((1, 1, 2, 1)))   # G_S = [[2]], G_G = [[0]]
    0.25
    """
    a_S, a_G = _check_pair("a_S", a_S, "a_G", a_G)
    _, n_H, n_W, n_C = a_S.shape
    G_S, G_G = gram_matrix(_unroll(a_S)), gram_matrix(_unroll(a_G))   # (n_C, n_C)
    return float(np.sum((G_S - G_G) ** 2) / (4 * n_C ** 2 * (n_H * n_W) ** 2))


def _check_layers(style_activations, generated_activations, weights):
    lengths = (len(style_activations), len(generated_activations), len(weights))
    if lengths[0] == 0 or len(set(lengths)) != 1:
        raise ValueError(f"style_activations, generated_activations and weights have lengths {lengths}, "
                         "expected one equal number of layers, at least one")


def compute_style_cost(style_activations, generated_activations, weights):
    """J_style = sum_l weights[l] * J_style^[l](S, G), a float.

    style_activations, generated_activations: lists of activations (1, n_H,
    n_W, n_C), one per chosen layer (the shapes may differ between layers);
    weights: the lambda^[l], one per layer (they need not sum to 1).
    """
    _check_layers(style_activations, generated_activations, weights)
    J = 0.0
    for l, (a_S, a_G, lam) in enumerate(zip(style_activations, generated_activations, weights)):
        a_S, a_G = _check_pair(f"style_activations[{l}]", a_S, f"generated_activations[{l}]", a_G)
        J += lam * compute_layer_style_cost(a_S, a_G)
    return float(J)


def total_cost(J_content, J_style, alpha=10, beta=40):
    """J(G) = alpha J_content + beta J_style, a float; J_content and J_style are scalars.

    >>> total_cost(0.5, 0.25)
    15.0
    """
    J_content, J_style = as_array("J_content", J_content), as_array("J_style", J_style)
    check_shape("J_content", J_content, ())
    check_shape("J_style", J_style, ())
    return float(alpha * J_content + beta * J_style)
