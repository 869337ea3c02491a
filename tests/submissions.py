"""Build student submissions from an assignment's source and released notebooks, and grade them.

Shared by the grading tests and the grading benchmark.
"""

import copy
import re
import shutil
from pathlib import Path

import nbformat

from dlkit.grading.runner import nbgrader
from helpers import ROOT


def meta(cell):
    return cell.metadata.get("nbgrader", {})


def solutions(source):
    """grade_id -> the solution cell's code without the BEGIN/END SOLUTION markers."""
    return {meta(c)["grade_id"]: re.sub(r"[ \t]*### (BEGIN|END) SOLUTION\n", "", c.source)
            for c in source.cells if meta(c).get("solution")}


def fill(released, answers):
    """The released notebook with some solution cells answered, as a student would."""
    nb = copy.deepcopy(released)
    for cell in nb.cells:
        if meta(cell).get("grade_id") in answers:
            cell.source = answers[meta(cell)["grade_id"]]
    return nb


def points_of(source):
    """Test cell grade_id -> its points."""
    return {meta(c)["grade_id"]: float(meta(c)["points"]) for c in source.cells if meta(c).get("grade")}


class Course:
    """A scratch nbgrader course with the repository's config and solutions, assignments generated."""

    def __init__(self, root, assignments, config_extra=""):
        from dlkit.grading import sandbox

        self.root = Path(root)
        shutil.copy(ROOT / "nbgrader_config.py", self.root)
        if not sandbox.available():  # grade anyway; the tests of the sandbox itself skip
            config_extra += "\nc.SandboxedExecute.require_sandbox = False\n"
        with open(self.root / "nbgrader_config.py", "a") as f:
            f.write("\n" + config_extra)
        shutil.copytree(ROOT / "solutions", self.root / "solutions")
        self.notebooks = {}
        for assignment in assignments:
            nbgrader("generate_assignment", assignment, "--force", cwd=self.root, check=True)
            path = next((self.root / "solutions" / assignment).glob("*.ipynb"))
            self.notebooks[assignment] = (path.name,
                                          nbformat.read(path, as_version=4),
                                          nbformat.read(self.root / "exercises" / assignment / path.name, as_version=4))

    def source(self, assignment):
        return self.notebooks[assignment][1]

    def released(self, assignment):
        return self.notebooks[assignment][2]

    def submit(self, student, assignment, nb, name=None):
        folder = self.root / "submitted" / student / assignment
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / (name or self.notebooks[assignment][0])
        if isinstance(nb, (str, bytes)):
            target.write_bytes(nb.encode() if isinstance(nb, str) else nb)
        else:
            nbformat.write(nb, target)
        return target

    def run(self, *args, check=True):
        return nbgrader(*args, cwd=self.root, check=check)

    def scores(self, assignment, student):
        """Test cell grade_id -> the score in the gradebook."""
        from nbgrader.api import Gradebook

        stem = Path(self.notebooks[assignment][0]).stem
        with Gradebook(f"sqlite:///{self.root / 'gradebook.db'}") as gb:
            return {t: gb.find_grade(t, stem, assignment, student).score for t in points_of(self.source(assignment))}
