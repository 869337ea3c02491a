"""Safe autograding on top of nbgrader (needs the ``grade`` extra).

nbgrader restores the locked test cells of a submission and scores them; it
runs the submission's code as the instructor, in the course directory.  This
package adds, without replacing nbgrader's gradebook, feedback or export:

- :mod:`dlkit.grading.sandbox`: the kernel runs under bubblewrap with only
  the Python environment visible (read-only), no network, its own process
  tree, and resource limits (memory, CPU time, file size, open files);
- :mod:`dlkit.grading.execute`: :class:`SandboxedExecute`, nbgrader's
  ``Execute`` preprocessor with that kernel, a time limit per cell and per
  notebook, output caps, zero points for cells a crashed kernel never ran,
  and checks that the test helpers were not tampered with;
- :mod:`dlkit.grading.__main__`: ``python -m dlkit.grading autograde``, which
  grades a class in parallel with one writer to the gradebook.

The repository's ``nbgrader_config.py`` switches these on.
"""
