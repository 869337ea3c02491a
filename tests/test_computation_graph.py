"""Chapter 2: the computation graph J = 3(a + bc) of the notes."""

import numpy as np

from dlkit.numpy.computation_graph import computation_graph_backward, computation_graph_forward


def test_worked_example_of_the_notes():
    J, cache = computation_graph_forward(5, 3, 2)
    assert J == 33
    da, db, dc = computation_graph_backward(1.0, cache)
    assert (da, db, dc) == (3, 6, 9)


def test_backward_scales_with_the_incoming_gradient():
    J, cache = computation_graph_forward(np.array([5.0, 1.0]), np.array([3.0, 2.0]), np.array([2.0, -1.0]))
    np.testing.assert_array_equal(J, [33.0, -3.0])
    da, db, dc = computation_graph_backward(np.array([2.0, 1.0]), cache)
    np.testing.assert_array_equal(da, [6.0, 3.0])
    np.testing.assert_array_equal(db, [12.0, -3.0])  # 3 c dJ
    np.testing.assert_array_equal(dc, [18.0, 6.0])  # 3 b dJ
