"""nbgrader configuration of the course (run nbgrader from the repository root).

solutions/<assignment>/ holds the source notebooks (solutions, visible and
hidden tests); `nbgrader generate_assignment` writes the student versions to
exercises/<assignment>/.  submitted/, autograded/, feedback/ and gradebook.db
are the instructor's, created here when grading (and ignored by git).
"""

import os

c = get_config()  # noqa: F821 (provided by nbgrader)

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.course_id = "dlkit"

# Released notebooks keep no outputs and say plainly where to write code.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearOutput.enabled = True
# Grading: a cell may run for at most 60 s; a whole notebook is bounded by that and its cell count.
c.ExecutePreprocessor.timeout = 60
c.Execute.timeout = 60
