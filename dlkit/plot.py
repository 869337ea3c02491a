"""Figures for the book and the notebooks: image grids, cost curves, decision regions, confusion matrices,
computation graphs.

Every function draws into a new Figure (or into an ``ax`` that the caller
passes) and returns it; nothing here calls ``plt.show()`` or changes
matplotlib's global settings.
"""

import math

import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

FORWARD_COLOR = "#1a5e20"    # values of the forward pass
BACKWARD_COLOR = "#b3261e"   # gradients of the backward pass
INPUT_FILL = "#eeeeee"       # leaves of a computation graph
OP_FILL = "#dce8f7"          # operations of a computation graph


def _new_axes(ax, figsize):
    """``ax`` itself, or the single Axes of a new Figure of size ``figsize``."""
    if ax is not None:
        return ax
    return Figure(figsize=figsize).add_subplot()


def image_grid(images, titles=None, ncols=8, cmap="gray", title_colors=None, cell_size=1.3, vmin=0.0, vmax=1.0):
    """Show images in a grid, one per Axes, without ticks.

    images: (m, h, w) grey or (m, h, w, 3) RGB, values in [vmin, vmax].
    titles: m strings or None; title_colors: m colours or None (black).
    ncols: images per row (fewer when m is smaller); cell_size: inches per image.
    Returns the Figure; it has ceil(m / ncols) * ncols Axes, and the cells
    after the m-th are blank and switched off.
    """
    images = np.asarray(images)
    if images.ndim not in (3, 4) or (images.ndim == 4 and images.shape[-1] != 3):
        raise ValueError(f"images has shape {images.shape}, expected (m, h, w) or (m, h, w, 3)")
    m = len(images)
    if m == 0:
        raise ValueError("images is empty: expected at least one image")
    for name, seq in (("titles", titles), ("title_colors", title_colors)):
        if seq is not None and len(seq) != m:
            raise ValueError(f"{name} has {len(seq)} entries, expected one per image ({m})")
    ncols = max(1, min(ncols, m))
    nrows = math.ceil(m / ncols)
    extra = 0.35 if titles is not None else 0.0       # room for the titles
    fig = Figure(figsize=(ncols * cell_size, nrows * (cell_size + extra)), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for k, ax in enumerate(axes.flat):
        if k >= m:
            ax.set_axis_off()
            continue
        ax.imshow(images[k], cmap=None if images.ndim == 4 else cmap, vmin=vmin, vmax=vmax)
        ax.set_xticks([])
        ax.set_yticks([])
        if titles is not None:
            color = "black" if title_colors is None else title_colors[k]
            ax.set_title(titles[k], fontsize=9, color=color)
    return fig


def cost_curve(costs, record_every=100, ax=None, label=None, logy=False, iterations=None, **line_kwargs):
    """Plot costs recorded every ``record_every`` iterations (at 0, record_every, ...).

    costs: a sequence of numbers (e.g. ``model(...)["costs"]``).  iterations:
    the iteration of each cost, when they are not evenly spaced (the deep
    models of chapter 4 also record the last iteration).  Call it again with
    the same ``ax`` to add curves for comparison; a label adds a legend.
    line_kwargs go to ``ax.plot`` (``marker=""`` turns the markers off).
    Returns the Axes, with x = iteration and y = cost.  Without ``ax`` the
    Axes belongs to a new Figure outside pyplot, which a notebook shows only
    when it is displayed: end the cell with ``ax.figure``.

    >>> ax = cost_curve([0.69, 0.41, 0.35], record_every=100)
    >>> ax.get_lines()[0].get_xdata().tolist()
    [0, 100, 200]
    """
    costs = np.asarray([float(c) for c in costs])
    if costs.ndim != 1 or len(costs) == 0:
        raise ValueError(f"costs has shape {costs.shape}, expected a non-empty sequence of numbers")
    ax = _new_axes(ax, (5, 3.2))
    if iterations is None:
        iterations = np.arange(len(costs)) * record_every
    elif len(iterations) != len(costs):
        raise ValueError(f"iterations has {len(iterations)} entries, expected one per cost ({len(costs)})")
    ax.plot(iterations, costs, label=label, **{"marker": "o", "markersize": 3, **line_kwargs})
    ax.set_xlabel("iteration")
    ax.set_ylabel("cost $J$")
    if logy:
        ax.set_yscale("log")
    if label is not None:
        ax.legend()
    ax.grid(True, alpha=0.3)
    return ax


REGION_COLORS = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3",
                 "#937860", "#da8bc3", "#8c8c8c", "#ccb974", "#64b5cd")   # class k's colour
BINARY_COLORS = ("#3b4cc0", "#b40426")                                     # blue 0, red 1


