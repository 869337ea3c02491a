"""Chapter 12 in PyTorch: twins of :mod:`dlkit.numpy.style_transfer`, and style transfer itself.

The cost functions take NHWC activations (1, n_H, n_W, n_C), as in NumPy,
and return 0-d tensors, so autograd carries their gradients back to the
pixels; :class:`dlkit.torch.models.StyleFeatures` returns its activations
permuted to NHWC for them.  :func:`style_transfer` optimises the pixels of
the generated image G with Adam on J(G) = alpha J_content + beta J_style.
"""

import numpy as np
import torch

from dlkit._shapes import check_shape, format_shape
from dlkit.numpy.style_transfer import _check_layers
from dlkit.torch._tensors import as_tensor
from dlkit.torch.models import StyleFeatures

INITS = ("content+noise", "content", "noise")


def _check_pair(name_a, a, name_b, b):
    """Two activations (1, n_H, n_W, n_C) of the same shape, as tensors."""
    a = as_tensor(name_a, a)
    b = as_tensor(name_b, b, like=a)
    check_shape(name_a, a, (1, "n_H", "n_W", "n_C"))
    if a.shape != b.shape:
        raise ValueError(f"{name_b} has shape {format_shape(b.shape)}, expected {name_a}'s shape {format_shape(a.shape)}")
    return a, b


def _unroll(a):
    """a: (1, n_H, n_W, n_C) -> A: (n_C, n_H n_W), one channel per row."""
    _, n_H, n_W, n_C = a.shape
    return a.reshape(n_H * n_W, n_C).T


def compute_content_cost(a_C, a_G):
    """J_content = 1 / (4 n_H n_W n_C) * sum (a_C - a_G)^2, a 0-d tensor; a_C, a_G: (1, n_H, n_W, n_C)."""
    a_C, a_G = _check_pair("a_C", a_C, "a_G", a_G)
    _, n_H, n_W, n_C = a_C.shape
    return ((a_C - a_G) ** 2).sum() / (4 * n_H * n_W * n_C)


def gram_matrix(A):
    """G = A A^T: (n_C, n_C) of A: (n_C, n_H n_W), one channel per row."""
    A = as_tensor("A", A)
    check_shape("A", A, ("n_C", "n_H*n_W"))
    return A @ A.T


def compute_layer_style_cost(a_S, a_G):
    """J_style^[l] = 1 / (4 n_C^2 (n_H n_W)^2) * sum (G_S - G_G)^2, a 0-d tensor; a_S, a_G: (1, n_H, n_W, n_C)."""
    a_S, a_G = _check_pair("a_S", a_S, "a_G", a_G)
    _, n_H, n_W, n_C = a_S.shape
    G_S, G_G = gram_matrix(_unroll(a_S)), gram_matrix(_unroll(a_G))   # (n_C, n_C)
    return ((G_S - G_G) ** 2).sum() / (4 * n_C ** 2 * (n_H * n_W) ** 2)


def compute_style_cost(style_activations, generated_activations, weights):
    """J_style = sum_l weights[l] * J_style^[l](S, G), a 0-d tensor; lists of (1, n_H, n_W, n_C) per layer."""
    _check_layers(style_activations, generated_activations, weights)
    terms = []
    for l, (a_S, a_G, lam) in enumerate(zip(style_activations, generated_activations, weights)):
        a_S, a_G = _check_pair(f"style_activations[{l}]", a_S, f"generated_activations[{l}]", a_G)
        terms.append(lam * compute_layer_style_cost(a_S, a_G))
    return torch.stack(terms).sum()


def total_cost(J_content, J_style, alpha=10, beta=40):
    """J(G) = alpha J_content + beta J_style, a 0-d tensor; J_content and J_style are scalars."""
    J_content = as_tensor("J_content", J_content)
    J_style = as_tensor("J_style", J_style, like=J_content)
    check_shape("J_content", J_content, ())
    check_shape("J_style", J_style, ())
    return alpha * J_content + beta * J_style


def _image(name, x, dims):
    """An NHWC image (1, n_H, n_W, 3) of pixels in [0, 1], as a NumPy array."""
    x = np.asarray(x)
    if x.dtype.kind not in "biuf":
        raise ValueError(f"{name} has dtype {x.dtype}, expected an array of real numbers")
    check_shape(name, x, (1, "n_H", "n_W", 3), dims)
    if x.size and (x.min() < 0 or x.max() > 1):
        raise ValueError(f"{name} holds values in [{x.min():.3g}, {x.max():.3g}], expected pixels in [0, 1]")
    return x


