"""Tables for the book and the notebooks.

``html_table`` returns an object that Jupyter renders as an HTML table (and a
terminal as plain text), so a page shows numbers as a table instead of a
printed list.
"""

import numpy as np


class HTMLTable:
    """What ``html_table`` returns: ``_repr_html_`` for Jupyter, ``str`` for everything else."""

    def __init__(self, header, rows, decimals):
        self.header = list(header)
        self.rows = [list(row) for row in rows]
        for i, row in enumerate(self.rows):
            if len(row) != len(self.header):
                raise ValueError(f"row {i} has {len(row)} cells but the header has {len(self.header)}: {row!r}")
        self.decimals = decimals

    def _format(self, value):
        """(text, right-aligned?) of one cell: numbers are right-aligned, bools and strings are not."""
        if isinstance(value, (bool, np.bool_)):
            return str(value), False
        if isinstance(value, (int, np.integer)):
            return f"{value:,}", True
        if isinstance(value, (float, np.floating)):
            return f"{value:.{self.decimals}f}", True
        return str(value), False

    def _cell(self, value, tag):
        text, right = self._format(value)
        return f'<{tag} style="text-align:right">{text}</{tag}>' if right else f"<{tag}>{text}</{tag}>"

    def _repr_html_(self):
        head = "".join(self._cell(h, "th") for h in self.header)
        body = "".join("<tr>" + "".join(self._cell(v, "td") for v in row) + "</tr>" for row in self.rows)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    def __str__(self):
        table = [[self._format(v)[0] for v in row] for row in [self.header] + self.rows]
        widths = [max(len(row[j]) for row in table) for j in range(len(self.header))]
        return "\n".join("  ".join(t.ljust(w) for t, w in zip(row, widths)).rstrip() for row in table)

    __repr__ = __str__


def html_table(header, rows, decimals=3):
    """A table of ``rows`` (each a sequence as long as ``header``) under ``header``.

    Integers are right-aligned with thousands separators, floats right-aligned
    with ``decimals`` decimals, anything else is shown as ``str``. Strings are
    HTML, so ``"<b>total</b>"`` is bold; pass ``html.escape(s)`` to show a
    literal ``<``.
    """
    return HTMLTable(header, rows, decimals)
