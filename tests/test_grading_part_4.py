"""The instructor's nbgrader workflow, end to end, on Part IV (sequence models).

As tests/test_grading_part_1_2.py, on chapters 13 to 15.
"""

import pytest

from grading_class import (PARTS, students, graded_course, check_release_is_committed, check_scores,
                           check_feedback_and_export)

pytestmark = pytest.mark.slow
ASSIGNMENTS = PARTS["4"]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return graded_course(tmp_path_factory.mktemp("course"), ASSIGNMENTS)


def test_exercises_are_what_nbgrader_generates(course):
    check_release_is_committed(course, ASSIGNMENTS)


@pytest.mark.parametrize("assignment, student", [(a, s) for a in ASSIGNMENTS for s in students(a)])
def test_each_test_cell_gets_the_points_earned(course, assignment, student):
    check_scores(course, assignment, student)


def test_feedback_and_export(course):
    check_feedback_and_export(course, ASSIGNMENTS)
