"""The parallel runner: same scores as plain nbgrader, a summary, and a restart after being killed."""

import os
import signal
import subprocess
import sys

import pytest

from adversarial import ASSIGNMENT
from submissions import Course, fill, points_of, solutions

pytestmark = pytest.mark.slow


def _class(root):
    course = Course(root, [ASSIGNMENT], config_extra="c.SandboxedExecute.timeout = 4\n")
    answers = solutions(course.source(ASSIGNMENT))
    released = course.released(ASSIGNMENT)
    half = {k: v for k, v in answers.items() if k in {"sigmoid", "softmax"}}
    for i in range(6):
        course.submit(f"student{i}", ASSIGNMENT, fill(released, [answers, {}, half][i % 3]))
    course.submit("broken", ASSIGNMENT, "{ not json")
    expected = {f"student{i}": [10.0, 0.0, 3.0][i % 3] for i in range(6)}
    return course, expected


def _runner(course, *args, **kwargs):
    cmd = [sys.executable, "-m", "dlkit.grading", "autograde", ASSIGNMENT, "-j", "2", "--batch", "1", *args]
    return subprocess.Popen(cmd, cwd=course.root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True, **kwargs)


def test_runner_grades_the_class_and_survives_a_kill(tmp_path):
    course, expected = _class(tmp_path)
    first = _runner(course)
    for line in first.stdout:  # kill the whole run once the first submissions are executed
        if "executed 2/" in line:
            os.killpg(first.pid, signal.SIGKILL)
            break
    first.wait()
    cached = len(list((course.root / ".grading-cache").glob("*.json")))
    assert cached >= 1, "nothing was kept from the killed run"
    second = _runner(course)
    out, _ = second.communicate(timeout=600)
    assert second.returncode == 1, out  # 1: a submission was skipped (the broken file)
    assert "skipped broken: numpy_basics.ipynb is not a valid notebook" in out
    assert "6 graded" in out and "1 skipped" in out, out
    for student, total in expected.items():
        assert sum(course.scores(ASSIGNMENT, student).values()) == total, student
    # a regrade of everything gives the same scores
    third = _runner(course, "--force")
    third.communicate(timeout=600)
    for student, total in expected.items():
        assert sum(course.scores(ASSIGNMENT, student).values()) == total, student
    assert (course.root / f"grading_report_{ASSIGNMENT}.json").exists()


def test_same_scores_as_plain_nbgrader(tmp_path):
    course, expected = _class(tmp_path)
    course.run("autograde", ASSIGNMENT, check=False)
    plain = {s: course.scores(ASSIGNMENT, s) for s in expected}
    assert {s: sum(v.values()) for s, v in plain.items()} == expected
    assert points_of(course.source(ASSIGNMENT)) == plain["student0"]


def test_kernel_manager_cleanup_runs_jupyters_and_removes_the_scratch_directory(recwarn):
    """Both jupyter_client's cleanup (awaited, not a dropped coroutine) and the removal of the sandbox's directory."""
    import asyncio
    from pathlib import Path

    from dlkit.grading.execute import SandboxedKernelManager

    km = SandboxedKernelManager()
    workdir = Path(km.workdir)
    assert workdir.is_dir()
    asyncio.run(km.cleanup_resources())
    assert not workdir.exists()
    assert not [w for w in recwarn if "never awaited" in str(w.message)]
