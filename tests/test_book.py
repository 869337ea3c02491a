"""The book builds from scratch with zero warnings, runs every page, and renders.

One build per test run (every page executes once, as nbval would run it; a
cell error or any Sphinx warning fails the build).  The built HTML is then
scanned as a reader would look at it: every page of the table of contents is
there, math reached MathJax instead of showing raw dollars, every figure a
cell draws is in its output and its file exists, no cell shows an error,
and every page ran in under 60 s.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from helpers import ROOT

pytestmark = pytest.mark.slow
PAGE_BUDGET_S = 60


def _toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [c["file"] for c in part["chapters"]]
    return files


PAGES = _toc_files()


def _drawing_calls():
    """A regex for a call that draws: pyplot's figure makers, or any public function of dlkit.plot."""
    import inspect

    import dlkit.plot

    names = [n for n, f in vars(dlkit.plot).items() if inspect.isfunction(f) and not n.startswith("_")]
    return re.compile(r"\bplt\.(show|subplots|figure|plot|imshow|bar|scatter|hist)\(|\b(%s)\(" % "|".join(names))


DRAWS = _drawing_calls()


@pytest.fixture(scope="module")
def html(tmp_path_factory):
    out = tmp_path_factory.mktemp("book")
    jb = Path(sys.executable).parent / "jupyter-book"
    proc = subprocess.run([str(jb), "build", "--all", "--warningiserror", "--keep-going",
                           "--path-output", str(out), str(ROOT)], capture_output=True, text=True)
    assert proc.returncode == 0, f"the book build failed:\n{proc.stdout[-6000:]}\n{proc.stderr[-6000:]}"
    return out / "_build" / "html"


def _soup(html, page):
    path = html / f"{page}.html"
    assert path.exists(), f"{page} was not built"
    return BeautifulSoup(path.read_text(), "html.parser")


def _code_cells(page):
    """The sources of a MyST page's code cells that the HTML shows, in order
    (a cell tagged remove-cell runs but leaves no trace in the page)."""
    text = (ROOT / f"{page}.md").read_text()
    cells = re.findall(r"^```\{code-cell\}[^\n]*\n(.*?)^```", text, flags=re.S | re.M)
    return [c for c in cells if not re.match(r":tags:.*remove-cell", c)]


@pytest.mark.parametrize("page", PAGES)
def test_math_is_rendered(html, page):
    soup = _soup(html, page)
    main = soup.find("main") or soup
    for tag in main.find_all(["pre", "code", "script", "style"]):
        tag.decompose()
    math = main.find_all(class_="math")
    for m in math:
        m.decompose()
    text = main.get_text(" ")
    raw = re.findall(r"\$[^$\n]{1,80}\$|\\frac|\\sum|\\begin\{", text)
    assert not raw, f"{page}: math left as raw text: {raw[:5]}"
    if math:
        script = soup.find("script", src=re.compile("mathjax", re.I))
        assert script, f"{page}: has math but loads no MathJax"
        local = (html / page).parent / script["src"].split("?")[0]
        assert local.exists(), f"{page}: MathJax is not served with the book ({script['src']}), so math fails offline"


@pytest.mark.parametrize("page", [p for p in PAGES if (ROOT / f"{p}.md").exists()])
def test_figures_and_outputs(html, page):
    soup = _soup(html, page)
    cells = soup.find_all("div", class_="cell")
    sources = _code_cells(page)
    assert len(cells) == len(sources), f"{page}: {len(sources)} code cells but {len(cells)} in the HTML"
    for source, cell in zip(sources, cells):
        lines = [line for line in source.splitlines() if line.strip() and not line.startswith(":")]
        first = lines[0] if lines else ""
        out = cell.find("div", class_="cell_output")
        assert not (out and out.find(class_=re.compile("output.*(error|traceback)"))), f"{page}: error in cell {first!r}"
        code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("import ", "from ")))
        draws = DRAWS.search(code) and "plt.close" not in code
        if draws:
            images = out.find_all("img") if out else []
            assert images, f"{page}: the cell starting {first!r} draws but shows no figure"
            for img in images:
                src = img["src"]
                if not src.startswith("data:"):
                    target = (html / page).parent / src
                    assert target.exists() and target.stat().st_size > 1000, f"{page}: figure {src} is missing"


def test_navigation_links_resolve(html):
    for page in PAGES:
        soup = _soup(html, page)
        for a in soup.select("nav a.reference.internal[href]"):
            href = a["href"].split("#")[0]
            if href:
                assert ((html / page).parent / href).resolve().exists(), f"{page}: broken link {href}"


def test_every_page_runs_within_budget(html):
    soup = _soup(html, "book/execution")
    rows = [[td.get_text(strip=True) for td in tr.find_all("td")] for tr in soup.select("table tbody tr")]
    executed = {r[0]: r for r in rows}
    notebooks = [p for p in PAGES if "code-cell" in (ROOT / f"{p}.md").read_text()]
    for page in notebooks:
        assert page in executed, f"{page} was not executed"
        _, _, method, seconds, status = executed[page]
        assert method == "force" and status == "✅", executed[page]
        assert float(seconds) < PAGE_BUDGET_S, f"{page} took {seconds} s (budget {PAGE_BUDGET_S} s)"
