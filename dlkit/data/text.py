"""Text data sets: real first names and surnames, and an English corpus of novels."""

import functools
import gzip
import lzma
import re

from dlkit.data._files import path

NAME_KINDS = ("first", "female", "male", "surname")
TOKEN = re.compile(r"[a-z]+")


@functools.lru_cache(maxsize=None)
def _names():
    with gzip.open(path("census_names.tsv.gz"), "rt", encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t") for line in f][1:]
    out = {"female": [], "male": [], "surname": []}
    for name, kind, _ in rows:                        # most frequent first, as the Census lists them
        out[{"F": "female", "M": "male", "S": "surname"}[kind]].append(name)
    seen = set()
    out["first"] = [n for n in out["female"] + out["male"] if not (n in seen or seen.add(n))]
    return {k: tuple(v) for k, v in out.items()}


def load_names(kind="first", lower=True):
    """Real names from the 1990 US Census, for character-level language models.

    Source: the frequency lists of the US Census Bureau's 1990 name survey
    (public domain, a US government work) as the ``names`` package 0.3.0
    (MIT) carries them; dlkit ships them in ``dlkit/data/files/
    census_names.tsv.gz`` (110 kB) with each name's percentage.

    kind: "female" (4,275 names), "male" (1,219), "first" (both, 5,163
    distinct names: a name given to girls and boys counts once) or
    "surname" (the 20,000 most frequent of 88,799).  Names come most
    frequent first, as letters only ("mary", "o'brien" is "obrien" in the
    Census lists); ``lower=False`` capitalizes them.  Returns a list of str.

    >>> names = load_names()
    >>> len(names), names[:3]
    (5163, ['mary', 'patricia', 'linda'])
    """
    if kind not in NAME_KINDS:
        raise ValueError(f"kind is {kind!r}, expected one of {NAME_KINDS}")
    names = _names()[kind]
    return [n.lower() for n in names] if lower else list(names)


@functools.lru_cache(maxsize=None)
def _novels():
    with lzma.open(path("novels.txt.xz"), "rt", encoding="utf-8") as f:
        text = f.read()
    books, title = {}, None
    for part in re.split(r"^# (.+)$", text, flags=re.M)[1:]:
        if title is None:
            title = part
        else:
            books[title] = part.strip("\n")
            title = None
    return books


NOVELS = ("Sense and Sensibility", "Pride and Prejudice", "Mansfield Park", "Emma", "Northanger Abbey",
          "Persuasion", "The War of the Worlds", "Twenty Thousand Leagues under the Sea",
          "Great Expectations", "Moby Dick")


def load_novels():
    """Ten public-domain English novels as text: a dict from title to the book's text.

    Source: Project Gutenberg's texts (public domain) as three MIT-licensed R
    packages carry them in Debian: Jane Austen's six novels
    (``r-cran-janeaustenr``), Wells's *The War of the Worlds*, Verne's
    *Twenty Thousand Leagues under the Sea* and Dickens's *Great
    Expectations* (``r-cran-tidytext``) and Melville's *Moby Dick*
    (``r-cran-tokenizers``), extracted once by ``tools/data/build.py`` into
    ``dlkit/data/files/novels.txt.xz`` (2.1 MB; 7.3 MB of text).
    Titles are in :data:`NOVELS`.

    >>> books = load_novels()
    >>> len(books), books["Emma"][:4]
    (10, 'EMMA')
    """
    return dict(_novels())


@functools.lru_cache(maxsize=None)
def _corpus():
    return tuple(t for body in _novels().values() for t in TOKEN.findall(body.lower()))


def load_corpus(max_tokens=None):
    """The novels of :func:`load_novels` as one list of 1,301,444 word tokens, for word2vec and GloVe.

    Tokens are lowercase runs of the letters a-z (punctuation and digits are
    dropped, "don't" gives "don" and "t"), books in the order of
    :data:`NOVELS`.  ``max_tokens`` keeps only the first ones.  Source and
    licence: as :func:`load_novels` (public-domain text, MIT packages).
    Returns a list of str.

    >>> tokens = load_corpus()
    >>> len(tokens), tokens[:3]
    (1301444, ['sense', 'and', 'sensibility'])
    """
    tokens = _corpus()
    if max_tokens is not None:
        if not isinstance(max_tokens, int) or max_tokens < 1:
            raise ValueError(f"max_tokens is {max_tokens!r}, expected a positive integer or None")
        tokens = tokens[:max_tokens]
    return list(tokens)
