"""The charts of a transparency report, drawn with matplotlib's object API (no pyplot state, so
reports can be drawn from several threads) and returned as figures or PNG bytes."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from haechi.domain.transparency import HOUR, TransparencyReport

WIDTH, HEIGHT = 8.0, 3.6
BLUE, GREEN, ORANGE, RED, GREY = "#3b6ea8", "#3a8f5c", "#e0902f", "#c0392b", "#9aa3ab"


def _figure(height: float = HEIGHT) -> tuple[Figure, Axes]:
    fig = Figure(figsize=(WIDTH, height), dpi=110, layout="constrained")
    return fig, fig.add_subplot()


def _empty(ax: Axes, title: str) -> None:
    ax.set_title(title)
    ax.text(0.5, 0.5, "nothing in this period", ha="center", va="center", color=GREY)
    ax.set_axis_off()


def _hbars(ax: Axes, labels: Sequence[str], values: Sequence[int], title: str, color: str) -> None:
    if not any(values):
        _empty(ax, title)
        return
    positions = range(len(labels))
    bars = ax.barh(positions, values, color=color)
    ax.set_yticks(list(positions), labels=list(labels))
    ax.invert_yaxis()
    ax.bar_label(bars, padding=3)
    ax.set_xlim(0, max(values) * 1.15)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("count")
    ax.set_title(title)
    ax.spines[["top", "right"]].set_visible(False)


def reports_by_source(report: TransparencyReport) -> Figure:
    fig, ax = _figure()
    items = report.reports_by_source
    labels = [k.replace("_", " ") for k in items]
    _hbars(ax, labels, list(items.values()), "Reports received by source", BLUE)
    return fig


def decisions_by_ground(report: TransparencyReport) -> Figure:
    fig, ax = _figure()
    items = report.decisions.by_ground
    labels = [k.removeprefix("DECISION_GROUND_").replace("_", " ").lower() for k in items]
    _hbars(ax, labels, list(items.values()), "Decisions by ground", GREEN)
    return fig


def matches_by_bank(report: TransparencyReport) -> Figure:
    fig, ax = _figure()
    items = report.matches_by_bank
    _hbars(ax, list(items), list(items.values()), "Hash matches by bank", BLUE)
    return fig


def time_to_act(report: TransparencyReport) -> Figure:
    fig, ax = _figure()
    title = "Time to act on takedown notices (from receipt)"
    bins = report.notices.act_histogram
    if not any(n for _, n in bins):
        _empty(ax, title)
        return fig
    bars = ax.bar([label for label, _ in bins], [n for _, n in bins], color=ORANGE)
    ax.bar_label(bars, padding=2)
    ax.set_ylim(0, max(n for _, n in bins) * 1.2)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("hours from receipt until every item had an outcome")
    ax.set_ylabel("notices")
    median = report.notices.act.median_s
    p90 = report.notices.act.p90_s
    if median is not None and p90 is not None:
        title += f"\nmedian {median / HOUR:.1f} h, 90th percentile {p90 / HOUR:.1f} h"
    ax.set_title(title)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def scorecard(report: TransparencyReport) -> Figure:
    rows = report.notices.scorecard
    fig, ax = _figure(max(2.4, 1.1 + 0.75 * len(rows)))
    title = "SLA scorecard: notices acted on within the deadline"
    if not rows:
        _empty(ax, title)
        return fig
    names = [r.platform for r in rows]
    left = [0] * len(rows)
    for label, color, values in (
        ("within SLA", GREEN, [r.within_sla for r in rows]),
        ("late", RED, [r.late for r in rows]),
        ("unanswered", GREY, [r.unanswered for r in rows]),
    ):
        bars = ax.barh(names, values, left=left, color=color, label=label)
        ax.bar_label(bars, labels=[str(v) if v else "" for v in values], label_type="center",
                     color="white", fontweight="bold")  # fmt: skip
        left = [a + b for a, b in zip(left, values, strict=True)]
    for y, row in enumerate(rows):
        ax.text(left[y] * 1.01, y, row.headline.split(": ", 1)[1], va="center", fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, max(left) * 1.6)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("notices")
    ax.set_title(title)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncols=3, fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


CHARTS: tuple[tuple[str, Callable[[TransparencyReport], Figure]], ...] = (
    ("reports_by_source", reports_by_source),
    ("sla_scorecard", scorecard),
    ("time_to_act", time_to_act),
    ("decisions_by_ground", decisions_by_ground),
    ("matches_by_bank", matches_by_bank),
)


def png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def all_png(report: TransparencyReport) -> dict[str, bytes]:
    return {name: png(draw(report)) for name, draw in CHARTS}
