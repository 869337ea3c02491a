"""Run a command in a sandbox: bubblewrap namespaces plus resource limits.

What the sandboxed command sees and may do:

- the file system holds only the system directories (``/usr``, ``/etc``, ...),
  the Python installation and virtual environment, and the dlkit package,
  all read-only, plus one private working directory (read-write) and an
  empty ``/tmp``.  The course directory (sources, hidden tests, gradebook,
  other submissions) and the instructor's home are not there at all;
- no network (a network namespace with only its own loopback);
- its own process tree: when the sandbox ends, every process in it ends;
- limits: address space, CPU seconds, size of a written file, open files
  and processes (``prlimit``).

Needs ``bwrap`` (Debian/Ubuntu: ``apt install bubblewrap``) and user
namespaces; :func:`available` says whether both work here.
"""

import functools
import importlib.util
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandboxed process tree."""

    memory_mb: int = 3072       # address space of each process (RLIMIT_AS)
    cpu_seconds: int = 600      # CPU time of each process (RLIMIT_CPU)
    file_size_mb: int = 64      # largest file it may write (RLIMIT_FSIZE)
    open_files: int = 256       # RLIMIT_NOFILE
    processes: int = 256        # RLIMIT_NPROC (counted per user; not enforced for root)

    def prlimit(self):
        """The ``prlimit`` prefix that applies these limits to a command."""
        mb = 1024 * 1024
        return ["prlimit", f"--as={self.memory_mb * mb}", f"--cpu={self.cpu_seconds}",
                f"--fsize={self.file_size_mb * mb}", f"--nofile={self.open_files}",
                f"--nproc={self.processes}", "--core=0", "--"]


@functools.lru_cache(maxsize=None)
def available():
    """True when bubblewrap is installed and can create its namespaces here."""
    if not (shutil.which("bwrap") and shutil.which("prlimit")):
        return False
    probe = ["bwrap", "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent", "true"]
    return subprocess.run(probe, capture_output=True).returncode == 0


def _python_paths():
    """The directories the kernel's Python needs: its installation, the venv, dlkit's source."""
    paths = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), Path(sys.prefix)}
    dlkit = importlib.util.find_spec("dlkit")
    paths.update(Path(p).resolve() for p in dlkit.submodule_search_locations)
    return sorted(p for p in paths if p.exists())


SYSTEM_DIRS = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc", "/opt/conda"]


def mpl_config_dir(workdir):
    """matplotlib's configuration and cache directory inside the sandbox (under the working directory)."""
    return Path(workdir) / ".config" / "matplotlib"


def prepare_matplotlib(workdir):
    """Give the sandbox matplotlib's font cache, built here (once per process), before it starts.

    Without it, the first ``import matplotlib.pyplot`` in each sandbox scans the system's fonts: seconds
    of a cell's time limit, and it runs ``fc-list``, which the grader's audit hook flags as a process.
    """
    from matplotlib import font_manager  # builds the grader's own cache on first import, outside

    target = mpl_config_dir(workdir)
    target.mkdir(parents=True, exist_ok=True)
    # the file matplotlib looks for; the paths of its own fonts are stored relative to its data directory
    cache = target / f"fontlist-v{font_manager.FontManager.__version__}.json"
    font_manager.json_dump(font_manager.fontManager, cache)


def command(argv, workdir, limits=Limits(), env=None):
    """The command line that runs ``argv`` sandboxed, in ``workdir`` (an absolute path).

    env: variables to set inside (the rest of the caller's environment is
    not passed on, apart from PATH and LANG).
    """
    workdir = str(Path(workdir).resolve())
    args = ["bwrap", "--die-with-parent", "--new-session", "--unshare-all",
            "--uid", "65534", "--gid", "65534", "--hostname", "sandbox", "--clearenv"]
    # mounts apply in order: the empty /tmp first, so that a venv or scratch directory under /tmp stays visible
    args += ["--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
    for d in SYSTEM_DIRS:
        if os.path.islink(d):
            args += ["--symlink", os.readlink(d), d]
        elif os.path.isdir(d):
            args += ["--ro-bind", d, d]
    for p in _python_paths():
        args += ["--ro-bind", str(p), str(p)]
    args += ["--bind", workdir, workdir, "--chdir", workdir]
    variables = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "LANG": os.environ.get("LANG", "C.UTF-8"),
                 "HOME": workdir, "MPLCONFIGDIR": str(mpl_config_dir(workdir)),
                 "IPYTHONDIR": f"{workdir}/.ipython", "PYTHONNOUSERSITE": "1", "OMP_NUM_THREADS": "1",
                 "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "MPLBACKEND": "module://matplotlib_inline.backend_inline"}
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):  # keep the machine's BLAS settings
        if name in os.environ:
            variables[name] = os.environ[name]
    variables.update(env or {})
    for name, value in variables.items():
        args += ["--setenv", name, value]
    return limits.prlimit() + args + ["--", *argv]
