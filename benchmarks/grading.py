"""Grading a class: plain nbgrader (serial) against the course's parallel runner.

A generated class of 100 submissions of 01_numpy_basics, a realistic mix:
45 correct, 25 partly correct, 12 empty, 10 broken (a syntax error, a wrong
function, a kernel crash) and 8 adversarial (two endless loops, tampered
helpers, floods of output, file and network snooping).  The same class is
graded twice from scratch with the repository's nbgrader_config.py: once
with ``nbgrader autograde`` (one submission at a time), once with
``python -m dlkit.grading autograde -j <cores>``.  Reported: submissions per
minute and the ratio; the two runs must give the same scores.

Run: ``.venv/bin/python benchmarks/run.py grading`` (about 10 minutes on 2
cores; ``--quick`` grades 6 submissions).  The ratio is parallel time over
serial time: below 1 is faster.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from adversarial import ASSIGNMENT, CORPUS  # noqa: E402
from submissions import Course, fill, solutions  # noqa: E402

RUN_BY_DEFAULT = False  # about 15 minutes: `benchmarks/run.py grading`
MIX = [("correct", 45), ("partial", 25), ("empty", 12), ("broken", 10), ("adversarial", 8)]
ADVERSARIAL = ["patched_helpers", "huge_output", "reads_secrets", "endless_loop", "swallowed_errors",
               "writes_outside", "rewritten_tests", "endless_loop"]
BROKEN = ["syntax_error", "os_exit", "segfault"]


def make_class(root, students):
    root.mkdir(parents=True)
    course = Course(root, [ASSIGNMENT])
    answers, released = solutions(course.source(ASSIGNMENT)), course.released(ASSIGNMENT)
    names = sorted(answers)
    scale = students / sum(n for _, n in MIX)
    k = 0
    for kind, n in MIX:
        for i in range(max(1, round(n * scale))):
            if kind == "correct":
                code = answers
            elif kind == "partial":
                code = {g: answers[g] for g in names[: 1 + i % (len(names) - 1)]}
            elif kind == "empty":
                code = {}
            else:
                case = CORPUS[(BROKEN if kind == "broken" else ADVERSARIAL)[i % (3 if kind == "broken" else 8)]]
                code = {**answers, **{g: v.replace("{root}", str(root)).replace("{port}", "9")
                                      for g, v in case.replace.items()}}
                for g, v in case.append.items():
                    code[g] = code[g] + "\n" + v.replace("{root}", str(root)).replace("{port}", "9")
            course.submit(f"{kind}{i:03d}", ASSIGNMENT, fill(released, code))
            k += 1
    return course, k


def totals(course):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course.root / 'gradebook.db'}") as gb:
        return {s.student.id: s.score for s in gb.assignment_submissions(ASSIGNMENT)}


def run(quick=False, students=None, jobs=None):
    """Grade the same generated class serially and in parallel.  Returns (sizes, rows) as run.py expects."""
    from dlkit.grading.runner import autograde

    students = students or (6 if quick else 100)
    jobs = jobs or os.cpu_count()
    seconds, scores = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for mode in ("serial", "parallel"):
            course, n = make_class(Path(tmp) / mode, students)
            start = time.monotonic()
            if mode == "serial":
                course.run("autograde", ASSIGNMENT, check=False)
            else:
                with open(os.devnull, "w") as quiet:
                    autograde(course.root, ASSIGNMENT, jobs=jobs, out=quiet)
            seconds[mode], scores[mode] = time.monotonic() - start, totals(course)
    differ = {s: (scores["serial"][s], scores["parallel"].get(s)) for s in scores["serial"]
              if scores["serial"][s] != scores["parallel"].get(s)}
    if differ:
        raise AssertionError(f"the parallel runner and plain nbgrader disagree (serial, parallel): {differ}")
    workload = f"autograde a class of {n} (per minute: serial {60 * n / seconds['serial']:.1f}, " \
               f"parallel {60 * n / seconds['parallel']:.1f})"
    rows = [{"workload": workload, "variant": "nbgrader autograde, serial (reference)", "best_s": seconds["serial"],
             "number": 1, "ratio": 1.0},
            {"workload": workload, "variant": f"python -m dlkit.grading autograde -j {jobs}",
             "best_s": seconds["parallel"], "number": 1, "ratio": seconds["parallel"] / seconds["serial"]}]
    return {"students": n, "jobs": jobs, "mix": dict(MIX)}, rows
