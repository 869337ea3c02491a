"""Every assignment is released and graded, follows the conventions, and its release fails cleanly.

That exercises/ is what nbgrader generates from solutions/ is checked by the
grading tests (tests/test_grading_part_*.py), which generate every
assignment anyway.  The solution notebooks themselves run under nbval
(pytest collects solutions/).
"""

import nbformat
import pytest
from nbclient import NotebookClient

from helpers import ROOT, load_tool
from submissions import meta

tool = load_tool("generate_exercises")
ASSIGNMENTS = tool.assignments()
pytestmark = pytest.mark.slow


def test_every_assignment_is_released():
    assert ASSIGNMENTS, "solutions/ holds no assignment"
    assert sorted(p.name for p in (ROOT / "exercises").iterdir() if p.is_dir()) == ASSIGNMENTS


def test_every_assignment_is_graded():
    """The grading tests grade every assignment, and check there that exercises/ is what nbgrader generates."""
    from grading_class import CLASS, PARTS

    assert sorted(CLASS) == sorted(sum(PARTS.values(), [])) == ASSIGNMENTS


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_source_notebook_follows_the_conventions(assignment):
    """Every graded cell is locked, has points and a docstring; every solution region has a test."""
    for path in (ROOT / "solutions" / assignment).glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), f"{path.name}: clear outputs"
        ids = [meta(c)["grade_id"] for c in nb.cells if meta(c)]
        assert len(ids) == len(set(ids)), f"{path.name}: duplicate grade_id"
        for cell in nb.cells:
            info = meta(cell)
            if info.get("grade"):
                assert info["locked"] and info["points"] > 0, info["grade_id"]
                assert cell.source.startswith('"""'), f"{info['grade_id']}: start with a docstring saying what it checks"
                assert "assert_own_implementation" in cell.source, f"{info['grade_id']}: check the work is the student's"
            if info.get("solution"):
                assert "### BEGIN SOLUTION" in cell.source, info["grade_id"]
                assert f"test_{info['grade_id']}" in ids, f"{info['grade_id']} has no test cell test_{info['grade_id']}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_released_exercise_fails_cleanly(assignment):
    """Run as a student who wrote nothing: setup works, every test fails with NotImplementedError."""
    for path in (ROOT / "exercises" / assignment).glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        assert "### BEGIN SOLUTION" not in path.read_text() and "HIDDEN TESTS" not in path.read_text()
        NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            errors = [o for o in cell.outputs if o.output_type == "error"]
            where = meta(cell).get("grade_id") or cell.source.splitlines()[0]
            if meta(cell).get("grade"):
                assert errors, f"{where} passes on an empty submission"
            for e in errors:
                assert e.ename == "NotImplementedError", f"{where} failed with {e.ename}: {e.evalue}"
