"""The instructor's nbgrader workflow, end to end, on Parts I and II and the appendix.

generate_assignment, autograde, generate_feedback and export on a class of
submissions (tests/grading_class.py); every test cell's score in the
gradebook, the feedback pages and the exported CSV.  Parts III and IV:
tests/test_grading_part_3.py and tests/test_grading_part_4.py (one file per
part, so that the two pytest workers grade in parallel).
"""

import pytest

from grading_class import (PARTS, students, graded_course, check_release_is_committed, check_scores,
                           check_feedback_and_export)

pytestmark = pytest.mark.slow
ASSIGNMENTS = PARTS["1_2"]


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


def test_feedback_names_the_bug(course):
    """The feedback of the student who called dlkit says why the points were withheld."""
    page = next((course.root / "feedback" / "half" / "01_numpy_basics").glob("*.html")).read_text()
    assert "calls dlkit&#39;s own implementation" in page or "calls dlkit's own implementation" in page