def style_transfer(content, style, features=None, content_layer=2, style_weights=(3.0, 100.0, 100.0, 100.0), alpha=10,
                   beta=40, steps=200, lr=0.03, seed=0, init="content+noise", callback=None):
    """Neural style transfer: the pixels of G minimise J(G) = alpha J_content(C, G) + beta J_style(S, G).

    content, style: (1, n_H, n_W, 3) NHWC images in [0, 1] of the same size
    (as :func:`dlkit.data.load_style_images` returns them; one style image,
    e.g. ``S[:1]``).  features: a module that maps an NCHW batch to a list of
    NHWC activations, one per layer (None: ``StyleFeatures()``, fixed random
    filters seeded by ``seed``, see :class:`dlkit.torch.models.StyleFeatures`);
    the images go to its device and dtype.  content_layer: the index of the
    layer for J_content; style_weights: the lambda^[l], one per layer of
    ``features`` (0 leaves a layer out).

    The defaults suit StyleFeatures() and 128 x 128 images: J_content at
    layer 2, block 3 (units see 18 x 18 pixels: the shapes stay, the
    surface changes); style from all four blocks.  The layer style costs of these
    features are 1e-3 or less (block 1's, whose Gram matrix includes the mean
    colours, 3e-2 or more), hence weights of 100 (3 for block 1) to bring beta
    J_style to the scale of alpha J_content; larger weights give more style
    and less content.  200 steps at 128 x 128 take about 7 s on one CPU core
    and give a picture in which the content is still recognisable under the
    style's texture and colours.

    G starts from ``init``: "content+noise" (C plus uniform noise in
    [-0.2, 0.2], seeded by ``seed``, clipped to [0, 1]), "content" (C) or
    "noise" (uniform in [0, 1], as in the notes; with alpha = 0 this
    synthesises a texture).  Starting near C needs fewer steps.
    Each of the ``steps`` steps is one Adam step with learning rate ``lr``
    on the pixels, followed by clamping them to [0, 1] (a projection onto
    the valid images; a sigmoid reparametrisation would slow the pixels
    that approach 0 or 1).  callback(step, J) is called after each step.

    Returns (G, history): G (1, n_H, n_W, 3) float64 NumPy in [0, 1];
    history[t] = (J, J_content, J_style) of the image before step t.
    """
    if init not in INITS:
        raise ValueError(f"init is {init!r}, expected one of {INITS}")
    if not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps is {steps!r}, expected a positive int")
    if not lr > 0:
        raise ValueError(f"lr is {lr!r}, expected a positive learning rate")
    dims = {}
    content, style = _image("content", content, dims), _image("style", style, dims)
    if features is None:
        features = StyleFeatures(seed=seed)
    weight = next(features.parameters(), None)
    device = weight.device if weight is not None else torch.device("cpu")
    dtype = weight.dtype if weight is not None else torch.float32
    C = torch.as_tensor(content, dtype=dtype, device=device).permute(0, 3, 1, 2)   # NHWC -> NCHW
    S = torch.as_tensor(style, dtype=dtype, device=device).permute(0, 3, 1, 2)
    with torch.no_grad():
        a_C, a_S = features(C), features(S)
    if not isinstance(content_layer, int) or not -len(a_C) <= content_layer < len(a_C):
        raise ValueError(f"content_layer is {content_layer!r}, expected an index into the {len(a_C)} layers of features")
    if len(style_weights) != len(a_S):
        raise ValueError(f"style_weights has {len(style_weights)} weights, expected one per layer of features: {len(a_S)}")
    a_C = a_C[content_layer]
    gen = torch.Generator().manual_seed(seed)
    if init == "noise":
        G = torch.rand(C.shape, generator=gen, dtype=dtype).to(device)
    elif init == "content+noise":
        G = (C + (0.4 * torch.rand(C.shape, generator=gen, dtype=dtype) - 0.2).to(device)).clamp(0, 1)
    else:
        G = C.clone()
    G.requires_grad_(True)
    optimizer = torch.optim.Adam([G], lr=lr)
    history = []
    for step in range(steps):
        optimizer.zero_grad()
        a_G = features(G)
        J_content = compute_content_cost(a_C, a_G[content_layer])
        J_style = compute_style_cost(a_S, a_G, style_weights)
        J = total_cost(J_content, J_style, alpha, beta)
        J.backward()
        optimizer.step()
        with torch.no_grad():
            G.clamp_(0, 1)
        history.append((J.item(), J_content.item(), J_style.item()))
        if callback is not None:
            callback(step, history[-1][0])
    return G.detach().permute(0, 2, 3, 1).cpu().to(torch.float64).numpy(), history
