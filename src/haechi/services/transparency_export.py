"""JSON and CSV forms of a transparency report.

The JSON follows the sections of the EU's harmonised quantitative template for DSA transparency
reports (Commission Implementing Regulation (EU) 2024/2835, Annex I): identification, orders from
authorities (Art. 9/10), notices (Art. 16), own-initiative moderation, complaints (Art. 20),
out-of-court disputes (Art. 21), suspensions (Art. 23) and automated means. Keys name the template's
sections and indicators in snake case; they are not the template's cell codes. Where haechi keeps
no record of an indicator the value is null and `unmapped` says why: nothing is invented. The full
figures follow under `figures`; the CSV is those figures in long form (section, metric, key, value).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from haechi.domain.transparency import TransparencyReport

TEMPLATE = "Commission Implementing Regulation (EU) 2024/2835, Annex I, quantitative template"
UNMAPPED = {
    "orders_by_member_state": "the issuing state of a request is not recorded",
    "median_time_to_inform_authority_of_receipt": "receipt is recorded on delivery to the "
    "platform; when the authority learnt of it is not",
    "complaints_art_20": "haechi keeps no internal complaint-handling records",
    "out_of_court_disputes_art_21": "haechi keeps no out-of-court dispute records",
    "suspensions_art_23": "haechi suspends no accounts",
    "automated_means_accuracy": "no error-rate measurement of automated means is recorded",
    "average_monthly_active_recipients": "not a figure haechi can know",
}


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def figures(report: TransparencyReport) -> dict[str, Any]:
    """Every figure of the report as plain JSON values (seconds for durations)."""
    notices = asdict(report.notices)
    notices["act_histogram"] = dict(report.notices.act_histogram)
    for row, card in zip(notices["scorecard"], report.notices.scorecard, strict=True):
        row["headline"] = card.headline
    plain = {
        "reports": {
            "total": report.reports_total,
            "by_source": report.reports_by_source,
            "by_channel": report.reports_by_channel,
        },
        "notices": notices,
        "law_enforcement": asdict(report.le),
        "matches_by_bank": report.matches_by_bank,
        "decisions": asdict(report.decisions),
    }
    result: dict[str, Any] = json.loads(json.dumps(plain))  # tuples become lists
    return result


def _template(report: TransparencyReport) -> dict[str, Any]:
    le, notices, decisions = report.le, report.notices, report.decisions
    by_type = le.by_type
    return {
        "orders_from_authorities": {
            "orders_received": le.received,
            "orders_to_act_art_9": by_type.get("removal", 0),
            "orders_to_provide_information_art_10": by_type.get("disclosure", 0)
            + by_type.get("emergency", 0),
            "preservation_requests": by_type.get("preservation", 0),
            "median_time_to_give_effect_s": le.response.median_s,
        },
        "notices_art_16": {
            "notices_received": report.reports_total,
            "by_source": report.reports_by_source,
            "notices_from_trusted_flaggers": report.reports_by_source.get("trusted_flagger", 0),
            "takedown_notices_sent": notices.sent,
            "takedown_notices_received": notices.received,
            "median_time_to_take_action_s": notices.act.median_s,
        },
        "own_initiative_moderation": {
            "decisions_on_own_initiative": decisions.by_source.get("SOURCE_VOLUNTARY", 0),
            "hash_matches_by_bank": report.matches_by_bank,
        },
        "restrictions_by_ground": decisions.by_ground,
        "restrictions_by_category": decisions.by_category,
        "automated_means": {
            "detected_by_automated_means": decisions.automated_detection.get("Yes", 0),
            "decisions_partially_automated": decisions.automated,
            "decisions_by_a_person": decisions.human,
            "decisions_fully_automated": 0,
        },
    } | {name: None for name in UNMAPPED if not name.startswith(("orders_", "median_"))}


def to_json(report: TransparencyReport) -> dict[str, Any]:
    period = report.period
    return {
        "template": TEMPLATE,
        "identification": {
            "organisation": report.org,
            "organisation_kind": report.org_kind,
            "period_start": period.start.isoformat(),
            "period_end": period.last_day.isoformat(),
            "generated_at": _iso(report.generated_at),
        },
        "sections": _template(report),
        "unmapped": UNMAPPED,
        "figures": figures(report),
        "notes": list(report.notes),
    }


def to_json_bytes(report: TransparencyReport) -> bytes:
    return json.dumps(to_json(report), indent=2, ensure_ascii=False).encode()


def _rows(section: str, metric: str, value: Any) -> list[list[Any]]:
    if isinstance(value, dict):
        if all(not isinstance(v, dict | list) for v in value.values()):
            return [[section, metric, k, v] for k, v in value.items()]
        return [r for k, v in value.items() for r in _rows(section, f"{metric}.{k}", v)]
    if isinstance(value, list):
        return [r for i, v in enumerate(value) for r in _rows(section, f"{metric}[{i}]", v)]
    return [[section, metric, "", value]]


def _cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula (an org or bank named '=…') is quoted."""
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r")):
        return "'" + value
    return value


class _SafeWriter:
    def __init__(self, out: io.StringIO) -> None:
        self._writer = csv.writer(out, lineterminator="\r\n")

    def writerow(self, row: list[Any]) -> None:
        self._writer.writerow([_cell(v) for v in row])

    def writerows(self, rows: list[list[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def to_csv(report: TransparencyReport) -> str:
    """Long form (RFC 4180, UTF-8): one row per figure; `scorecard[0].platform` rows name each
    platform."""
    out = io.StringIO()
    writer = _SafeWriter(out)
    writer.writerow(["section", "metric", "key", "value"])
    period = report.period
    writer.writerow(["identification", "organisation", "", report.org])
    writer.writerow(["identification", "period_start", "", period.start.isoformat()])
    writer.writerow(["identification", "period_end", "", period.last_day.isoformat()])
    for section, value in figures(report).items():
        for metric, inner in value.items() if isinstance(value, dict) else [("", value)]:
            writer.writerows(_rows(section, metric, inner))
    return out.getvalue()
