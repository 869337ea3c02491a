"""Where the committed data files live, and the message for a missing optional package."""

import importlib
from pathlib import Path

FILES = Path(__file__).resolve().parent / "files"


def path(name):
    """The path of a data file that dlkit ships (dlkit/data/files/<name>)."""
    p = FILES / name
    if not p.exists():
        raise FileNotFoundError(f"dlkit's data file {name!r} is missing from {FILES}: reinstall dlkit")
    return p


def require(module, loader, install):
    """Import `module`, or fail with a message that says what to install for `loader`."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise ImportError(f"{loader} needs the package {module!r}, which is not installed: "
                          f"run `pip install {install}`") from e
