"""Tests of dlkit.display.html_table: what a page's tables show."""

import numpy as np
import pytest

from dlkit.display import html_table


def test_numbers_are_right_aligned_and_formatted():
    t = html_table(["word", "count", "score"], [["the", np.int64(12345), np.float32(0.12345)], ["<b>total</b>", 7, 2.0]])
    html = t._repr_html_()
    assert html.startswith("<table><thead><tr><th>word</th><th>count</th><th>score</th></tr></thead><tbody>")
    assert '<td style="text-align:right">12,345</td>' in html
    assert '<td style="text-align:right">0.123</td>' in html
    assert "<td><b>total</b></td>" in html        # strings are HTML
    assert html.count("<tr>") == 3


def test_decimals_and_booleans():
    html = html_table(["x", "ok"], [[1 / 3, True]], decimals=5)._repr_html_()
    assert ">0.33333<" in html and "<td>True</td>" in html


def test_text_form_lines_up_columns():
    text = str(html_table(["a", "bb"], [[1000, "x"], [2, "yyy"]]))
    assert text.splitlines() == ["a      bb", "1,000  x", "2      yyy"]


def test_a_row_of_the_wrong_length_names_it():
    with pytest.raises(ValueError, match=r"row 1 has 1 cells but the header has 2"):
        html_table(["a", "b"], [[1, 2], [3]])
