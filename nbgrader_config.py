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

# Safe autograding (dlkit.grading): the kernel runs sandboxed (bubblewrap: no course files, no
# network, read-only system, resource limits); a crashed or timed-out kernel scores 0 on the test
# cells it did not run; output is capped; replaced test helpers are detected. See README.md.
from dlkit.grading.execute import SandboxedExecute  # noqa: E402
from dlkit.grading.sanitize import RestoreCellMetadata  # noqa: E402
from nbgrader.converters.autograde import Autograde  # noqa: E402
from nbgrader.preprocessors import Execute, OverwriteCells  # noqa: E402

# nbgrader's own sanitizing steps, with the cells' metadata restored from the gradebook first
c.Autograde.sanitize_preprocessors = [
    step for default in Autograde.class_traits()["sanitize_preprocessors"].default()
    for step in ([RestoreCellMetadata, default] if default is OverwriteCells else [default])
]

# nbgrader's own autograde steps, with SandboxedExecute in place of Execute
c.Autograde.autograde_preprocessors = [
    SandboxedExecute if step is Execute else step
    for step in Autograde.class_traits()["autograde_preprocessors"].default()
]
c.SandboxedExecute.timeout = 60             # seconds per cell
c.SandboxedExecute.notebook_timeout = 600   # seconds per notebook
c.SandboxedExecute.max_output_bytes = 200_000
c.SandboxedKernelManager.memory_mb = 3072     # address space per process in the sandbox
c.SandboxedKernelManager.cpu_seconds = 600
c.LimitOutput.max_lines = 1000
