"""Adversarial submissions (tests/adversarial.py) get exactly the points they earned, with a reason.

One class of 01_numpy_basics submissions, one per attack, plus a correct one
and broken files, graded with the repository's nbgrader_config.py (tighter
time limits, to keep the suite fast).  Each case is its own test: removing the
protection it relies on makes it fail.
"""

import json
import socket

import nbformat
import pytest

from adversarial import ASSIGNMENT, CORPUS
from dlkit.grading import sandbox
from submissions import Course, fill, points_of, solutions

pytestmark = pytest.mark.slow
LIMITS = "c.SandboxedExecute.timeout = 15\nc.SandboxedExecute.notebook_timeout = 120\n"
NOTEBOOK = "numpy_basics.ipynb"
BROKEN = {"not_json": "this is not a notebook {", "old_nbformat": None, "wrong_name": None}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = Course(tmp_path_factory.mktemp("adversarial"), [ASSIGNMENT], config_extra=LIMITS)
    server = socket.create_server(("127.0.0.1", 0))
    server.setblocking(False)
    port = server.getsockname()[1]
    released, answers = course.released(ASSIGNMENT), solutions(course.source(ASSIGNMENT))

    def fmt(code):
        return code.replace("{root}", str(course.root)).replace("{port}", str(port))

    for name, case in CORPUS.items():
        if case.needs_sandbox and not sandbox.available():
            continue
        code = {**answers, **{k: fmt(v) for k, v in case.replace.items()}}
        for k, v in case.append.items():
            code[k] = code[k] + "\n" + fmt(v)
        nb = fill(released, code)
        course.submit(name, ASSIGNMENT, case.edit(nb) if case.edit else nb)
    correct = fill(released, answers)
    course.submit("correct", ASSIGNMENT, correct)
    course.submit("not_json", ASSIGNMENT, BROKEN["not_json"])
    course.submit("old_nbformat", ASSIGNMENT, nbformat.writes(nbformat.convert(correct, 3), version=3))
    course.submit("wrong_name", ASSIGNMENT, correct, name="my_homework.ipynb")
    proc = course.run("autograde", ASSIGNMENT, check=False)
    course.run("generate_feedback", ASSIGNMENT, check=False)
    yield course, server, proc
    server.close()


def _report(course, student):
    return json.loads((course.root / "autograded" / student / ASSIGNMENT / "numpy_basics.grading.json").read_text())


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_attack_earns_what_it_earned(graded, name):
    course, server, _ = graded
    case = CORPUS[name]
    if case.needs_sandbox and not sandbox.available():
        pytest.skip("bubblewrap is not available here: the sandbox is not exercised")
    points = points_of(course.source(ASSIGNMENT))
    expected = {t: 0.0 if t in case.lost else p for t, p in points.items()}
    assert course.scores(ASSIGNMENT, name) == expected, case.description
    events = {e["kind"] for e in _report(course, name)["events"]}
    assert case.events <= events, f"{case.description}: report has {events}"
    autograded = course.root / "autograded" / name / ASSIGNMENT / NOTEBOOK
    assert autograded.stat().st_size < 2_000_000, f"the autograded notebook is {autograded.stat().st_size} bytes"
    if case.check:
        case.check(str(course.root), autograded.read_text())
    feedback = (course.root / "feedback" / name / ASSIGNMENT / "numpy_basics.html").read_text()
    for kind, shown in (("tampering", "GraderTampering"), ("KernelDied", "KernelDied"), ("cell timeout", "Timeout")):
        if kind in case.events:
            assert shown in feedback, f"the feedback does not say {shown}"


def test_nothing_reached_the_network(graded):
    _, server, _ = graded
    if not sandbox.available():
        pytest.skip("bubblewrap is not available here: the sandbox is not exercised")
    with pytest.raises(BlockingIOError):
        server.accept()


def test_the_rest_of_the_class_is_graded(graded):
    course, _, proc = graded
    points = points_of(course.source(ASSIGNMENT))
    assert course.scores(ASSIGNMENT, "correct") == points
    assert _report(course, "correct")["events"] == [], "a correct submission was flagged"
    assert course.scores(ASSIGNMENT, "old_nbformat") == points  # nbgrader upgrades version 3
    assert (course.root / "gradebook.db").stat().st_size < 5_000_000


@pytest.mark.parametrize("student", ["not_json", "wrong_name"])
def test_broken_files_score_zero_with_a_message(graded, student):
    course, _, proc = graded
    assert sum(course.scores(ASSIGNMENT, student).values()) == 0
    assert student in proc.stdout + proc.stderr
