"""Charts as inline SVG for the HTML report: a donut and horizontal bars, drawn from counts.

Each chart carries ``data-chart`` and each mark ``data-key`` and ``data-count``, so a test (or a
script) reads the numbers from the page instead of guessing them from pixels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

WIDTH = 420
ROW = 24  # height of one bar row
LABEL = 214  # width of the label column of a bar chart: 34 characters at 11px
LABEL_CHARS = 34
COUNT = 44  # room for the count after the longest bar


@dataclass(frozen=True)
class Mark:
    key: str  # what the mark counts (a status, a code, a file)
    label: str
    count: int
    color: str
    href: str = ""  # an in-page link (#status=blocked): the table below filters on it
    title: str = ""  # the tooltip; defaults to label and count


def _attr(value: str) -> str:
    return escape(value, quote=True)


def _link(mark: Mark, inner: str) -> str:
    if not mark.href:
        return inner
    return f'<a href="{_attr(mark.href)}">{inner}</a>'


def _title(mark: Mark) -> str:
    return f"<title>{escape(mark.title or mark.label)}: {mark.count}</title>"


def donut(chart: str, marks: list[Mark], caption: str) -> str:
    """A ring of the marks' shares with a legend; the total in the middle."""
    total = sum(m.count for m in marks)
    radius, stroke, cx, cy = 62.0, 24.0, 84.0, 84.0
    circumference = 2 * math.pi * radius
    parts = [
        f'<svg class="chart" data-chart="{_attr(chart)}" data-total="{total}" '
        f'viewBox="0 0 {WIDTH} 168" role="img" aria-label="{_attr(caption)}">',
        f'<circle cx="{cx}" cy="{cy}" r="{radius}" fill="none" stroke="#eaeef2" '
        f'stroke-width="{stroke}"/>',
    ]
    offset = 0.0
    for mark in marks:
        length = circumference * mark.count / total if total else 0.0
        parts.append(
            _link(
                mark,
                (
                    f'<circle class="mark" data-key="{_attr(mark.key)}" data-count="{mark.count}" '
                    f'cx="{cx}" cy="{cy}" r="{radius}" fill="none" stroke="{mark.color}" '
                    f'stroke-width="{stroke}" stroke-dasharray="{length:.2f} {circumference:.2f}" '
                    f'stroke-dashoffset="{-offset:.2f}" transform="rotate(-90 {cx} {cy})">'
                    f"{_title(mark)}</circle>"
                ),
            )
        )
        offset += length
    parts.append(
        f'<text x="{cx}" y="{cy - 2}" class="big" text-anchor="middle">{total}</text>'
        f'<text x="{cx}" y="{cy + 16}" class="small" text-anchor="middle">documents'
        "</text>"
    )
    for row, mark in enumerate(marks):
        y = 22 + row * ROW
        parts.append(
            _link(
                mark,
                (
                    f'<g class="legend"><rect x="200" y="{y - 11}" width="14" height="14" rx="3" '
                    f'fill="{mark.color}"/><text x="222" y="{y}">{escape(mark.label)}</text>'
                    f'<text x="{WIDTH - 8}" y="{y}" text-anchor="end" class="num">'
                    f"{mark.count}</text>"
                    f"{_title(mark)}</g>"
                ),
            )
        )
    parts.append("</svg>")
    return "".join(parts)


def bars(chart: str, marks: list[Mark], caption: str, empty: str) -> str:
    """One labelled horizontal bar per mark, longest first as given; ``empty`` when none."""
    height = max(len(marks), 1) * ROW + 8
    parts = [
        f'<svg class="chart" data-chart="{_attr(chart)}" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-label="{_attr(caption)}">'
    ]
    if not marks:
        parts.append(
            f'<text x="{WIDTH / 2}" y="{ROW}" text-anchor="middle" class="small">'
            f"{escape(empty)}</text></svg>"
        )
        return "".join(parts)
    top = max(m.count for m in marks)
    room = WIDTH - LABEL - COUNT
    for row, mark in enumerate(marks):
        y = 4 + row * ROW
        length = max(room * mark.count / top, 2.0)
        parts.append(
            _link(
                mark,
                (
                    f'<g class="bar"><text x="{LABEL - 8}" y="{y + 15}" text-anchor="end">'
                    f"{escape(_shorten(mark.label, LABEL_CHARS))}</text>"
                    f'<rect class="mark" data-key="{_attr(mark.key)}" data-count="{mark.count}" '
                    f'x="{LABEL}" y="{y + 3}" width="{length:.1f}" height="{ROW - 8}" rx="3" '
                    f'fill="{mark.color}"/>'
                    f'<text x="{LABEL + length + 6:.1f}" y="{y + 15}" class="num">'
                    f"{mark.count}</text>"
                    f"{_title(mark)}</g>"
                ),
            )
        )
    parts.append("</svg>")
    return "".join(parts)


def _shorten(text: str, limit: int) -> str:
    """The end of a long label (a file's name matters more than its folders)."""
    return text if len(text) <= limit else "…" + text[-(limit - 1) :]
