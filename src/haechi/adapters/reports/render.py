"""A transparency report as an HTML page (charts inline as PNG) and as a PDF (matplotlib's
PdfPages: a page of figures in text, then one page per chart). Both are self-contained: nothing
is fetched when they are opened, and they carry only the report's figures."""

from __future__ import annotations

import base64
import io
from datetime import UTC, datetime
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from haechi.adapters.reports import charts
from haechi.domain.transparency import HOUR, Times, TransparencyReport
from haechi.services.transparency_export import figures

A4 = (8.27, 11.69)


def hours(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds / HOUR:.1f} h"


def times_text(times: Times) -> str:
    return f"median {hours(times.median_s)}, 90th percentile {hours(times.p90_s)} (n={times.count})"


def summary_lines(report: TransparencyReport) -> list[str]:
    """The figures of the first PDF page, one line each."""
    n, le, d = report.notices, report.le, report.decisions
    lines = [
        f"Reports received: {report.reports_total}",
        *(f"    {k.replace('_', ' ')}: {v}" for k, v in report.reports_by_source.items()),
        f"Takedown notices sent: {n.sent}, received: {n.received}, items listed: {n.items}",
        f"    time to acknowledge: {times_text(n.ack)}",
        f"    time to act: {times_text(n.act)}",
        "SLA scorecard:",
        *(f"    {row.headline}" for row in n.scorecard),
        f"Law-enforcement requests: {le.received}",
        *(f"    {k}: {v}" for k, v in le.by_type.items() if v),
        f"    response time: {times_text(le.response)}",
        "Hash matches by bank:",
        *(f"    {bank}: {count}" for bank, count in report.matches_by_bank.items()),
        f"Decisions: {d.total} (by a person: {d.human}, partially automated: {d.automated})",
        *(f"    {k}: {v}" for k, v in d.by_ground.items()),
    ]
    return lines


def _title(report: TransparencyReport) -> str:
    p = report.period
    return f"Transparency report — {report.org}, {p.start.isoformat()} to {p.last_day.isoformat()}"


def _text_page(report: TransparencyReport) -> Figure:
    fig = Figure(figsize=A4)
    fig.text(0.07, 0.95, _title(report), fontsize=13, fontweight="bold")
    generated = datetime.fromtimestamp(report.generated_at, UTC).strftime("%Y-%m-%d %H:%M UTC")
    fig.text(0.07, 0.925, f"Generated {generated}. All times are UTC.", fontsize=8, color="#555")
    lines = summary_lines(report)
    step = min(0.022, 0.78 / max(len(lines), 1))
    for i, line in enumerate(lines):
        fig.text(0.07, 0.89 - i * step, line, fontsize=9, family="DejaVu Sans")
    notes_top = 0.89 - len(lines) * step - 0.02
    for i, note in enumerate(report.notes):
        fig.text(0.07, notes_top - i * 0.03, note, fontsize=6.5, color="#555", wrap=True)
    return fig


class ChartReportRenderer:
    def __init__(self) -> None:
        self._env = Environment(
            loader=PackageLoader("haechi.adapters.reports", "templates"),
            autoescape=select_autoescape(default=True),
        )
        self._env.filters["hours"] = hours

    def html(self, report: TransparencyReport) -> bytes:
        images = {
            name: base64.b64encode(data).decode() for name, data in charts.all_png(report).items()
        }
        context: dict[str, Any] = {
            "title": _title(report),
            "report": report,
            "figures": figures(report),
            "charts": images,
            "generated": datetime.fromtimestamp(report.generated_at, UTC).strftime(
                "%Y-%m-%d %H:%M UTC"
            ),
        }
        return self._env.get_template("transparency.html").render(context).encode()

    def pdf(self, report: TransparencyReport) -> bytes:
        buffer = io.BytesIO()
        with PdfPages(buffer, metadata={"Title": _title(report), "Creator": "haechi"}) as pdf:
            pdf.savefig(_text_page(report))
            for _name, draw in charts.CHARTS:
                pdf.savefig(draw(report))
        return buffer.getvalue()
