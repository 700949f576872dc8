"""Figures of a transparency report from plain records, reusing the live screens' arithmetic.

Notice SLA figures per platform come from the SLA board (`services.board`: linear-interpolation
percentiles) and law-enforcement response times from the law-enforcement dashboard
(`services.le_dashboard`: nearest-rank), so a published report agrees with what analysts saw.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from haechi.domain import transparency as tr
from haechi.domain.le_requests import RequestType, Status
from haechi.domain.le_responses import LeRequest
from haechi.domain.le_responses import percentile as nearest_rank
from haechi.domain.notices import Notice, Outcome
from haechi.domain.tenancy import Organisation
from haechi.services.board import PlatformFigures, build_board, percentile
from haechi.services.le_dashboard import response_times

NOTES = (
    "Period: UTC days, start inclusive, end exclusive; notices and law-enforcement requests "
    "count in the period they were sent or submitted, with their answers as of generation time.",
    "Notice times (acknowledge, act) run from receipt; median and 90th percentile interpolate "
    "linearly between closest ranks, over the notices whose clock stopped.",
    "Law-enforcement response times run from receipt by the platform to the closing answer; "
    "median and 90th percentile are nearest-rank values, over answered or refused requests.",
    "A decision that restricted nothing has no DSA ground and is counted as NOT_ILLEGAL "
    "(or ESCALATED when handed on). No decision is fully automated: a person decides removals.",
    "No personal data: no names of people, contacts, case numbers, PINs, hashes, links or ids.",
)


def times(values: Sequence[float], *, linear: bool = True) -> tr.Times:
    pick = percentile if linear else nearest_rank

    def at(q: float) -> float | None:
        found = pick(values, q)
        return None if found is None else round(found, 3)  # no float noise in published JSON

    return tr.Times(count=len(values), median_s=at(50), p90_s=at(90))


def scorecard_row(figures: PlatformFigures, notices: Sequence[Notice]) -> tr.ScorecardRow:
    mine = [n for n in notices if n.to_org_id == figures.org_id]
    return tr.ScorecardRow(
        platform=figures.name,
        policies=tuple(sorted({n.policy.name for n in mine})),
        act_window_s=tr.common_window(n.act_due_at - n.sent_at for n in mine),
        notices=figures.notices,
        within_sla=figures.notices - figures.open - figures.acted_late,
        late=figures.acted_late,
        unanswered=figures.open,
        items=figures.items,
        removed=figures.removed,
        slowest_s=figures.slowest_s,
        ack=times([t for n in mine if (t := n.ack_clock.took) is not None]),
        act=times([t for n in mine if (t := n.act_clock.took) is not None]),
    )


def notice_section(org: Organisation, notices: Sequence[Notice], now: float) -> tr.NoticeSection:
    board = build_board(notices, now=now, since=0.0)
    acts = [t for n in notices if (t := n.act_clock.took) is not None]
    return tr.NoticeSection(
        sent=sum(1 for n in notices if n.from_org_id == org.id),
        received=sum(1 for n in notices if n.to_org_id == org.id),
        items=sum(len(n.items) for n in notices),
        outcomes={o.value: sum(n.count(o) for n in notices) for o in Outcome},
        ack=times([t for n in notices if (t := n.ack_clock.took) is not None]),
        act=times(acts),
        act_histogram=tr.act_histogram(acts),
        scorecard=tuple(scorecard_row(p, notices) for p in board.platforms),
    )


def le_section(requests: Sequence[LeRequest]) -> tr.LeSection:
    answered = [r for r in requests if r.took is not None and r.status is not Status.REJECTED]
    return tr.LeSection(
        received=len(requests),
        by_type=tr.counts((r.type.value for r in requests), (t.value for t in RequestType)),
        by_status=tr.counts((r.status.value for r in requests), (s.value for s in Status)),
        response=times([r.took for r in answered if r.took is not None], linear=False),
        platforms=tuple(
            tr.LeRow(p.platform, p.answered, p.refused, p.late, p.p50_s, p.p90_s)
            for p in response_times(list(requests))
        ),
    )


def build_report(
    *,
    org: Organisation,
    period: tr.Period,
    now: float,
    reports: Sequence[tr.ReportFact],
    decisions: Sequence[tr.DecisionFact],
    notices: Sequence[Notice],
    le_requests: Sequence[LeRequest],
    matches: Mapping[str, int],
) -> tr.TransparencyReport:
    return tr.TransparencyReport(
        org=org.name,
        org_kind=org.kind.value,
        period=period,
        generated_at=now,
        reports_by_source=tr.reports_by_source(reports),
        reports_by_channel=tr.counts(r.channel for r in reports),
        notices=notice_section(org, notices, now),
        le=le_section(le_requests),
        matches_by_bank=tr.ranked(matches),
        decisions=tr.decision_section(decisions),
        notes=NOTES,
    )
