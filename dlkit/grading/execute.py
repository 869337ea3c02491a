"""nbgrader's Execute preprocessor, hardened: sandboxed kernel, limits, crash and tamper handling.

Configure it in nbgrader_config.py in place of nbgrader's ``Execute``::

    from dlkit.grading.execute import SandboxedExecute
    c.Autograde.autograde_preprocessors = [SandboxedExecute, ...]

What it adds to nbgrader's execution, per submission:

- the kernel runs in :mod:`dlkit.grading.sandbox` (or, where bubblewrap is
  missing and ``require_sandbox`` is False, unsandboxed with a warning);
- a time limit per cell (nbgrader's ``timeout``) and per notebook
  (``notebook_timeout``): cells past it are not run;
- when the kernel dies (a crash, ``os._exit``, memory exhaustion) or time
  runs out, every test cell that did not run gets an error, so it scores 0
  (nbgrader would give full points to a test cell with no output);
- each cell's output is capped at ``max_output_bytes``: a flood of printing or
  a giant image cannot bloat the notebook or the gradebook;
- before and after each test cell, a probe checks that the objects the tests
  rely on (dlkit.testing, numpy's comparisons, builtins, IPython's exception
  display and input transformers, the tracing hooks) are the ones the kernel
  started with; if not, the test cell scores 0 with the reason;
- an audit hook in the kernel notes attempts to open network connections,
  start processes or write outside the scratch directory (which the sandbox
  blocks or ends): they are flagged, without taking points.

Every such event is written as an error output of the cell, which the
student sees in the feedback, and listed in ``grading_report.json`` beside the
autograded notebook, which :mod:`dlkit.grading.__main__` summarizes.
"""

import ast
import hashlib
import json
import secrets
import shutil
import tempfile
import time
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from nbclient.exceptions import DeadKernelError
from nbclient.util import run_sync
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from nbgrader.utils import is_grade
from traitlets import Bool, Integer, Unicode

from dlkit.grading import sandbox

PROBE_MODULE = "_dlkit_grader_probe"

# Runs once in the fresh kernel, before any cell: records what the tests rely on.
PROBE_SETUP = '''
def _setup(module_name):
    import builtins, os, sys, types
    import numpy, numpy.testing
    import dlkit.testing
    ip = get_ipython()

    def watched():
        # IPython swaps these itself around every execution
        swapped = {"exit", "quit", "get_ipython", "input", "display", "__IPYTHON__", "_", "__", "___"}
        objects = {f"builtins.{k}": v for k, v in vars(builtins).items() if k not in swapped}
        objects.update({f"dlkit.testing.{k}": v for k, v in vars(dlkit.testing).items() if not k.startswith("__")})
        objects.update({f"numpy.testing.{k}": getattr(numpy.testing, k) for k in dir(numpy.testing)
                        if k.startswith("assert")})
        for k in ("allclose", "isclose", "array_equal", "abs", "all", "any", "max", "asarray"):
            objects[f"numpy.{k}"] = getattr(numpy, k)
        for k in ("numpy", "numpy.testing", "dlkit", "dlkit.testing", "builtins", "sys"):
            objects[f"sys.modules[{k!r}]"] = sys.modules.get(k)
        for k in ("showtraceback", "_showtraceback", "run_cell", "run_cell_async", "run_ast_nodes",
                  "run_code", "transform_cell", "user_expressions"):
            objects[f"IPython shell.{k}"] = getattr(ip, k)
        objects["IPython shell.custom_exceptions"] = ip.custom_exceptions
        objects["sys.gettrace()"] = sys.gettrace()
        objects["sys.getprofile()"] = sys.getprofile()
        return objects

    def lists():
        return {name: list(getattr(ip, name)) for name in
                ("input_transformers_cleanup", "input_transformers_post", "ast_transformers")}

    baseline, baseline_lists = watched(), lists()

    def same(a, b):  # a bound method is a new object at each lookup: compare what it binds
        if isinstance(a, types.MethodType) and isinstance(b, types.MethodType):
            return a.__func__ is b.__func__ and a.__self__ is b.__self__
        return a is b

    # An audit hook (it cannot be removed) notes attempts the sandbox blocks or ends, to flag them.
    activity, home = [], os.getcwd()
    spawning = ("subprocess.Popen", "os.system", "os.posix_spawn", "os.exec", "os.spawn", "os.fork", "pty.spawn")

    def audit(event, args):
        if len(activity) >= 20:
            return
        if event == "socket.connect":
            activity.append(("network", f"connect to {args[1]!r}"[:120]))
        elif event in spawning:
            activity.append(("process", f"{event} {args[0] if args else ''}"[:120]))
        elif event == "open" and isinstance(args[0], (str, bytes)):
            mode, flags = args[1] or "", args[2] or 0
            if any(c in mode for c in "wax+") or flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
                where = os.path.abspath(os.fsdecode(args[0]))
                if not where.startswith((home, "/tmp/", "/dev/")):
                    activity.append(("write outside", where[:120]))

    sys.addaudithook(audit)

    def check():
        now, now_lists = watched(), lists()
        changed = sorted(k for k in baseline.keys() | now.keys() if not same(baseline.get(k), now.get(k)))
        changed += sorted(k for k in baseline_lists if baseline_lists[k] != now_lists[k])
        seen = list(activity)
        activity.clear()
        return {"changed": changed, "activity": seen}

    module = types.ModuleType(module_name)
    module.check = check
    sys.modules[module_name] = module

_setup(__PROBE_NAME__)
del _setup
'''


