"""Transparency reports over a seeded October 2026: every figure against the seed's own specs,
tenancy, and no personal data in any output."""

from __future__ import annotations

import csv
import io
import json
import math
import re
import shutil
import statistics
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from haechi.adapters.sql.tables import MatchEventRow
from haechi.bootstrap import Container
from haechi.bootstrap.transparency import build_transparency
from haechi.domain.errors import Forbidden, InvalidInput, NotFound
from haechi.domain.le_requests import DEFAULT_POLICIES
from haechi.domain.tenancy import Principal, Role
from haechi.domain.transparency import Period, TransparencyReport
from haechi.services.transparency import TransparencyService
from tests.fixtures.transparency import (
    DECISIONS,
    LE,
    MATCHES,
    NOTICES,
    NOV,
    NOW,
    OCT,
    REPORTS,
    SECRETS,
    H,
    Seeded,
    seed_month,
)

OCTOBER = Period.parse("2026-10-01", "2026-11-01")


def linear(values: list[float], q: int) -> float:
    """numpy's default percentile, independently: statistics' inclusive quantiles."""
    if len(values) == 1:
        return values[0]
    if q == 50:
        return statistics.median(values)
    return statistics.quantiles(values, n=10, method="inclusive")[q // 10 - 1]


def nearest_rank(values: list[float], q: int) -> float:
    ordered = sorted(values)
    return ordered[math.ceil(len(ordered) * q / 100) - 1]


@pytest.fixture
def seeded(container: Container) -> Seeded:
    return seed_month(container)


@pytest.fixture
def service(container: Container) -> TransparencyService:
    built = build_transparency(container.engine, container.uow)
    built._now = lambda: NOW
    return built


def as_org(c: Container, name: str, role: Role) -> Principal:
    return Principal.of(c.auth.org(name), frozenset({role}), label="test")


def kcsc_report(c: Container, service: TransparencyService) -> TransparencyReport:
    return service.report(as_org(c, "KCSC", Role.ANALYST), org=None, period=OCTOBER)


def test_reports_by_source_count_the_period_only(
    container: Container, seeded: Seeded, service: TransparencyService
) -> None:
    report = kcsc_report(container, service)
    inside = [kind for kind, _, offset in REPORTS if 0 <= offset < NOV - OCT]
    assert report.reports_by_source == {
        k: Counter(inside)[k]
        for k in ("victim", "public", "regulator", "police", "trusted_flagger")
    }
    assert report.reports_total == 15


def test_notice_times_and_scorecard_match_the_seed(
    container: Container, seeded: Seeded, service: TransparencyService
) -> None:
    notices = kcsc_report(container, service).notices
    every = [spec for specs in NOTICES.values() for spec in specs]
    acks = [a * H for _, a, _, _ in every if a is not None]
    acts = [a * H for _, _, a, _ in every if a is not None]
    assert (notices.sent, notices.received, notices.items) == (13, 0, 26)
    assert notices.ack.median_s == pytest.approx(linear(acks, 50))
    assert notices.ack.p90_s == pytest.approx(linear(acks, 90))
    assert notices.act.median_s == pytest.approx(linear(acts, 50))
    assert notices.act.p90_s == pytest.approx(linear(acts, 90))
    assert notices.act.count == len(acts) == 12
    refused = sum(1 for _, _, a, r in every if a is not None and r)
    assert notices.outcomes["removed"] == 2 * len(acts) - refused
    assert notices.outcomes["refused"] == refused
    assert [row.platform for row in notices.scorecard] == ["Signal", "Telegram", "Viber"]
    for row in notices.scorecard:
        specs = NOTICES[row.platform]
        times = [a for _, _, a, _ in specs if a is not None]
        assert row.notices == len(specs)
        assert row.within_sla == sum(1 for t in times if t <= 24)
        assert row.late == sum(1 for t in times if t > 24)
        assert row.unanswered == sum(1 for _, _, a, _ in specs if a is None)
        assert row.slowest_s == pytest.approx(max(times) * H)
        assert row.act.median_s == pytest.approx(linear([t * H for t in times], 50))
        assert row.policies == ("kcsc_24h",)
    headlines = [row.headline for row in notices.scorecard]
    assert headlines == [
        "Signal: 3 of 4 within 24 h, slowest 23 h",
        "Telegram: 4 of 6 within 24 h, slowest 36 h",
        "Viber: 1 of 3 within 24 h, slowest 72 h",
    ]
    expected_bins = Counter(
        next((label for label, edge in zip(
            ("< 1 h", "1-6 h", "6-12 h", "12-24 h", "24-48 h", "48-72 h"),
            (1, 6, 12, 24, 48, 72), strict=True) if t / H < edge), "≥ 72 h")
        for t in acts
    )  # fmt: skip
    assert {k: v for k, v in notices.act_histogram if v} == dict(expected_bins)


def test_law_enforcement_requests_and_response_times(
    container: Container, seeded: Seeded, service: TransparencyService
) -> None:
    le = kcsc_report(container, service).le
    assert le.received == len(LE)
    assert {k: v for k, v in le.by_type.items() if v} == dict(Counter(t.value for t, *_ in LE))
    assert {k: v for k, v in le.by_status.items() if v} == dict(Counter(s for *_, s, _ in LE))
    took = [h * H for _, _, h, s, _ in LE if h is not None and s != "rejected"]
    assert le.response.count == len(took) == 5
    assert le.response.median_s == nearest_rank(took, 50) == 10 * H
    assert le.response.p90_s == nearest_rank(took, 90) == 50 * H
    rows = {r.platform: r for r in le.platforms}
    tg = [h * H for _, p, h, s, _ in LE if p == "Telegram" and h is not None]
    assert rows["Telegram"].answered == 4 and rows["Telegram"].refused == 0
    assert rows["Telegram"].median_s == nearest_rank(tg, 50)
    assert rows["Signal"].refused == 1
    late = [
        (p, h)
        for t, p, h, s, _ in LE
        if h is not None and h * H > DEFAULT_POLICIES[t].due_times(0.0).act_due_at
    ]
    assert sum(r.late for r in le.platforms) == len(late)


def test_matches_by_bank_and_decisions_by_ground(
    container: Container, seeded: Seeded, service: TransparencyService
) -> None:
    report = kcsc_report(container, service)
    banks: Counter[str] = Counter()
    for bank, n, _ in MATCHES:
        banks[bank] += n
    assert report.matches_by_bank == dict(banks)  # November's events left out
    assert list(report.matches_by_bank) == ["kcsc-deepfake", "stopncii-import", "school-reports"]
    d = report.decisions
    grounds = Counter(
        g or ("ESCALATED" if o == "escalate" else "NOT_ILLEGAL") for o, g, *_ in DECISIONS
    )
    assert d.total == len(DECISIONS) == 12
    assert d.by_ground == dict(sorted(grounds.items()))
    stated = [spec for spec in DECISIONS if spec[1] is not None]
    assert d.automated == sum(1 for s in stated if s[4] == "AUTOMATED_DECISION_PARTIALLY") == 3
    assert d.human == 12 - 3
    assert d.automated_detection == dict(sorted(Counter(s[3] for s in stated).items()))
    assert d.by_category == dict(sorted(Counter(s[2] for s in stated).items()))
    assert d.by_source["SOURCE_VOLUNTARY"] == 2


def test_a_platform_gets_its_own_figures(
    container: Container, seeded: Seeded, service: TransparencyService
) -> None:
    report = service.report(as_org(container, "Telegram", Role.ADMIN), org=None, period=OCTOBER)
    assert report.notices.received == 7 and report.notices.sent == 0  # the flagger's too
    assert report.le.received == sum(1 for _, p, _, _, v in LE if p == "Telegram")
    assert report.matches_by_bank == {"stopncii-import": 4, "kcsc-deepfake": 2}
    assert report.reports_total == 0 and report.decisions.total == 0


def test_who_may_report_on_whom(
    container: Container, seeded: Seeded, service: TransparencyService
) -> None:
    def ask(org_name: str, role: Role, target: str | None) -> TransparencyReport:
        who = as_org(container, org_name, role)
        return service.report(who, org=target, period=OCTOBER)

    assert ask("KCSC", Role.ADMIN, "Telegram").org == "Telegram"
    assert ask("KCSC", Role.AUDITOR, None).org == "KCSC"
    for org_name, role, target in (
        ("KCSC", Role.MODERATOR, None),
        ("KCSC", Role.AUDITOR, "Telegram"),
        ("Telegram", Role.ADMIN, "KCSC"),
        ("Telegram", Role.PLATFORM_AGENT, None),
        ("Telegram", Role.ADMIN, "No Such Org"),
    ):
        with pytest.raises(Forbidden):
            ask(org_name, role, target)
    with pytest.raises(NotFound):
        ask("KCSC", Role.ADMIN, "No Such Org")
    with pytest.raises(InvalidInput):
        Period.parse("2026-11-01", "2026-10-01")
    with pytest.raises(InvalidInput):
        Period.parse("2026-10-01", "tomorrow")


def _outputs(container: Container, service: TransparencyService) -> dict[str, bytes]:
    who = as_org(container, "KCSC", Role.ADMIN)
    return {
        fmt: service.render(who, org=None, period=OCTOBER, fmt=fmt).data
        for fmt in ("json", "csv", "html", "pdf")
    }


def test_no_personal_data_in_any_output(
    container: Container, seeded: Seeded, service: TransparencyService, tmp_path: Path
) -> None:
    outputs = _outputs(container, service)
    texts = {fmt: data.decode() for fmt, data in outputs.items() if fmt != "pdf"}
    if shutil.which("pdftotext"):
        pdf = tmp_path / "r.pdf"
        pdf.write_bytes(outputs["pdf"])
        texts["pdf"] = subprocess.run(
            ["pdftotext", str(pdf), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        assert "Telegram: 4 of 6 within 24 h, slowest 36 h" in texts["pdf"]
    for fmt, text in texts.items():
        for secret in SECRETS:
            assert secret.lower() not in text.lower(), (fmt, secret)
        assert "@" not in text.replace("@media", ""), fmt


def test_json_follows_the_template_and_csv_carries_the_figures(
    container: Container, seeded: Seeded, service: TransparencyService
) -> None:
    outputs = _outputs(container, service)
    body = json.loads(outputs["json"])
    assert body["identification"]["period_start"] == "2026-10-01"
    assert body["identification"]["period_end"] == "2026-10-31"
    sections = body["sections"]
    assert sections["orders_from_authorities"]["orders_received"] == 7
    assert sections["orders_from_authorities"]["orders_to_act_art_9"] == 1
    assert sections["notices_art_16"]["notices_from_trusted_flaggers"] == 3
    assert sections["complaints_art_20"] is None and "complaints_art_20" in body["unmapped"]
    assert sections["automated_means"]["decisions_fully_automated"] == 0
    rows = list(csv.DictReader(io.StringIO(outputs["csv"].decode())))
    assert {"section": "reports", "metric": "by_source", "key": "victim", "value": "5"} in rows
    headline = [r for r in rows if r["metric"].endswith(".headline")]
    assert [r["value"] for r in headline][1] == "Telegram: 4 of 6 within 24 h, slowest 36 h"
    assert outputs["pdf"].startswith(b"%PDF")
    assert len(re.findall(rb"/Type /Page\b(?!s)", outputs["pdf"])) == 6  # summary + 5 charts
    assert b"data:image/png;base64," in outputs["html"]


def test_csv_quotes_names_a_spreadsheet_would_run(
    container: Container, seeded: Seeded, service: TransparencyService
) -> None:
    with Session(container.engine) as s, s.begin():
        s.execute(update(MatchEventRow).values(bank_name="=HYPERLINK(1)"))
    who = as_org(container, "KCSC", Role.ADMIN)
    text = service.render(who, org=None, period=OCTOBER, fmt="csv").data.decode()
    assert "matches_by_bank,'=HYPERLINK(1),,13" in text
    assert "\n=" not in text and ",=" not in text