def decision_regions(predict, X, labels, ax=None, title=None, X_test=None, labels_test=None,
                     K=None, resolution=200, colors=None):
    """A classifier of 2-D points: the plane coloured by its predicted class, the data on top.

    predict: maps a (2, k) array of points (one per column) to k labels in
    0..K-1 (shape (k,) or (1, k)), e.g. ``lambda P: predict(parameters, P)``;
    None draws the points only.  X: (2, m), labels: (m,) or (1, m), the points
    as dots; X_test, labels_test, when given, as triangles.  K defaults to the
    largest label + 1; class k has colour ``colors[k]`` (REGION_COLORS unless
    given).  The plane spans the points plus a 10% margin, and thin grey lines
    mark the borders between regions.  Returns the Axes.
    """
    X = np.asarray(X, dtype=float)
    labels = np.asarray(labels).reshape(-1)
    if X.ndim != 2 or X.shape[0] != 2 or labels.shape != (X.shape[1],):
        raise ValueError(f"X has shape {X.shape} and labels {np.shape(labels)}, expected (2, m) and (1, m) or (m,)")
    shown = X if X_test is None else np.hstack([X, np.asarray(X_test, dtype=float)])
    every_label = labels if labels_test is None else np.concatenate([labels, np.asarray(labels_test).reshape(-1)])
    K = int(every_label.max()) + 1 if K is None else K
    colors = (REGION_COLORS if colors is None else colors)[:K]
    if len(colors) < K:
        raise ValueError(f"{len(colors)} colours for K = {K} classes: pass colors with one per class")
    cmap = ListedColormap(colors)
    ax = _new_axes(ax, (4.5, 4))
    if predict is not None:
        low, high = shown.min(axis=1), shown.max(axis=1)
        pad = 0.1 * (high - low)
        G1, G2 = np.meshgrid(np.linspace(low[0] - pad[0], high[0] + pad[0], resolution),
                             np.linspace(low[1] - pad[1], high[1] + pad[1], resolution))
        regions = np.asarray(predict(np.vstack([G1.ravel(), G2.ravel()])), dtype=float)
        if regions.size != G1.size:
            raise ValueError(f"predict returned {regions.shape} for {G1.size} points, expected one label per point")
        regions = regions.reshape(G1.shape)
        levels = np.arange(K + 1) - 0.5
        ax.contourf(G1, G2, regions, levels=levels, cmap=cmap, alpha=0.3)
        ax.contour(G1, G2, regions, levels=levels[1:-1], colors="0.35", linewidths=0.8)
    style = {"cmap": cmap, "vmin": -0.5, "vmax": K - 0.5, "edgecolors": "k"}
    ax.scatter(X[0], X[1], c=labels, s=12, linewidths=0.2, **style)
    if X_test is not None:
        ax.scatter(X_test[0], X_test[1], c=np.asarray(labels_test).reshape(-1), s=22, marker="^",
                   linewidths=0.4, **style)
    ax.set(xlabel="$x_1$", ylabel="$x_2$", title=title)
    return ax


def decision_boundary(predict, X, Y, ax=None, title=None, X_test=None, Y_test=None, resolution=200):
    """A binary classifier of 2-D points: ``decision_regions`` with K = 2, class 0 blue and 1 red.

    predict: (2, k) points -> (1, k) labels 0/1 (None: points only).  X: (2, m),
    Y: (1, m); X_test, Y_test as triangles.  Returns the Axes.
    """
    X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)
    if X.ndim != 2 or X.shape[0] != 2 or Y.shape != (1, X.shape[1]):
        raise ValueError(f"X has shape {X.shape} and Y {Y.shape}, expected (2, m) and (1, m)")
    return decision_regions(predict, X, Y, ax=ax, title=title, X_test=X_test, labels_test=Y_test, K=2,
                            resolution=resolution, colors=BINARY_COLORS)


def plot_confusion_matrix(C, class_names=None, ax=None, normalize=False, title=None):
    """Show a confusion matrix C (K, K), rows = true class, columns = predicted class.

    C: counts, e.g. ``dlkit.metrics.confusion_matrix(y_true, y_pred)``.
    normalize=True shows each row divided by its sum (the recall of each class
    on the diagonal).  Every non-zero cell is written in, in white on dark cells.
    class_names: K strings for the ticks (default 0..K-1).  Returns the Axes.
    """
    C = np.asarray(C)
    if C.ndim != 2 or C.shape[0] != C.shape[1]:
        raise ValueError(f"C has shape {C.shape}, expected a square (K, K) matrix")
    K = C.shape[0]
    if class_names is not None and len(class_names) != K:
        raise ValueError(f"class_names has {len(class_names)} entries, expected one per class ({K})")
    shown = C / np.maximum(C.sum(axis=1, keepdims=True), 1) if normalize else C
    ax = _new_axes(ax, (0.55 * K + 2, 0.5 * K + 1.5))
    ax.imshow(shown, cmap="Blues", vmin=0, vmax=max(shown.max(), 1e-12))
    fontsize = 9 if K <= 6 else 7
    for i in range(K):
        for j in range(K):
            if C[i, j]:
                text = f"{shown[i, j]:.2f}" if normalize else f"{C[i, j]}"
                dark = shown[i, j] > 0.6 * shown.max()
                ax.text(j, i, text, ha="center", va="center", fontsize=fontsize, color="white" if dark else "black")
    names = [str(k) for k in range(K)] if class_names is None else list(class_names)
    ax.set_xticks(range(K), names, rotation=45 if class_names is not None else 0,
                  ha="right" if class_names is not None else "center", fontsize=8)
    ax.set_yticks(range(K), names, fontsize=8)
    ax.set(xlabel="predicted class", ylabel="true class", title=title)
    return ax


