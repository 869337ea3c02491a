"""Regenerate exercises/ from solutions/ with nbgrader (`make exercises`).

Runs `nbgrader generate_assignment` for every assignment in solutions/, in a
scratch copy of the course (so the repository gets no gradebook.db), and
replaces exercises/ with the result.  The grading tests
(tests/test_grading_part_*.py) generate every assignment the same way and
fail when exercises/ differs from their output.
"""

import argparse
import shutil
import tempfile
from pathlib import Path

from dlkit.grading.runner import nbgrader

ROOT = Path(__file__).resolve().parent.parent


def assignments(root=ROOT):
    """The assignment slugs: the folders of solutions/, in order."""
    return sorted(p.name for p in (root / "solutions").iterdir() if p.is_dir() and not p.name.startswith("."))


def generate(dest):
    """Generate every assignment's student version into ``dest``/<assignment>/."""
    with tempfile.TemporaryDirectory() as tmp:
        course = Path(tmp)
        shutil.copy(ROOT / "nbgrader_config.py", course)
        shutil.copytree(ROOT / "solutions", course / "solutions",
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        for name in assignments():
            nbgrader("generate_assignment", name, "--force", cwd=course, check=True)
        shutil.rmtree(dest, ignore_errors=True)
        shutil.copytree(course / "exercises", dest)


if __name__ == "__main__":
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()   # --help says what it does, and stops
    generate(ROOT / "exercises")
    print(f"exercises/ regenerated: {', '.join(assignments())}")