def _fingerprint():
    """A hash of dlkit's code: cached executions are invalid once the test helpers change."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


_DLKIT_FINGERPRINT = _fingerprint()


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel in :mod:`dlkit.grading.sandbox`, talking over Unix sockets in a private directory."""

    memory_mb = Integer(sandbox.Limits.memory_mb, help="Address space of the kernel (MB).").tag(config=True)
    cpu_seconds = Integer(sandbox.Limits.cpu_seconds, help="CPU seconds of the kernel.").tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.workdir = tempfile.mkdtemp(prefix="dlkit-grade-")
        self.transport = "ipc"  # Unix sockets: the sandbox has no network, not even the host's loopback
        self.ip = f"{self.workdir}/kernel"
        self.connection_file = f"{self.workdir}/connection.json"
        sandbox.prepare_matplotlib(self.workdir)

    def format_kernel_cmd(self, extra_arguments=None):
        # interrupt through the control channel: a signal sent from outside the sandbox's
        # process tree would reach bubblewrap, not the kernel
        self.kernel_spec.interrupt_mode = "message"
        cmd = super().format_kernel_cmd(extra_arguments)
        limits = sandbox.Limits(memory_mb=self.memory_mb, cpu_seconds=self.cpu_seconds)
        return sandbox.command(cmd, self.workdir, limits)

    async def _async_cleanup_resources(self, restart=False):
        await super()._async_cleanup_resources(restart)  # connection and ipc files, sockets, context
        if not restart:
            shutil.rmtree(self.workdir, ignore_errors=True)

    # jupyter_client binds cleanup_resources to the base class's coroutine function: rebind it to ours
    cleanup_resources = _async_cleanup_resources


def _json_chars(obj):
    """A lower bound of len(json.dumps(obj)), without encoding it (a message of a flood can be 100 MB)."""
    if isinstance(obj, str):
        return len(obj)
    if isinstance(obj, dict):
        return sum(len(k) + _json_chars(v) for k, v in obj.items())
    if isinstance(obj, (list, tuple)):
        return sum(_json_chars(v) for v in obj)
    return 1


def _error(ename, evalue):
    """An error output, as the kernel would send it: the feedback shows it under the cell."""
    return NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


