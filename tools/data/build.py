"""Rebuild the data files that dlkit.data ships, from Debian and PyPI packages.

A maintainer runs this once, when a data file needs to change; users and CI
never do: they read the small files committed in dlkit/data/files/.

    python tools/data/build.py fetch       # apt-get download + pip download into WORK (no root needed
                                           # once the apt lists exist; nothing is installed)
    python tools/data/build.py images names sentiment evaluation corpus
    python tools/data/train_vectors.py     # trains the word vectors on WORK/corpus_full.txt

The steps other than `fetch` need numpy, and `corpus` needs the `rdata` package
(to read the R data of r-cran-janeaustenr, r-cran-tidytext and r-cran-tokenizers).
WORK defaults to /tmp/dlkit-data-src (set DLKIT_DATA_WORK to change it).
"""

import gzip
import lzma
import os
import re
import struct
import subprocess
import sys
import tarfile
import zipfile
import zlib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
FILES = ROOT / "dlkit" / "data" / "files"
WORK = Path(os.environ.get("DLKIT_DATA_WORK", "/tmp/dlkit-data-src"))
X = WORK / "x"  # where the .deb packages are unpacked

DEBIAN = [  # package: what we take from it
    "dataset-fashion-mnist",  # Fashion-MNIST (MIT)
    "r-cran-janeaustenr",     # Jane Austen's six novels (MIT package, public-domain text)
    "r-cran-tidytext",        # Wells, Verne, Austen, Dickens from Project Gutenberg (MIT package)
    "r-cran-tokenizers",      # Moby Dick (MIT package, public-domain text)
    "sword-text-kjv",         # King James Bible (public domain)
    "sword-text-web",         # World English Bible (public domain)
    "sword-comm-mhcc",        # Matthew Henry's Concise Commentary (public domain)
    "sword-comm-tdavid",      # Spurgeon's Treasury of David (public domain)
    "sword-comm-scofield",    # Scofield Reference Notes, 1917 (public domain)
    "dict-gcide",             # GNU Collaborative International Dictionary of English (GPL-3)
    "dict-wn",                # WordNet 3.0 glosses (WordNet licence, BSD-like)
    "dict-devil",             # Bierce, The Devil's Dictionary (public domain)
    "dict-jargon",            # The Jargon File 4.4.7 (public domain)
    "python3.11-doc",         # the Python 3.11 manual, info format (PSF licence)
]
PYPI = ["names==0.3.0", "vaderSentiment==3.3.2", "gensim==4.4.0"]


