"""Tests of dlkit.plot: the figures carry the data, titles and labels they were given."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from dlkit.plot import BACKWARD_COLOR, FORWARD_COLOR, computation_graph, cost_curve, decision_boundary, decision_regions, image_grid
from dlkit.plot import plot_confusion_matrix


def _images(m, h=4, w=5):
    return np.random.default_rng(0).random((m, h, w))


def test_image_grid_one_axes_per_cell_and_blank_cells_switched_off():
    images = _images(5)
    fig = image_grid(images, titles=[f"#{k}" for k in range(5)], ncols=3)
    assert isinstance(fig, Figure)
    axes = fig.get_axes()
    assert len(axes) == 6                                    # 2 rows x 3 columns
    shown = [ax for ax in axes if ax.images]
    assert len(shown) == 5
    assert [ax.get_title() for ax in shown] == ["#0", "#1", "#2", "#3", "#4"]
    np.testing.assert_array_equal(shown[2].images[0].get_array(), images[2])
    assert not axes[5].axison and not axes[5].images       # the spare cell is blank


def test_image_grid_title_colors_and_fewer_images_than_columns():
    fig = image_grid(_images(2), titles=["a", "b"], title_colors=["red", "black"], ncols=8)
    axes = fig.get_axes()
    assert len(axes) == 2                                    # ncols shrinks to m
    assert matplotlib.colors.same_color(axes[0].title.get_color(), "red")
    assert axes[0].get_xticks().size == 0 and axes[0].get_yticks().size == 0


def test_image_grid_rgb_and_bad_input():
    fig = image_grid(np.zeros((3, 2, 2, 3)))
    assert fig.get_axes()[0].images[0].get_array().shape == (2, 2, 3)
    with pytest.raises(ValueError, match="expected \\(m, h, w\\)"):
        image_grid(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="titles has 1 entries, expected one per image \\(3\\)"):
        image_grid(_images(3), titles=["only one"])


def test_cost_curve_places_costs_at_recorded_iterations():
    costs = [0.69, 0.5, 0.3, 0.2]
    ax = cost_curve(costs, record_every=100)
    (line,) = ax.get_lines()
    np.testing.assert_array_equal(line.get_xdata(), [0, 100, 200, 300])
    np.testing.assert_allclose(line.get_ydata(), costs)
    assert ax.get_xlabel() == "iteration"
    assert ax.get_legend() is None


def test_cost_curve_adds_labelled_curves_to_one_axes():
    ax = Figure().add_subplot()
    cost_curve([1.0, 0.5], record_every=10, ax=ax, label="alpha = 0.1")
    assert cost_curve([0.9, 0.1], record_every=10, ax=ax, label="alpha = 1", logy=True) is ax
    assert len(ax.get_lines()) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["alpha = 0.1", "alpha = 1"]
    assert ax.get_yscale() == "log"
    with pytest.raises(ValueError, match="non-empty"):
        cost_curve([])


def _graph():
    nodes = {"a": (0, 1, "$a$"), "b": (0, 0, "$b$"), "u": (2, 0.5, "$u = a b$"), "end": (4, 0.5, None)}
    edges = [("a", "u", "5", "3"), ("b", "u", "3", "5"), ("u", "end", "15", "1")]
    return nodes, edges


def test_computation_graph_draws_boxes_arrows_and_labels():
    nodes, edges = _graph()
    ax = computation_graph(nodes, edges)
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(boxes) == 3                                   # the open end "end" has no box
    assert len(arrows) == 3
    texts = {t.get_text(): t for t in ax.texts}
    assert {"$a$", "$b$", "$u = a b$"} <= set(texts)
    forward = [t.get_text() for t in ax.texts if t.get_color() == FORWARD_COLOR]
    backward = [t.get_text() for t in ax.texts if t.get_color() == BACKWARD_COLOR]
    assert forward == ["5", "3", "15"] and backward == ["3", "5", "1"]
    # inputs are grey, operations blue
    fills = sorted(matplotlib.colors.to_hex(p.get_facecolor()) for p in boxes)
    assert fills == ["#dce8f7", "#eeeeee", "#eeeeee"]


def test_computation_graph_arrows_stop_at_the_box_borders():
    nodes, edges = _graph()
    ax = computation_graph(nodes, edges[2:] + edges[:1], box_size=(1.0, 0.5))
    arrow = next(p for p in ax.patches if isinstance(p, FancyArrowPatch))
    # FancyArrowPatch keeps its end points in _posA_posB (matplotlib has no public getter)
    (x0, y0), (x1, y1) = arrow._posA_posB                   # u -> end: from u's right edge
    assert (x0, y0) == pytest.approx((2.5, 0.5)) and (x1, y1) == pytest.approx((4, 0.5))


def test_computation_graph_rejects_unknown_nodes_and_label_positions():
    nodes, edges = _graph()
    with pytest.raises(ValueError, match="names node 'z'"):
        computation_graph(nodes, edges + [("u", "z", None, None)])
    with pytest.raises(ValueError, match="label_at"):
        computation_graph(nodes, edges, label_at=1.5)


def test_computation_graph_node_width_overrides_the_default():
    nodes = {"x": (0, 0, "$x$", 0.5), "f": (3, 0, "$f(x) = x^2$", 2.0)}
    ax = computation_graph(nodes, [("x", "f", "2", "4")], box_size=(1.0, 0.5))
    widths = sorted(p.get_width() for p in ax.patches if isinstance(p, FancyBboxPatch))
    assert widths == pytest.approx([0.5, 2.0])
    arrow = next(p for p in ax.patches if isinstance(p, FancyArrowPatch))
    (x0, _), (x1, _) = arrow._posA_posB
    assert (x0, x1) == pytest.approx((0.25, 2.0))           # from x's right edge to f's left edge
    with pytest.raises(ValueError, match="expected \\(x, y, label\\)"):
        computation_graph({"x": (0, 0)}, [])


def test_decision_boundary_colours_the_plane_by_the_predictions():
    X = np.array([[-1.0, 1.0, -1.0, 1.0], [-1.0, -1.0, 1.0, 1.0]])
    Y = np.array([[0.0, 1.0, 0.0, 1.0]])
    calls = []

    def predict(P):  # label 1 right of x1 = 0
        calls.append(P.shape)
        return (P[:1] > 0).astype(float)

    ax = decision_boundary(predict, X, Y, title="x1 > 0", resolution=50)
    assert calls == [(2, 2500)] and ax.get_title() == "x1 > 0"
    points = ax.collections[-1].get_offsets()
    np.testing.assert_array_equal(points, X.T)
    assert decision_boundary(None, X, Y).collections[-1].get_offsets().shape == (4, 2)  # points only
    with pytest.raises(ValueError, match=r"expected \(2, m\) and \(1, m\)"):
        decision_boundary(predict, X.T, Y)


def test_cost_curve_at_given_iterations():
    ax = cost_curve([0.7, 0.5, 0.4], iterations=[0, 100, 149], marker="")
    np.testing.assert_array_equal(ax.get_lines()[0].get_xdata(), [0, 100, 149])
    with pytest.raises(ValueError, match="one per cost"):
        cost_curve([0.7, 0.5], iterations=[0])


def test_decision_regions_colours_k_classes_and_checks_predict():
    X = np.array([[-1.0, 0.0, 1.0, 0.5], [0.0, 1.0, 0.0, -1.0]])
    labels = np.array([0, 1, 2, 2])

    def predict(P):  # three vertical bands
        return np.digitize(P[0], [-0.5, 0.5])

    ax = decision_regions(predict, X, labels, title="bands", resolution=40)
    regions = ax.collections[0]
    assert regions.get_array().size == 3                                # one filled level per class
    np.testing.assert_array_equal(ax.collections[-1].get_offsets(), X.T)
    np.testing.assert_array_equal(ax.collections[-1].get_array(), labels)
    assert ax.get_title() == "bands"
    with pytest.raises(ValueError, match="one label per point"):
        decision_regions(lambda P: np.zeros(3), X, labels)
    with pytest.raises(ValueError, match=r"expected \(2, m\) and \(1, m\) or \(m,\)"):
        decision_regions(predict, X, labels[:3])
    with pytest.raises(ValueError, match="2 colours for K = 3"):
        decision_regions(None, X, labels, colors=["r", "b"])


def test_confusion_matrix_plot_writes_counts_and_normalized_rows():
    C = np.array([[5, 1, 0], [2, 7, 1], [0, 0, 4]])
    ax = plot_confusion_matrix(C, class_names=["a", "b", "c"], title="dev")
    np.testing.assert_array_equal(ax.images[0].get_array(), C)
    assert sorted(t.get_text() for t in ax.texts) == sorted(str(v) for v in C.flat if v)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert ax.get_ylabel() == "true class"
    ax = plot_confusion_matrix(C, normalize=True)
    np.testing.assert_allclose(ax.images[0].get_array().sum(axis=1), 1.0)
    assert "0.70" in [t.get_text() for t in ax.texts]
    with pytest.raises(ValueError, match=r"C has shape \(2, 3\)"):
        plot_confusion_matrix(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="class_names has 2 entries"):
        plot_confusion_matrix(C, class_names=["a", "b"])
