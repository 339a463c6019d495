"""The server-rendered charts: every value in words, and hidden values drawn as no bar."""

from __future__ import annotations

import re

from reports import charts


def test_a_hidden_value_draws_no_bar_only_its_words():
    svg = charts.hbar_chart(
        key="k", title="T", labels=["Shown", "Hidden"], values=[10, "fewer than 5"], unit="%"
    )
    assert '<desc id="k-desc">Bar chart. Shown 10%, Hidden fewer than 5</desc>' in svg
    widths = re.findall(r'<rect x="250" y="\d+" width="([\d.]+)"', svg)
    assert widths == ["320.0", "0.0"]  # the axis tops at 10, so 10 fills the plot
    assert ">fewer than 5</text>" in svg


def test_a_hidden_value_in_a_bar_chart_is_marked_where_its_bar_would_stand():
    svg = charts.bar_chart(
        key="k",
        title="T",
        categories=["Jan", "Feb"],
        series=[("Raised", [8, "fewer than 5"], "#000")],
    )
    assert "Raised: Jan 8, Feb fewer than 5" in svg
    heights = re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="([\d.]+)"', svg)
    assert heights[-1] == "0.0"
    assert float(heights[-2]) > 0
    assert f">{charts.HIDDEN_MARK.replace('<', '&lt;')}</text>" in svg


def test_a_hidden_value_in_a_grid_is_an_empty_cell_marked():
    svg = charts.grid_chart(
        key="k",
        title="T",
        rows=["A and B"],
        columns=["Step 1", "Step 2"],
        values=[[7, "fewer than 5"]],
    )
    assert "A and B: Step 1 7, Step 2 fewer than 5" in svg
    assert re.findall(r'fill-opacity="([\d.]+)"', svg) == ["1.00", "0.00"]
    assert ">&lt;5</text>" in svg
