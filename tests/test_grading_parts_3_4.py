"""The instructor's nbgrader workflow, end to end, on Parts III and IV.

As tests/test_grading_parts_1_2.py, on the chapters from convolutional
networks on.
"""

import pytest

from grading_class import PARTS_3_4, students, graded_course, check_scores, check_feedback_and_export

pytestmark = pytest.mark.slow
ASSIGNMENTS = PARTS_3_4


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return graded_course(tmp_path_factory.mktemp("course"), ASSIGNMENTS)


@pytest.mark.parametrize("assignment, student", [(a, s) for a in ASSIGNMENTS for s in students(a)])
def test_each_test_cell_gets_the_points_earned(course, assignment, student):
    check_scores(course, assignment, student)


def test_feedback_and_export(course):
    check_feedback_and_export(course, ASSIGNMENTS)
