"""dlkit/data/files: every file documented, the whole small, shipped with the package, all exported loaders documented."""

import inspect
import re

import pytest
from offline import no_network  # noqa: F401  (autouse: no network in these tests)

import dlkit.data
from helpers import ROOT

FILES = ROOT / "dlkit" / "data" / "files"


def test_every_file_is_documented_and_the_total_is_small():
    readme = (FILES / "README.md").read_text()
    listed = set(re.findall(r"^\| `([^`]+)` \|", readme, flags=re.M))
    present = {p.name for p in FILES.iterdir() if p.name != "README.md"}
    assert present == listed, f"undocumented: {present - listed}, missing: {listed - present}"
    total = sum(p.stat().st_size for p in FILES.iterdir())
    assert total < 50 * 2**20, f"dlkit/data/files holds {total / 2**20:.1f} MB, the budget is 50 MB"


def test_files_are_package_data():
    assert '"dlkit.data" = ["files/*"]' in (ROOT / "pyproject.toml").read_text()


@pytest.mark.parametrize("name", [n for n in dlkit.data.__all__ if n.startswith("load_")])
def test_loaders_state_source_licence_and_shapes(name):
    doc = inspect.getdoc(getattr(dlkit.data, name))
    assert doc and len(doc) > 200, f"{name} needs a docstring"
    assert re.search(r"(?i)licen[cs]e|MIT|public domain|CC0|BSD|Apache", doc), f"{name}: no licence"
    assert re.search(r"(?i)source|generated|made by|written for|from", doc), f"{name}: no source"


def test_missing_file_message(monkeypatch, tmp_path):
    from dlkit.data import _files

    monkeypatch.setattr(_files, "FILES", tmp_path)
    with pytest.raises(FileNotFoundError, match="reinstall dlkit"):
        _files.path("novels.txt.xz")
