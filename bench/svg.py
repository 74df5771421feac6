"""A log-log line chart of time versus N per stage, as plain SVG (no plotting dependency to install)."""

from __future__ import annotations

import math
from html import escape

SVG_NS = "http://www.w3.org/2000/svg"
WIDTH, HEIGHT = 760, 440
LEFT, RIGHT, TOP, BOTTOM = 70, 190, 30, 50
COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22")


def _decades(low: float, high: float) -> list[float]:
    return [10.0**e for e in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)]


def line_chart(series: dict[str, list[tuple[float, float]]], title: str, y_label: str) -> str:
    """Series of (N, value) points, both axes logarithmic; empty series are left out."""
    series = {k: sorted(v) for k, v in series.items() if v}
    points = [p for v in series.values() for p in v if p[0] > 0 and p[1] > 0]
    if not points:
        return f'<svg xmlns="{SVG_NS}" width="{WIDTH}" height="60"><text x="10" y="30">no data</text></svg>\n'
    xs = _decades(min(p[0] for p in points), max(p[0] for p in points))
    ys = _decades(min(p[1] for p in points), max(p[1] for p in points))
    if len(xs) < 2:
        xs = [xs[0], xs[0] * 10]
    if len(ys) < 2:
        ys = [ys[0], ys[0] * 10]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def px(x: float) -> float:
        return LEFT + (math.log10(x) - math.log10(xs[0])) / (math.log10(xs[-1]) - math.log10(xs[0])) * plot_w

    def py(y: float) -> float:
        return TOP + plot_h - (math.log10(y) - math.log10(ys[0])) / (math.log10(ys[-1]) - math.log10(ys[0])) * plot_h

    out = [
        f'<svg xmlns="{SVG_NS}" width="{WIDTH}" height="{HEIGHT}" font-family="sans-serif" font-size="12">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{LEFT}" y="18" font-size="14">{escape(title)}</text>',
    ]
    for x in xs:
        out.append(f'<line x1="{px(x):.1f}" y1="{TOP}" x2="{px(x):.1f}" y2="{TOP + plot_h}" stroke="#ddd"/>')
        out.append(f'<text x="{px(x):.1f}" y="{TOP + plot_h + 16}" text-anchor="middle">{x:,.0f}</text>')
    for y in ys:
        out.append(f'<line x1="{LEFT}" y1="{py(y):.1f}" x2="{LEFT + plot_w}" y2="{py(y):.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{LEFT - 6}" y="{py(y) + 4:.1f}" text-anchor="end">{y:g}</text>')
    out.append(f'<text x="{LEFT + plot_w / 2:.0f}" y="{HEIGHT - 10}" text-anchor="middle">cards (N)</text>')
    out.append(
        f'<text x="16" y="{TOP + plot_h / 2:.0f}" text-anchor="middle" '
        f'transform="rotate(-90 16 {TOP + plot_h / 2:.0f})">{escape(y_label)}</text>'
    )
    for i, (name, pts) in enumerate(series.items()):
        color = COLORS[i % len(COLORS)]
        coords = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in pts if x > 0 and y > 0)
        out.append(f'<polyline points="{coords}" fill="none" stroke="{color}" stroke-width="2"/>')
        for x, y in pts:
            if x > 0 and y > 0:
                out.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{color}"/>')
        ly = TOP + 10 + i * 18
        lx = WIDTH - RIGHT + 15
        out.append(f'<line x1="{lx}" y1="{ly}" x2="{lx + 20}" y2="{ly}" stroke="{color}" stroke-width="2"/>')
        out.append(f'<text x="{WIDTH - RIGHT + 40}" y="{ly + 4}">{escape(name)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