def _border_point(center, toward, half_w, half_h):
    """Where the ray from ``center`` toward ``toward`` leaves a half_w x half_h box."""
    d = np.subtract(toward, center, dtype=float)
    if not np.any(d):
        return np.asarray(center, dtype=float)
    scale = min(half_w / abs(d[0]) if d[0] else np.inf, half_h / abs(d[1]) if d[1] else np.inf)
    return np.asarray(center, dtype=float) + min(scale, 1.0) * d


def computation_graph(nodes, edges, ax=None, box_size=(1.3, 0.55), fontsize=11, label_fontsize=10, label_at=0.5):
    """Draw a computation graph: boxes for nodes, arrows for edges, values on the arrows.

    nodes: dict name -> (x, y, label) or (x, y, label, width).  A node with
    no incoming edge is an input (grey box), the others are operations (blue
    box); a label of None draws no box, an open end for an arrow (use it for
    the output's arrow).
    edges: list of (src, dst, forward, backward): the value that flows along
    the edge in the forward pass, written above the arrow in green, and the
    gradient of the final output with respect to it, written below in red;
    either may be None.  Labels may use mathtext (``"$dz = a - y$"``).
    box_size: (width, height) of the boxes, in data units (the axes have
    equal aspect); a node's own width, when given, replaces the default.
    label_at: where along each arrow its labels sit, from 0 (the start) to 1
    (the head).  Returns the Axes.
    """
    if not 0 <= label_at <= 1:
        raise ValueError(f"label_at is {label_at!r}, expected a number in [0, 1]")
    ax = _new_axes(ax, (8, 4))
    for src, dst, *_ in edges:
        for name in (src, dst):
            if name not in nodes:
                raise ValueError(f"edge ({src!r}, {dst!r}) names node {name!r}, which is not in nodes")
    has_input = {dst for _, dst, *_ in edges}
    half_h = box_size[1] / 2
    boxes = {}                                   # name -> (x, y, half width, label)
    for name, spec in nodes.items():
        if len(spec) not in (3, 4):
            raise ValueError(f"node {name!r} is {spec!r}, expected (x, y, label) or (x, y, label, width)")
        x, y, label = spec[:3]
        boxes[name] = (x, y, (spec[3] if len(spec) == 4 else box_size[0]) / 2, label)
    for name, (x, y, half_w, label) in boxes.items():
        if label is None:
            continue
        fill = OP_FILL if name in has_input else INPUT_FILL
        ax.add_patch(FancyBboxPatch((x - half_w, y - half_h), 2 * half_w, box_size[1],
                                    boxstyle="round,pad=0,rounding_size=0.12",
                                    facecolor=fill, edgecolor="0.3", zorder=2))
        ax.text(x, y, label, ha="center", va="center", fontsize=fontsize, zorder=3)
    for src, dst, forward, backward in edges:
        (x0, y0, hw0, src_label), (x1, y1, hw1, dst_label) = boxes[src], boxes[dst]
        start = _border_point((x0, y0), (x1, y1), hw0, half_h) if src_label is not None else (x0, y0)
        end = _border_point((x1, y1), (x0, y0), hw1, half_h) if dst_label is not None else (x1, y1)
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=14,
                                     color="0.25", linewidth=1.2, shrinkA=2, shrinkB=2, zorder=1))
        mid = (1 - label_at) * np.asarray(start) + label_at * np.asarray(end)
        if forward is not None:
            ax.annotate(forward, mid, xytext=(0, 4), textcoords="offset points", ha="center",
                        va="bottom", color=FORWARD_COLOR, fontsize=label_fontsize, zorder=4)
        if backward is not None:
            ax.annotate(backward, mid, xytext=(0, -4), textcoords="offset points", ha="center",
                        va="top", color=BACKWARD_COLOR, fontsize=label_fontsize, zorder=4)
    left = min(x - hw for x, _, hw, _ in boxes.values())
    right = max(x + hw for x, _, hw, _ in boxes.values())
    ys = [y for _, y, _, _ in boxes.values()]
    ax.set_xlim(left - 0.3, right + 0.3)
    ax.set_ylim(min(ys) - half_h - 0.45, max(ys) + half_h + 0.45)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return ax
