"""The adversarial corpus: submissions of 01_numpy_basics that attack the grader.

Each case starts from the correct solution and changes it: ``replace`` swaps
a solution cell's code, ``append`` adds code after a solution, ``edit``
changes the notebook in other ways.  ``lost`` lists the test cells that must
score 0 (every other test keeps its points), ``events`` the kinds of event
the grading report must record, and ``check`` an extra look at the result
(the course root and the autograded notebook's text) for side effects.
"""

from dataclasses import dataclass, field
from typing import Callable

from submissions import meta

ASSIGNMENT = "01_numpy_basics"
MARKER = "dlkit-adversarial-7f3a"  # names files and processes the attacks try to leave behind


@dataclass
class Case:
    description: str
    replace: dict = field(default_factory=dict)
    append: dict = field(default_factory=dict)
    edit: Callable = None
    lost: set = field(default_factory=set)
    events: set = field(default_factory=set)
    check: Callable = None
    needs_sandbox: bool = False


def _set_meta(grade_id, **changes):
    def edit(nb):
        for cell in nb.cells:
            if meta(cell).get("grade_id") == grade_id:
                cell.metadata["nbgrader"].update(changes)
                if changes.get("solution") and not changes.get("grade", True):
                    cell.source = "pass"
        return nb
    return edit


def _no_file(*paths):
    def check(root, text):
        for p in paths:
            path = p.format(root=root)
            assert not __import__("os").path.exists(path), f"the submission wrote {path}"
    return check


def _text_has(*needles):
    def check(root, text):
        for n in needles:
            assert n.format(root=root) in text, f"expected {n!r} in the autograded notebook"
    return check


def _no_process(root, text):
    import subprocess
    procs = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert MARKER not in procs, "a process started by the submission outlived grading"


CORPUS = {
    "syntax_error": Case(
        "a syntax error in one solution cell; the other functions still earn their points",
        replace={"normalize_rows": "def normalize_rows(x)\n    return x / 1"},
        lost={"test_normalize_rows"}),
    "endless_loop": Case(
        "an endless loop in one function: cut by the per-cell time limit, the rest graded",
        replace={"softmax": "def softmax(x, axis=-1):\n    while True:\n        pass"},
        lost={"test_softmax"}, events={"cell timeout"}),
    "os_exit": Case(
        "the kernel exits mid-notebook: tests it never ran score 0",
        append={"normalize_rows": "import os\nos._exit(3)"},
        lost={"test_normalize_rows", "test_softmax", "test_L1", "test_L2", "test_broadcast_shape"},
        events={"KernelDied"}),
    "segfault": Case(
        "a segmentation fault mid-notebook",
        append={"L1": "import ctypes\nctypes.string_at(0)"},
        lost={"test_L1", "test_L2", "test_broadcast_shape"}, events={"KernelDied"}),
    "memory_bomb": Case(
        "allocating far more memory than the machine has, in a graded function: a MemoryError, nothing more",
        replace={"L2": "def L2(yhat, y):\n    big = bytearray(64 * 2**30)\n    return 0.0"},
        lost={"test_L2"}, check=_text_has("MemoryError"), needs_sandbox=True),
    "huge_output": Case(
        "hundreds of MB printed and a giant image: truncated, the notebook stays small",
        append={"sigmoid": "for _ in range(20):\n    print('x' * 10_000_000)",
                "L1": "import matplotlib.pyplot as plt\nplt.figure(figsize=(30, 30), dpi=100)\n"
                      "plt.imshow(np.random.default_rng(0).random((3000, 3000)))\nplt.show()"},
        events={"output truncated"}),
    "edited_points": Case(
        "test cell metadata edited to claim 100 points",
        edit=_set_meta("test_sigmoid", points=100),
        replace={"sigmoid": "def sigmoid(z):\n    raise NotImplementedError()"},
        lost={"test_sigmoid", "test_sigmoid_derivative"}),
    "test_made_solution": Case(
        "a test cell turned into a solution cell and emptied: nbgrader restores it",
        edit=_set_meta("test_softmax", grade=False, solution=True, locked=False),
        replace={"softmax": "def softmax(x, axis=-1):\n    return x"},
        lost={"test_softmax"}),
    "patched_helpers": Case(
        "dlkit.testing's assertions replaced by no-ops: flagged, no points from then on",
        append={"sigmoid": "import dlkit.testing\nfor _n in ('assert_close', 'assert_shape', 'assert_own_implementation'):\n"
                           "    setattr(dlkit.testing, _n, lambda *a, **k: None)"},
        replace={"softmax": "def softmax(x, axis=-1):\n    return x"},
        lost={"test_sigmoid", "test_sigmoid_derivative", "test_image2vector", "test_normalize_rows", "test_softmax",
              "test_L1", "test_L2", "test_broadcast_shape"},
        events={"tampering"}),
    "swallowed_errors": Case(
        "IPython told to swallow every exception, so failing tests would look silent",
        append={"image2vector": "get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)"},
        replace={"softmax": "def softmax(x, axis=-1):\n    return x"},
        lost={"test_image2vector", "test_normalize_rows", "test_softmax", "test_L1", "test_L2", "test_broadcast_shape"},
        events={"tampering"}),
    "rewritten_tests": Case(
        "an input transformer that replaces every later cell (the tests) by `pass`",
        append={"L1": "get_ipython().input_transformers_cleanup.append(lambda lines: ['pass\\n'])"},
        replace={"L2": "def L2(yhat, y):\n    return -1.0"},
        lost={"test_L1", "test_L2", "test_broadcast_shape"}, events={"tampering"}),
    "patched_builtins": Case(
        "a builtin the tests use patched (abs always 0)",
        append={"L2": "import builtins\nbuiltins.abs = lambda x: 0"},
        lost={"test_L1", "test_L2", "test_broadcast_shape"}, events={"tampering"}),
    "reads_secrets": Case(
        "reads the hidden tests, the gradebook and another student's submission from disk",
        append={"sigmoid": "import os, glob\n"
                           "print('course visible:', os.path.exists('{root}'))\n"
                           "print('found:', glob.glob('{root}/**/*.ipynb', recursive=True) + glob.glob('{root}/gradebook.db'))"},
        check=_text_has("course visible: False", "found: []"), needs_sandbox=True),
    "writes_outside": Case(
        "writes into the course directory and the system",
        append={"sigmoid": "for _p in ['{root}/" + MARKER + "', '/etc/" + MARKER + "', '/tmp/" + MARKER + "']:\n"
                           "    try:\n        open(_p, 'w').write('x')\n    except OSError as e:\n        print('blocked', _p, e)"},
        events={"write outside"}, check=_no_file("{root}/" + MARKER, "/etc/" + MARKER, "/tmp/" + MARKER),
        needs_sandbox=True),
    "background_process": Case(
        "spawns a process meant to outlive grading",
        append={"sigmoid": "import subprocess\nsubprocess.Popen(['sh', '-c', 'exec -a " + MARKER + " sleep 600'],"
                           " start_new_session=True)"},
        events={"process"}, check=_no_process, needs_sandbox=True),
    "network": Case(
        "opens a network connection to the grading machine",
        append={"sigmoid": "import socket\ntry:\n    socket.create_connection(('127.0.0.1', {port}), timeout=2)\n"
                           "    print('connected')\nexcept OSError as e:\n    print('no network:', e)"},
        events={"network"}, check=_text_has("no network:"), needs_sandbox=True),
}