class SandboxedExecute(Execute):
    """nbgrader's Execute with a sandboxed kernel, limits, and crash and tamper handling."""

    require_sandbox = Bool(True, help="Refuse to grade when bubblewrap is not available.").tag(config=True)
    notebook_timeout = Integer(600, help="Seconds for a whole notebook; later cells are not run.").tag(config=True)
    max_output_bytes = Integer(200_000, help="Output kept per cell; the rest is dropped.").tag(config=True)
    check_tampering = Bool(True, help="Probe around each test cell for replaced test helpers.").tag(config=True)
    # nbclient's 4 s is meant for a slow network. Output is sent on its own channel and may still be arriving
    # when the cell's reply does: a flood of 100s of MB takes seconds to encode in the kernel and decode here,
    # more under load, and nbgrader's Execute (raise_on_iopub_timeout) stops the notebook when it is late.
    iopub_timeout = Integer(30, help="Seconds a cell's output may keep arriving after its reply.").tag(config=True)
    cache_dir = Unicode("", help="Reuse executions stored here, keyed by the notebook's cells and these "
                                 "settings (set by the parallel runner, `python -m dlkit.grading`).").tag(config=True)

    def __init__(self, *args, **kwargs):
        if sandbox.available():
            kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
        super().__init__(*args, **kwargs)
        self.events = []

    def preprocess(self, nb, resources, retry=None):
        if self.kernel_manager_class is not SandboxedKernelManager:
            if self.require_sandbox:
                raise RuntimeError(
                    "bubblewrap is not available, so submissions would run unsandboxed, as you. Install it "
                    "(Debian/Ubuntu: apt install bubblewrap) or set c.SandboxedExecute.require_sandbox = False.")
            self.log.warning("Grading WITHOUT a sandbox: bubblewrap is not available")
        self.events, self._stopped, self._started = [], None, time.monotonic()
        cached = self._cache_path(nb)
        if cached and cached.exists():
            stored = json.loads(cached.read_text())
            for cell, outputs in zip(nb.cells, stored["outputs"]):
                if cell.cell_type == "code":
                    cell.outputs = [NotebookNode(o) for o in outputs]
            self.events = stored["events"]
            self._write_report(resources, seconds=stored["seconds"])
            return nb, resources
        self._probe_name = f"{PROBE_MODULE}_{secrets.token_hex(8)}"
        self._probe_ready = False
        try:
            nb, resources = super().preprocess(nb, resources, retry)
        except Exception as e:  # the kernel did not start, or died outside a cell: grade what ran
            self._stop(-1, "GradingFailed", f"the notebook could not be run ({type(e).__name__}: {e})")
            for cell in nb.cells:
                if is_grade(cell) and cell.cell_type == "code" and cell.get("execution_count") is None:
                    cell.outputs = [_error(*self._stopped)]
        finally:
            self._write_report(resources)
        if cached:
            tmp = cached.with_suffix(".tmp")
            outputs = [c.get("outputs", []) if c.cell_type == "code" else [] for c in nb.cells]
            tmp.write_text(json.dumps({"outputs": outputs, "events": self.events, "seconds": self._seconds}))
            tmp.replace(cached)  # atomic: a run killed midway leaves no half-written entry
        return nb, resources

    def _cache_path(self, nb):
        """Where the execution of this notebook, under these settings, is stored (None: no cache)."""
        if not self.cache_dir:
            return None
        key = json.dumps([_DLKIT_FINGERPRINT] + [[c.cell_type, c.source] for c in nb.cells] + [
            self.timeout, self.notebook_timeout, self.iopub_timeout, self.max_output_bytes, self.check_tampering,
            dict(self.config.get("SandboxedKernelManager", {})), self.kernel_manager_class is SandboxedKernelManager])
        Path(self.cache_dir).mkdir(parents=True, exist_ok=True)
        return Path(self.cache_dir) / (hashlib.sha256(key.encode()).hexdigest() + ".json")

    # -- limits -------------------------------------------------------------------------------

    def _remaining(self):
        return self.notebook_timeout - (time.monotonic() - self._started)

    def _get_timeout(self, cell):
        timeout = super()._get_timeout(cell)
        remaining = max(1, int(self._remaining()))
        return remaining if timeout is None else min(timeout, remaining)

    def output(self, outs, msg, display_id, cell_index):
        """Keep at most max_output_bytes of output per cell; say once that the rest was dropped."""
        size = sum(len(json.dumps(o)) for o in outs)
        content = msg.get("content", {})
        # encoded to measure it only when it may fit: a message of a flood can be 100s of MB, seconds to encode
        if (size + _json_chars(content) > self.max_output_bytes
                or size + len(json.dumps(content)) > self.max_output_bytes):
            if not any(o.get("name") == "stdout" and "[grader]" in o.get("text", "") for o in outs):
                note = f"\n[grader] output truncated: a cell may print at most {self.max_output_bytes} bytes\n"
                outs.append(NotebookNode(output_type="stream", name="stdout", text=note))
                self._event(cell_index, "output truncated", f"more than {self.max_output_bytes} bytes of output")
            return None
        return super().output(outs, msg, display_id, cell_index)

    # -- execution ----------------------------------------------------------------------------

    def _event(self, cell_index, kind, detail):
        cell = self.nb.cells[cell_index] if 0 <= cell_index < len(self.nb.cells) else None
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id") if cell is not None else None
        self.events.append({"cell": cell_index, "grade_id": grade_id, "kind": kind, "detail": detail})

    async def _probe(self, cell_index, code=None):
        """Run the probe silently; returns the list of replaced objects (or a reason it could not run).

        Attempts at the network, at processes and at writes outside the scratch directory since the
        last probe are recorded as events of the cell ``cell_index``.
        """
        expr = f"__import__('sys').modules[{self._probe_name!r}].check()"
        msg_id = self.kc.execute(code or "", silent=True, store_history=False, user_expressions={"r": expr})
        reply = await self.async_wait_for_reply(msg_id)
        result = (reply or {}).get("content", {}).get("user_expressions", {}).get("r", {})
        if result.get("status") != "ok":
            return [f"the grader's probe failed ({result.get('ename', 'no reply')})"]
        found = ast.literal_eval(result["data"]["text/plain"])
        for kind, detail in found["activity"]:  # blocked by the sandbox: flagged, no points taken
            self._event(cell_index, kind, detail)
        return found["changed"]

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if cell.cell_type != "code":
            return await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        if self._stopped is None and self._remaining() <= 0:
            self._stop(cell_index, "NotebookTimeout", f"the notebook ran past its {self.notebook_timeout} s limit")
        if self._stopped:
            if is_grade(cell):
                cell.outputs = [_error(*self._stopped)]
            return cell
        grade = is_grade(cell) and self.check_tampering
        try:
            if self.check_tampering and not self._probe_ready:
                await self._probe(cell_index, PROBE_SETUP.replace("__PROBE_NAME__", repr(self._probe_name)))
                self._probe_ready = True
            if grade and (changed := await self._probe(cell_index)):
                return self._tampered(cell, cell_index, changed)
            cell = await super().async_execute_cell(cell, cell_index, execution_count, store_history)
            if any(o.output_type == "error" and o.ename == "CellTimeoutError" for o in cell.outputs):
                self._event(cell_index, "cell timeout", f"ran past {self._get_timeout(cell)} s")
            if grade and (changed := await self._probe(cell_index)):
                return self._tampered(cell, cell_index, changed)
        except DeadKernelError:
            self._stop(cell_index, "KernelDied", "the kernel stopped (a crash, os._exit, or too much memory)")
            cell.outputs = [_error(*self._stopped)] if is_grade(cell) else cell.get("outputs", [])
        except Exception as e:  # a kernel that no longer answers, or anything else: the rest is not run
            self._stop(cell_index, "KernelUnresponsive", f"the kernel stopped answering ({type(e).__name__})")
            cell.outputs = [_error(*self._stopped)] if is_grade(cell) else cell.get("outputs", [])
        return cell

    execute_cell = run_sync(async_execute_cell)  # nbclient binds the base class's coroutine otherwise

    def _stop(self, cell_index, ename, why):
        self._stopped = (ename, f"{why}; this test was not run")
        self._event(cell_index, ename, why)

    def _tampered(self, cell, cell_index, changed):
        shown = ", ".join(changed[:5]) + (f" and {len(changed) - 5} more" if len(changed) > 5 else "")
        cell.outputs = list(cell.get("outputs", [])) + [
            _error("GraderTampering", f"the submission replaced what the tests rely on ({shown}); "
                                      "this test scores 0 and the submission is flagged")]
        self._event(cell_index, "tampering", shown)
        return cell

    def _write_report(self, resources, seconds=None):
        """grading_report: <notebook>.grading.json beside the autograded notebook."""
        path = Path(resources.get("metadata", {}).get("path") or ".")
        name = resources.get("unique_key", "notebook")
        cached = seconds is not None
        self._seconds = seconds if cached else round(time.monotonic() - self._started, 2)
        report = {"notebook": name, "sandboxed": self.kernel_manager_class is SandboxedKernelManager,
                  "seconds": self._seconds, "cached": cached, "events": self.events}
        if path.is_dir():
            (path / f"{name}.grading.json").write_text(json.dumps(report, indent=1))
