"""Grade a class in parallel with nbgrader, one writer to the gradebook.

1. Check every submission: a valid student id, the assignment's notebooks
   present under their names, each a readable notebook.  Problems are
   reported and those submissions left out; nothing else is affected.
2. Execute: the submissions still to grade are split into small batches;
   ``jobs`` workers each run ``nbgrader autograde`` on a batch in a scratch
   copy of the course (the configuration, a copy of the gradebook, that
   batch's submissions).  The sandboxed executions are stored in the course's
   ``.grading-cache/``; nothing is written to the real gradebook.
3. Record: ``nbgrader autograde`` in the course itself, which finds each
   execution in the cache and saves the grades: the only writer.

A run that is killed keeps what the cache holds; run it again and only what
is missing is executed.  The per-batch command of step 2 is the unit to
spread over machines (see the README).
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import nbformat

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]*$")
CACHE = ".grading-cache"


def nbgrader(*args, cwd, check=False):
    """Run an nbgrader command of this Python's environment in the course directory ``cwd``.

    nbgrader calls ``alembic`` by name, so the environment's bin/ goes first on PATH.
    Returns the CompletedProcess (output captured); ``check`` raises on a non-zero exit.
    """
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, check=check)


def expected_notebooks(course, assignment):
    return sorted(p.name for p in (course / "solutions" / assignment).glob("*.ipynb"))


def check_submissions(course, assignment):
    """(valid student ids, {student: problem}) for the submissions of ``assignment``."""
    valid, problems = [], {}
    wanted = expected_notebooks(course, assignment)
    for folder in sorted((course / "submitted").glob(f"*/{assignment}")):
        student = folder.parent.name
        if not STUDENT_ID.match(student):
            problems[student] = ("student id has characters other than letters, digits and _ . @ + -; "
                                 "rename the folder")
            continue
        found = sorted(p.name for p in folder.glob("*.ipynb"))
        missing = [n for n in wanted if n not in found]
        if missing:
            problems[student] = f"missing {', '.join(missing)} (found: {', '.join(found) or 'no notebook'})"
            continue
        for name in wanted:
            try:
                nbformat.read(folder / name, as_version=4)
            except Exception as e:  # noqa: BLE001 (any unreadable file)
                problems[student] = f"{name} is not a valid notebook: {type(e).__name__}: {str(e)[:120]}"
                break
        else:
            valid.append(student)
    return valid, problems


def _execute_batch(course, assignment, students, force):
    """Step 2 for one batch, in a scratch copy of the course."""
    with tempfile.TemporaryDirectory(prefix="dlkit-batch-") as tmp:
        scratch = Path(tmp)
        shutil.copy(course / "nbgrader_config.py", scratch)
        shutil.copytree(course / "solutions" / assignment, scratch / "solutions" / assignment)
        if (course / "gradebook.db").exists():
            shutil.copy(course / "gradebook.db", scratch)
        for s in students:
            shutil.copytree(course / "submitted" / s / assignment, scratch / "submitted" / s / assignment)
        args = ["autograde", assignment, f"--SandboxedExecute.cache_dir={course / CACHE}"]
        return nbgrader(*args, *(["--force"] if force else []), cwd=scratch)


def _to_grade(course, assignment, students, force):
    if force:
        return students
    return [s for s in students if not (course / "autograded" / s / assignment).exists()]


def autograde(course, assignment, jobs=None, batch=4, force=False, out=sys.stdout):
    """Grade every submission of ``assignment`` in the course directory ``course``; returns the summary rows."""
    course = Path(course).resolve()
    started = time.monotonic()
    jobs = jobs or os.cpu_count() or 1
    students, problems = check_submissions(course, assignment)
    for student, why in problems.items():
        print(f"  skipped {student}: {why}", file=out)
    todo = _to_grade(course, assignment, students, force)
    print(f"{assignment}: {len(students)} submissions, {len(todo)} to grade, {jobs} workers", file=out)
    batches = [todo[i:i + batch] for i in range(0, len(todo), batch)]
    done = 0
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(_execute_batch, course, assignment, b, force): b for b in batches}
        for future in as_completed(futures):
            done += len(futures[future])
            print(f"  executed {done}/{len(todo)}  ({time.monotonic() - started:.0f} s)", file=out, flush=True)
    record = nbgrader("autograde", assignment, f"--SandboxedExecute.cache_dir={course / CACHE}",
                      *(["--force"] if force else []), cwd=course)
    rows = summary(course, assignment, students, problems, record)
    print_summary(rows, time.monotonic() - started, out)
    return rows


def summary(course, assignment, students, problems, record):
    """One row per submission: student, score, max, flags, seconds, status."""
    from nbgrader.api import Gradebook, MissingEntry

    rows = []
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in students:
            folder = course / "autograded" / student / assignment
            events, seconds = [], 0.0
            for report in folder.glob("*.grading.json"):
                data = json.loads(report.read_text())
                events += data["events"]
                seconds += data["seconds"]
            try:
                sub = gb.find_submission(assignment, student)
                score, max_score, status = sub.score, sub.max_score, "graded" if folder.exists() else "failed"
            except MissingEntry:
                score, max_score, status = 0.0, 0.0, "failed"
            flags = sorted({e["kind"] for e in events})
            rows.append({"student": student, "score": score, "max_score": max_score, "flags": flags,
                         "seconds": seconds, "status": status})
    rows += [{"student": s, "score": 0.0, "max_score": 0.0, "flags": [why], "seconds": 0.0, "status": "skipped"}
             for s, why in problems.items()]
    report = course / f"grading_report_{assignment}.json"
    report.write_text(json.dumps({"rows": rows, "nbgrader_log": record.stdout[-20000:] + record.stderr[-20000:]},
                                 indent=1))
    return rows


def print_summary(rows, seconds, out):
    width = max([len(r["student"]) for r in rows] + [7])
    print(f"\n{'student':<{width}}  {'score':>11}  {'status':<8} flags", file=out)
    for r in sorted(rows, key=lambda r: r["student"]):
        score = f"{r['score']:g}/{r['max_score']:g}"
        print(f"{r['student']:<{width}}  {score:>11}  {r['status']:<8} {', '.join(r['flags'])}", file=out)
    counts = {k: sum(r["status"] == k for r in rows) for k in ("graded", "failed", "skipped")}
    flagged = sum(bool(r["flags"]) and r["status"] == "graded" for r in rows)
    print(f"\n{counts['graded']} graded ({flagged} flagged), {counts['failed']} failed, {counts['skipped']} skipped "
          f"in {seconds:.0f} s; details in grading_report_*.json", file=out)
