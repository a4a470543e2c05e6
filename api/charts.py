"""Bar charts as server-rendered SVG: no script, no CDN, readable as text by screen readers.

A chart is groups of bars, each group on its own scale: one group per currency (CZK and EUR are never
added or drawn on one axis) or per unit (people, hours). The SVG has role="img" and a text alternative,
and pages put the same numbers in a table beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from html import escape

from markupsafe import Markup

WIDTH = 720
LABEL_WIDTH = 260
VALUE_WIDTH = 150
ROW = 24
HEADING = 28
LABEL_CHARACTERS = 38
COLOURS = ("#1f5f8b", "#8a4b08", "#2d6a3e", "#6b3d7a")  # each at least 4.5:1 against white


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal
    text: str  # the value as shown: '8 464 591,00 CZK'
    href: str | None = None
    language: str = ""


@dataclass
class Group:
    """Bars on one scale, under a heading naming what they count (a currency, a unit)."""

    heading: str
    bars: list[Bar] = field(default_factory=list)


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARACTERS else label[: LABEL_CHARACTERS - 1].rstrip() + "…"


def bar_chart(title: str, groups: list[Group], chart_id: str) -> Markup:
    """An SVG of horizontal bars: per group a heading and its bars, the longest bar the group's largest
    value. Labels longer than the label column are cut, with the whole label as the bar's <title>."""
    groups = [group for group in groups if group.bars]
    height = sum(HEADING + ROW * len(group.bars) for group in groups) + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-labelledby="{chart_id}-title">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
    ]
    y = 0
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    for index, group in enumerate(groups):
        colour = COLOURS[index % len(COLOURS)]
        y += HEADING
        parts.append(f'<text x="0" y="{y - 8}" class="chart-heading">{escape(group.heading)}</text>')
        largest = max((bar.value for bar in group.bars), default=Decimal(0)) or Decimal(1)
        for bar in group.bars:
            width = max(1.0, float(bar.value / largest) * span) if bar.value > 0 else 0.0
            language = f' xml:lang="{escape(bar.language)}"' if bar.language else ""
            label = f'<text x="0" y="{y + 16}"{language}>{escape(_short(bar.label))}</text>'
            if bar.href:
                label = f'<a href="{escape(bar.href)}">{label}</a>'
            parts.append(
                f"<g><title>{escape(bar.label)}: {escape(bar.text)}</title>{label}"
                f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{width:.1f}" height="{ROW - 8}" '
                f'fill="{colour}"/>'
                f'<text x="{LABEL_WIDTH + width + 6:.1f}" y="{y + 16}" class="chart-value">'
                f"{escape(bar.text)}</text></g>"
            )
            y += ROW
    parts.append("</svg>")
    return Markup("".join(parts))
