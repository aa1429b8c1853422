"""Charts as inline SVG, for a report that opens from disk and makes no request.

Three shapes cover the report: bars stacked per day (counts), lines of a share
per day (0-100 %), and one 100 % bar per row (a split). Every value drawn is
also in the table the report puts beside the chart; the SVG is labelled for
screen readers but the table is what they read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Final

from markupsafe import Markup, escape

#: Colours that stay apart for the common kinds of colour blindness (Okabe-Ito), in series order.
PALETTE: Final = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#f0e442", "#000000")

_WIDTH: Final = 640
_HEIGHT: Final = 240
_LEFT: Final = 44
_BOTTOM: Final = 28
_TOP: Final = 10
_RIGHT: Final = 8


def _svg(label: str, body: str, height: int = _HEIGHT) -> Markup:
    # Safe: every text in ``body`` went through ``escape``; the rest are numbers and palette colours.
    return Markup(  # noqa: S704
        f'<svg viewBox="0 0 {_WIDTH} {height}" role="img" aria-label="{escape(label)}" '
        f'xmlns="http://www.w3.org/2000/svg" class="chart">{body}</svg>'
    )


def _x_labels(labels: Sequence[str], slot: float) -> str:
    """At most about ten labels under the x axis, so that they never overlap."""
    step = max(1, -(-len(labels) // 10))
    plot_bottom = _HEIGHT - _BOTTOM
    return "".join(
        f'<text x="{_LEFT + slot * (index + 0.5):.1f}" y="{plot_bottom + 16}" text-anchor="middle" '
        f'class="tick">{escape(label)}</text>'
        for index, label in enumerate(labels)
        if index % step == 0
    )


def _y_axis(top_value: float, format_value: Callable[[float], str]) -> str:
    plot_height = _HEIGHT - _BOTTOM - _TOP
    lines = []
    for fraction in (0, 0.25, 0.5, 0.75, 1):
        y = _TOP + plot_height * (1 - fraction)
        lines.append(
            f'<line x1="{_LEFT}" x2="{_WIDTH - _RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">'
            f"{escape(format_value(top_value * fraction))}</text>"
        )
    return "".join(lines)


def _nice_ceiling(value: int) -> int:
    """A round top for a count axis: 1, 2, 5 × 10^n at or above ``value``."""
    if value <= 0:
        return 1
    magnitude = int(10 ** (len(str(value)) - 1))
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= value:
            return int(factor * magnitude)
    return 10 * magnitude  # not reached: 10 × magnitude always covers value


def stacked_bars(
    label: str,
    x_labels: Sequence[str],
    stacks: Sequence[Mapping[str, int]],
    keys: Sequence[str],
    format_count: Callable[[float], str],
) -> Markup:
    """One bar per x label, its segments stacked in ``keys`` order with ``PALETTE`` colours."""
    top = _nice_ceiling(max((sum(stack.values()) for stack in stacks), default=0))
    plot_height = _HEIGHT - _BOTTOM - _TOP
    slot = (_WIDTH - _LEFT - _RIGHT) / max(1, len(stacks))
    bar = max(1.0, slot * 0.7)
    rects = []
    for index, stack in enumerate(stacks):
        y = float(_TOP + plot_height)
        x = _LEFT + slot * index + (slot - bar) / 2
        for colour, key in zip(PALETTE, keys, strict=False):
            height = plot_height * stack.get(key, 0) / top
            if height <= 0:
                continue
            y -= height
            rects.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{height:.1f}" fill="{colour}"/>')
    return _svg(label, _y_axis(top, format_count) + "".join(rects) + _x_labels(x_labels, slot))


def share_lines(
    label: str,
    x_labels: Sequence[str],
    series: Sequence[Sequence[float | None]],
    format_share: Callable[[float], str],
) -> Markup:
    """One line per series of shares (0 to 1) over the x labels; a missing value breaks the line."""
    plot_height = _HEIGHT - _BOTTOM - _TOP
    slot = (_WIDTH - _LEFT - _RIGHT) / max(1, len(x_labels))
    paths = []
    for colour, values in zip(PALETTE, series, strict=False):
        commands, pen_down = [], False
        dots = []
        for index, value in enumerate(values):
            if value is None:
                pen_down = False
                continue
            x, y = _LEFT + slot * (index + 0.5), _TOP + plot_height * (1 - value)
            commands.append(f"{'L' if pen_down else 'M'}{x:.1f} {y:.1f}")
            dots.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}"/>')
            pen_down = True
        if commands:
            paths.append(f'<path d="{" ".join(commands)}" stroke="{colour}" fill="none" stroke-width="2"/>')
            paths.extend(dots)
    return _svg(label, _y_axis(1, format_share) + "".join(paths) + _x_labels(x_labels, slot))


def split_bars(
    label: str,
    rows: Sequence[tuple[str, Mapping[str, int]]],
    keys: Sequence[str],
) -> Markup:
    """One horizontal 100 % bar per row, split in ``keys`` order with ``PALETTE`` colours."""
    row_height, gap, name_width = 22, 10, 120
    height = max(1, len(rows)) * (row_height + gap) + gap
    width = _WIDTH - name_width - _RIGHT
    parts = []
    for index, (name, counts) in enumerate(rows):
        y = gap + index * (row_height + gap)
        parts.append(
            f'<text x="{name_width - 8}" y="{y + row_height / 2 + 4:.1f}" text-anchor="end" class="tick">'
            f"{escape(name)}</text>"
        )
        total = sum(counts.get(key, 0) for key in keys)
        x = float(name_width)
        for colour, key in zip(PALETTE, keys, strict=False):
            part = width * counts.get(key, 0) / total if total else 0
            if part > 0:
                parts.append(f'<rect x="{x:.1f}" y="{y}" width="{part:.1f}" height="{row_height}" fill="{colour}"/>')
                x += part
    return _svg(label, "".join(parts), height)