def fetch():
    """Download (not install) the source packages into WORK and unpack them."""
    (WORK / "debs").mkdir(parents=True, exist_ok=True)
    subprocess.run(["apt-get", "download", *DEBIAN], cwd=WORK / "debs", check=True)
    for deb in sorted((WORK / "debs").glob("*.deb")):
        subprocess.run(["dpkg-deb", "-x", str(deb), str(X)], check=True)
    pip = WORK / "pip"
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
                    "-d", str(pip), PYPI[0], PYPI[1]], check=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
                    "-d", str(pip), PYPI[2]], check=True)
    for sdist in pip.glob("*.tar.gz"):
        with tarfile.open(sdist) as tar:
            tar.extractall(pip, filter="data")
    wheel = next(pip.glob("gensim-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        for name in ("questions-words.txt", "wordsim353.tsv", "simlex999.txt"):
            (pip / name).write_bytes(z.read(f"gensim/test/test_data/{name}"))


# ---------------------------------------------------------------- images

def _idx(path):
    """Read an IDX file (the MNIST format): big-endian dims, then uint8 data."""
    raw = gzip.decompress(path.read_bytes())
    ndim = raw[3]
    dims = struct.unpack(f">{ndim}I", raw[4 : 4 + 4 * ndim])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def images(per_class_train=1000, per_class_test=200, seed=0):
    """Fashion-MNIST: a class-balanced subset of the training and test files."""
    src = X / "usr/share/datasets/fashion-mnist"
    rng = np.random.default_rng(seed)
    out = {}
    for split, n in (("train", per_class_train), ("t10k", per_class_test)):
        x, y = _idx(src / f"{split}-images-idx3-ubyte.gz"), _idx(src / f"{split}-labels-idx1-ubyte.gz")
        keep = np.sort(np.concatenate([rng.choice(np.flatnonzero(y == k), n, replace=False) for k in range(10)]))
        name = "train" if split == "train" else "test"
        out[f"x_{name}"], out[f"y_{name}"] = x[keep], y[keep]
        out[f"index_{name}"] = keep.astype(np.int32)  # rows of the original file, for provenance
    np.savez_compressed(FILES / "fashion_mnist_subset.npz", **out)


# ---------------------------------------------------------------- names

def names(n_surnames=20000):
    """US Census 1990 first names (all) and surnames (the most frequent), from `names` 0.3."""
    src = WORK / "pip" / "names-0.3.0" / "names"
    lines = []
    for sex, fname in (("F", "dist.female.first"), ("M", "dist.male.first")):
        for row in (src / fname).read_text().splitlines():
            name, freq = row.split()[:2]
            lines.append(f"{name.capitalize()}\t{sex}\t{freq}")
    for row in (src / "dist.all.last").read_text().splitlines()[:n_surnames]:
        name, freq = row.split()[:2]
        lines.append(f"{name.capitalize()}\tS\t{freq}")
    with gzip.GzipFile(FILES / "census_names.tsv.gz", "wb", mtime=0) as f:
        f.write(("name\tkind\tpercent\n" + "\n".join(lines) + "\n").encode())


# ---------------------------------------------------------------- sentiment

def sentiment():
    """VADER's human-rated snippets (Hutto & Gilbert 2014), from the vaderSentiment 3.3.2 sdist."""
    src = WORK / "pip" / "vaderSentiment-3.3.2" / "additional_resources" / "hutto_ICWSM_2014.tar.gz"
    lines = ["source\tid\trating\ttext"]
    with tarfile.open(src) as tar:
        for source, member in (("tweet", "tweets"), ("movie", "movieReviewSnippets"),
                               ("product", "amazonReviewSnippets"), ("editorial", "nytEditorialSnippets")):
            raw = tar.extractfile(f"hutto_ICWSM_2014/{member}_GroundTruth.txt").read()
            text = raw.decode("utf-8", errors="replace") if b"\xef\xbf" not in raw else raw.decode("latin-1")
            for row in text.splitlines():
                if not row.strip():
                    continue
                ident, rating, sentence = row.split("\t", 2)
                sentence = " ".join(sentence.replace("\t", " ").split())
                lines.append(f"{source}\t{ident}\t{float(rating):.4f}\t{sentence}")
    with gzip.GzipFile(FILES / "vader_sentences.tsv.gz", "wb", mtime=0) as f:
        f.write(("\n".join(lines) + "\n").encode())


# ---------------------------------------------------------------- word-vector evaluation sets

def evaluation():
    """Analogy and similarity sets as gensim's wheel carries them."""
    for name in ("questions-words.txt", "wordsim353.tsv", "simlex999.txt"):
        with gzip.GzipFile(FILES / f"{name}.gz", "wb", mtime=0) as f:
            f.write((WORK / "pip" / name).read_bytes())


# ---------------------------------------------------------------- corpus

def _rdb(base):
    """Objects of an R lazy-load database (Rdata.rdx + Rdata.rdb), by name."""
    import rdata

    index = rdata.conversion.convert(rdata.parser.parse_data(gzip.decompress(Path(base + ".rdx").read_bytes())))
    blob = Path(base + ".rdb").read_bytes()
    out = {}
    for name, (offset, length) in index["variables"].items():
        chunk = blob[int(offset) : int(offset) + int(length)]
        out[name] = rdata.conversion.convert(rdata.parser.parse_data(zlib.decompress(chunk[4:])))
    return out


def _sword(directory):
    """Plain text of a zText/zCom SWORD module: every zlib block, markup stripped."""
    parts = []
    for index in sorted(Path(directory).glob("*.[bc]zs")):
        data = index.with_suffix(index.suffix[:-1] + "z").read_bytes()
        entries = index.read_bytes()
        for k in range(0, len(entries), 12):
            start, size, _ = struct.unpack("<III", entries[k : k + 12])
            if size:
                parts.append(zlib.decompress(data[start : start + size]).decode("utf-8", errors="replace"))
    text = re.sub(r"<[^>]*>", " ", "\n".join(parts))  # OSIS / ThML / GBF tags
    return re.sub(r"&[a-z]+;", " ", text)


def _dictd(path):
    text = gzip.decompress(Path(path).read_bytes()).decode("utf-8", errors="replace")
    return re.sub(r"[{}\[\]]", " ", text)


def _literature():
    """(title, text) of the public-domain novels carried by the three R packages."""
    import rdata

    lib = X / "usr/lib/R/site-library"
    austen = _rdb(str(lib / "janeaustenr/data/Rdata"))
    titles = {"sensesensibility": "Sense and Sensibility", "prideprejudice": "Pride and Prejudice",
              "mansfieldpark": "Mansfield Park", "emma": "Emma", "northangerabbey": "Northanger Abbey",
              "persuasion": "Persuasion"}
    books = [(titles[k], "\n".join(austen[k])) for k in titles]
    tidy = rdata.conversion.convert(rdata.parser.parse_file(lib / "tidytext/extdata/books.rda"))["books"]
    for title in tidy["title"].unique():
        if title != "Pride and Prejudice":  # already in Austen's set
            books.append((str(title), "\n".join(tidy["text"][tidy["title"] == title].astype(str))))
    moby = _rdb(str(lib / "tokenizers/data/Rdata"))["mobydick"]
    books.append(("Moby Dick", str(moby[0])))
    return [(title, _strip_gutenberg(text)) for title, text in books]


def _strip_gutenberg(text):
    """The book without Project Gutenberg's header, licence and notes (the text alone is public domain)."""
    text = text.lstrip("\ufeff")
    start = re.search(r"^\*\*\* ?START OF TH[^\n]*\n", text, flags=re.M)
    end = re.search(r"^\*\*\* ?END OF TH", text, flags=re.M)
    if start and end:
        text = text[start.end() : end.start()]
    return "\n".join(line for line in text.splitlines() if "gutenberg" not in line.lower()) + "\n"


TOKEN = re.compile(r"[a-z]+")


def corpus():
    """The shipped slice (the novels) and the full training corpus (WORK/corpus_full.txt)."""
    books = _literature()
    # The slice the repository carries: the novels, one book after another, each behind a '# title' line.
    text = "".join(f"# {title}\n{body.strip()}\n" for title, body in books)
    with lzma.open(FILES / "novels.txt.xz", "wb", preset=9) as f:
        f.write(text.encode())
    sources = {"novels": text}
    sword = X / "usr/share/sword/modules"
    for module in ("texts/ztext/engKJV2006eb", "texts/ztext/engWEB2015eb", "comments/zcom/mhcc",
                   "comments/zcom/tdavid", "comments/zcom/scofield"):
        sources[module.rsplit("/", 1)[1]] = _sword(sword / module)
    for d in ("gcide", "wn", "devil", "jargon"):
        sources[d] = _dictd(X / f"usr/share/dictd/{d}.dict.dz")
    sources["python-doc"] = gzip.decompress((X / "usr/share/info/python3.11.info.gz").read_bytes()).decode("utf-8")
    total = 0
    with open(WORK / "corpus_full.txt", "w") as out:
        for name, body in sources.items():
            for line in body.lower().splitlines():
                tokens = TOKEN.findall(line)
                if tokens:
                    out.write(" ".join(tokens) + "\n")
                    total += len(tokens)
            print(f"{name:12s} {len(TOKEN.findall(body.lower())):>10,d} tokens")
    print(f"{'total':12s} {total:>10,d} tokens")


STEPS = {"fetch": fetch, "images": images, "names": names, "sentiment": sentiment,
         "evaluation": evaluation, "corpus": corpus}

if __name__ == "__main__":
    FILES.mkdir(parents=True, exist_ok=True)
    for step in sys.argv[1:] or ["images", "names", "sentiment", "evaluation", "corpus"]:
        if step not in STEPS:
            raise SystemExit(f"unknown step {step!r}, expected one of {sorted(STEPS)}")
        STEPS[step]()
