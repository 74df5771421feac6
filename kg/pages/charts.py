"""Bar charts as plain SVG, written here so a page needs no script, no library and no network.

The SVG is inline in the page, so it takes the page's colours (light and dark) from the stylesheet through
classes. It is one image for assistive technology (`role="img"` with a `<title>` and a `<desc>` that
reads out every value); each bar also has its own `<title>` as a tooltip. The page puts the same numbers
in a table under the chart, with links, for those who prefer to read them.
"""

from __future__ import annotations

from html import escape

from markupsafe import Markup

from kg.pages.views import Bar, Chart

ROW = 22
"""Height of one bar of a horizontal chart, in SVG units (pixels at 100 %)."""
CHAR = 7.2
"""Approximate width of a character of the 12px label font, to size the label column."""


def integer_axis(bars: tuple[Bar, ...], start: int | None = None) -> tuple[Bar, ...]:
    """Bars labelled by integers (years, counts) with the missing ones added as zeros, from `start` if given."""
    numbers = {int(bar.label): bar for bar in bars if bar.label.lstrip("-").isdigit()}
    if len(numbers) != len(bars) or not numbers:
        return bars
    low, high = min(numbers) if start is None else min(start, *numbers), max(numbers)
    return tuple(numbers.get(n, Bar(str(n), 0)) for n in range(low, high + 1))


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def svg(chart: Chart) -> Markup:
    """The chart as an inline `<svg>` element (safe markup: every text in it is escaped)."""
    if chart.orientation == "vertical":
        return _vertical(chart)
    return _horizontal(chart)


def _header(chart: Chart, width: float, height: float) -> list[str]:
    values = "; ".join(f"{bar.label}: {bar.value:,}" for bar in chart.bars)
    return [
        f'<svg class="chart" role="img" aria-labelledby="{_e(chart.id)}-title {_e(chart.id)}-desc" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{_e(chart.id)}-title">{_e(chart.title)}</title>',
        f'<desc id="{_e(chart.id)}-desc">{_e(chart.description)} {_e(values)}.</desc>',
    ]


def _horizontal(chart: Chart) -> Markup:
    label_width = min(260.0, max((len(bar.label) for bar in chart.bars), default=4) * CHAR + 10)
    bar_area, value_width = 240.0, 50.0
    width = label_width + bar_area + value_width
    height = len(chart.bars) * ROW + 8
    top = max((bar.value for bar in chart.bars), default=0) or 1
    out = _header(chart, width, height)
    for i, bar in enumerate(chart.bars):
        y = 4 + i * ROW
        length = bar.value / top * bar_area
        label = (
            bar.label if len(bar.label) * CHAR <= label_width - 10 else bar.label[: int(label_width / CHAR) - 2] + "…"
        )
        text_y = y + ROW / 2 + 4
        out += [
            f'<text class="label" x="{label_width - 8:.0f}" y="{text_y:.0f}" text-anchor="end">{_e(label)}</text>',
            f'<rect class="bar" x="{label_width:.0f}" y="{y + 3}" width="{max(length, 1 if bar.value else 0):.1f}" '
            f'height="{ROW - 6}"><title>{_e(bar.label)}: {bar.value:,}</title></rect>',
            f'<text class="value" x="{label_width + length + 6:.1f}" y="{text_y:.0f}">{bar.value:,}</text>',
        ]
    out.append("</svg>")
    return Markup("\n".join(out))


def _vertical(chart: Chart) -> Markup:
    column = 44.0
    plot_height, bottom, top_margin, left = 160.0, 40.0, 18.0, 8.0
    width = max(240.0, left * 2 + column * len(chart.bars))
    height = top_margin + plot_height + bottom
    top = max((bar.value for bar in chart.bars), default=0) or 1
    out = _header(chart, width, height)
    base = top_margin + plot_height
    out.append(f'<line class="axis" x1="{left}" y1="{base}" x2="{width - left}" y2="{base}"/>')
    for i, bar in enumerate(chart.bars):
        x = left + i * column
        length = bar.value / top * plot_height
        middle = x + column / 2
        out += [
            f'<rect class="bar" x="{x + 6:.0f}" y="{base - length:.1f}" width="{column - 12:.0f}" '
            f'height="{length:.1f}"><title>{_e(bar.label)}: {bar.value:,}</title></rect>',
            f'<text class="value" x="{middle:.0f}" y="{base - length - 4:.1f}" text-anchor="middle">'
            f"{bar.value:,}</text>",
            f'<text class="label" x="{middle:.0f}" y="{base + 16:.0f}" text-anchor="middle">{_e(bar.label)}</text>',
        ]
    out.append(
        f'<text class="axis-title" x="{width / 2:.0f}" y="{height - 4:.0f}" text-anchor="middle">'
        f"{_e(chart.category)}</text>"
    )
    out.append("</svg>")
    return Markup("\n".join(out))
