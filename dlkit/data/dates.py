"""Synthetic translation data: dates as people write them -> ISO 8601 dates."""

import datetime
import functools
from dataclasses import dataclass

import numpy as np

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
PAD, UNK = "<pad>", "<unk>"
HUMAN_VOCAB = (PAD, UNK, " ", ",", ".", "/", "-") + tuple("0123456789") \
    + tuple("abcdefghijklmnopqrstuvwxyz") + tuple("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
MACHINE_VOCAB = ("-",) + tuple("0123456789")
FIRST, LAST = datetime.date(1950, 1, 1), datetime.date(2049, 12, 31)


def _ordinal(d):
    return f"{d}{'th' if 10 <= d % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(d % 10, 'th')}"


# Each format turns a date into a string; none is ambiguous (numbers with "/" are month first,
# with "." day first; two-digit years stand for 1950-2049).
FORMATS = (
    lambda t: f"{t.day} {MONTHS[t.month - 1][:3]} {t.year}",                       # 3 May 1979
    lambda t: f"{t.day:02d} {MONTHS[t.month - 1]} {t.year}",                       # 03 May 1979
    lambda t: f"{MONTHS[t.month - 1]} {t.day}, {t.year}",                          # May 3, 1979
    lambda t: f"{MONTHS[t.month - 1][:3]} {t.day} {t.year}",                       # May 3 1979
    lambda t: f"{WEEKDAYS[t.weekday()]}, {MONTHS[t.month - 1]} {t.day}, {t.year}", # Thursday, May 3, 1979
    lambda t: f"{WEEKDAYS[t.weekday()][:3]} {t.day} {MONTHS[t.month - 1][:3]} {t.year}",  # Thu 3 May 1979
    lambda t: f"{_ordinal(t.day)} of {MONTHS[t.month - 1]} {t.year}",              # 3rd of May 1979
    lambda t: f"{MONTHS[t.month - 1]} {_ordinal(t.day)}, {t.year}",                # May 3rd, 1979
    lambda t: f"{t.month}/{t.day}/{t.year}",                                       # 5/3/1979
    lambda t: f"{t.month}/{t.day}/{t.year % 100:02d}",                             # 5/3/79
    lambda t: f"{t.day:02d}.{t.month:02d}.{t.year}",                               # 03.05.1979
    lambda t: f"{t.year} {MONTHS[t.month - 1]} {t.day}",                           # 1979 May 3
    lambda t: f"{WEEKDAYS[t.weekday()]} {t.day} {MONTHS[t.month - 1]} {t.year}",   # Thursday 3 May 1979
    lambda t: f"{MONTHS[t.month - 1][:3]}. {t.day:02d}, {t.year}",                 # May. 03, 1979
)


@dataclass(frozen=True)
class DateData:
    """Human-readable dates and their ISO translations, as strings and as index arrays.

    human: m str; machine: m str "YYYY-MM-DD"; X: (m, T_x) int64 indices into
    human_vocab, padded with index 0 ("<pad>"); Y: (m, T_y) int64 indices
    into machine_vocab, T_y = 10.
    """

    human: list
    machine: list
    X: np.ndarray
    Y: np.ndarray
    human_vocab: tuple
    machine_vocab: tuple

    def one_hot(self, indices, vocab_size):
        """Index array (m, T) -> one-hot in the notes' RNN layout (n, m, T), float64."""
        return np.eye(vocab_size)[indices].transpose(2, 0, 1)   # (m, T, n) -> (n, m, T)


def encode(strings, vocab, length):
    """str -> indices into vocab (characters not in it -> "<unk>"), cut or padded to length: (m, length)."""
    index = {c: i for i, c in enumerate(vocab)}
    unk = index.get(UNK, 0)
    out = np.zeros((len(strings), length), dtype=np.int64)       # 0 is "<pad>" (or "-" for Y, never used)
    for i, s in enumerate(strings):
        codes = [index.get(c, unk) for c in s[:length]]
        out[i, : len(codes)] = codes
    return out


@functools.lru_cache(maxsize=8)
def _dates(m, seed):
    rng = np.random.default_rng(seed)
    days = rng.integers(0, (LAST - FIRST).days + 1, size=m)
    formats = rng.integers(0, len(FORMATS), size=m)
    case = rng.random(m)
    human, machine = [], []
    for n, f, c in zip(days, formats, case):
        t = FIRST + datetime.timedelta(days=int(n))
        s = FORMATS[f](t)
        human.append(s.lower() if c < 0.3 else s.upper() if c < 0.4 else s)  # 30% lower, 10% upper case
        machine.append(t.isoformat())
    return tuple(human), tuple(machine)


def load_dates(m=10000, T_x=30, seed=0):
    """Dates written as people write them, with their ISO 8601 form, for attention models.

    "Thursday, May 3, 1979", "3rd of may 1979", "5/3/79", "03.05.1979" ...
    -> "1979-05-03".  Generated here (dlkit, MIT; nothing downloaded): days
    uniform from 1950-01-01 to 2049-12-31, each written in one of
    :data:`FORMATS` (14 English formats) in its natural case, lower case
    (30%) or upper case (10%), all drawn from ``seed``.

    Returns a :class:`DateData`: ``X`` (m, T_x) and ``Y`` (m, 10) int64
    index arrays (len(HUMAN_VOCAB) = 69 input symbols, 11 output symbols),
    and ``one_hot`` to get the RNN layout (n_x, m, T_x).

    >>> data = load_dates(m=3)
    >>> data.X.shape, data.Y.shape, data.machine[0]
    ((3, 30), (3, 10), '2035-01-24')
    """
    if not isinstance(m, (int, np.integer)) or m < 1:
        raise ValueError(f"m is {m!r}, expected a positive integer")
    if not isinstance(T_x, (int, np.integer)) or T_x < 30:
        raise ValueError(f"T_x is {T_x!r}, expected an integer >= 30 (the longest date has 29 characters)")
    human, machine = _dates(int(m), int(seed))
    return DateData(list(human), list(machine), encode(human, HUMAN_VOCAB, T_x),
                    encode(machine, MACHINE_VOCAB, 10), HUMAN_VOCAB, MACHINE_VOCAB)
