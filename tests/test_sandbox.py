"""dlkit.grading.sandbox on its own: what a sandboxed Python can and cannot reach."""

import subprocess
import sys
import tempfile

import pytest

from dlkit.grading import sandbox
from helpers import ROOT

pytestmark = pytest.mark.skipif(not sandbox.available(), reason="bubblewrap is not available here")

PROBE = """
import os, socket
import dlkit.testing, numpy                                   # the environment is there
print("solutions", os.path.exists({solutions!r}))              # the course is not
print("home", os.path.expanduser("~") == os.getcwd())
try:
    open("/etc/sandbox-probe", "w")
except OSError as e:
    print("write", type(e).__name__)
try:
    socket.create_connection(("127.0.0.1", 22), timeout=1)
except OSError as e:
    print("network", type(e).__name__)
print("pid", os.getpid())
"""


def test_sandboxed_python_sees_only_its_environment():
    with tempfile.TemporaryDirectory() as work:  # under /tmp, like a venv in a fresh clone there
        code = PROBE.format(solutions=str(ROOT / "solutions"))
        proc = subprocess.run(sandbox.command([sys.executable, "-c", code], work), capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    lines = dict(line.split(" ", 1) for line in proc.stdout.splitlines())
    assert lines["network"] in {"ConnectionRefusedError", "OSError"}  # refused or unreachable: no way out
    assert {k: lines[k] for k in ("solutions", "home", "write")} == {"solutions": "False", "home": "True",
                                                                      "write": "OSError"}
    assert int(lines["pid"]) < 10  # its own process tree


def test_limits_apply():
    with tempfile.TemporaryDirectory() as work:
        limits = sandbox.Limits(memory_mb=512)
        code = "b = bytearray(1024 * 2**20)"
        proc = subprocess.run(sandbox.command([sys.executable, "-c", code], work, limits), capture_output=True, text=True)
    assert proc.returncode != 0 and "MemoryError" in proc.stderr
