"""Command line: ``python -m dlkit.grading autograde ASSIGNMENT [-j JOBS] [--force]``.

Run it in the course directory (the repository root), like nbgrader.
"""

import argparse
import sys

from dlkit.grading.runner import autograde


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m dlkit.grading", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    grade = sub.add_parser("autograde", help="grade every submission of an assignment, in parallel")
    grade.add_argument("assignment")
    grade.add_argument("-j", "--jobs", type=int, default=None, help="workers (default: the number of cores)")
    grade.add_argument("--batch", type=int, default=4, help="submissions per nbgrader run")
    grade.add_argument("--force", action="store_true", help="regrade submissions already graded")
    grade.add_argument("--course", default=".", help="the course directory (default: here)")
    args = parser.parse_args(argv)
    rows = autograde(args.course, args.assignment, args.jobs, args.batch, args.force)
    return 0 if all(r["status"] == "graded" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
