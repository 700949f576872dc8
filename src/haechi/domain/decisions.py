"""Decisions on reported items and their statements of reasons (DSA Art. 17).

Field names and allowed values are those of the EU DSA Transparency Database API
(`POST /api/v1/statement`; rules from `app/Http/Requests/StatementStoreRequest.php` of
digital-services-act/transparency-database, values in `dsa_vocabulary`), so a decision exports as
a statement that database accepts: enumerations are sent as their keys
(`DECISION_VISIBILITY_CONTENT_REMOVED`), except `automated_detection`, which is "Yes" or "No".
The database accepts only EEA country codes in `territorial_scope`; haechi also accepts other
ISO 3166 codes (a Korean regulator decides for "KR").

haechi adds one rule of its own: a detector score may never be the sole basis of a removal, so a
confirmation can never be `AUTOMATED_DECISION_FULLY`, and needs the facts a person relied on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from haechi.domain.dsa_vocabulary import (
    AUTOMATED_DECISIONS,
    AUTOMATED_DETECTIONS,
    CONTENT_TYPES,
    DECISION_GROUNDS,
    DECISION_VISIBILITIES,
    KEYWORDS,
    SOURCE_TYPES,
    STATEMENT_CATEGORIES,
)
from haechi.domain.errors import InvalidInput
from haechi.domain.reports import ReporterKind


class Outcome(StrEnum):
    CONFIRM_ILLEGAL = "confirm_illegal"
    NOT_ILLEGAL = "not_illegal"
    ESCALATE = "escalate"


_SOURCE_FOR: dict[ReporterKind, str] = {
    ReporterKind.VICTIM: "SOURCE_ARTICLE_16",
    ReporterKind.PUBLIC: "SOURCE_ARTICLE_16",
    ReporterKind.TRUSTED_FLAGGER: "SOURCE_TRUSTED_FLAGGER",
    ReporterKind.REGULATOR: "SOURCE_TYPE_OTHER_NOTIFICATION",
    ReporterKind.POLICE: "SOURCE_TYPE_OTHER_NOTIFICATION",
}
_COUNTRY = re.compile(r"[A-Z]{2}")
_PUID = re.compile(r"[a-zA-Z0-9_-]{1,500}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: (field, limit) of the free-text fields, as the database limits them
_TEXTS = (
    ("illegal_content_legal_ground", 500),
    ("illegal_content_explanation", 2000),
    ("incompatible_content_ground", 500),
    ("incompatible_content_explanation", 2000),
    ("decision_visibility_other", 500),
    ("content_type_other", 500),
    ("category_specification_other", 500),
    ("decision_ground_reference_url", 500),
    ("source_identity", 500),
    ("decision_facts", 5000),
)
_LISTS = (
    ("decision_visibility", DECISION_VISIBILITIES),
    ("content_type", CONTENT_TYPES),
    ("category_specification", KEYWORDS),
    ("category_addition", STATEMENT_CATEGORIES),
)
_CHOICES = (
    ("decision_ground", DECISION_GROUNDS),
    ("category", STATEMENT_CATEGORIES),
    ("source_type", SOURCE_TYPES),
    ("automated_detection", AUTOMATED_DETECTIONS),
    ("automated_decision", AUTOMATED_DECISIONS),
)


def utc_date(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d")


def sor_defaults(
    *, puid: str, reporter_kind: ReporterKind, matched: bool, reported_at: float, decided_at: float
) -> dict[str, Any]:
    """What haechi knows without asking the moderator; anything given explicitly wins."""
    return {
        "decision_visibility": ["DECISION_VISIBILITY_CONTENT_REMOVED"],
        "decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT",
        "category": "STATEMENT_CATEGORY_CYBER_VIOLENCE",
        "category_specification": ["KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE"],
        "content_type": ["CONTENT_TYPE_IMAGE", "CONTENT_TYPE_SYNTHETIC_MEDIA"],
        "source_type": _SOURCE_FOR[reporter_kind],
        "automated_detection": "Yes" if matched else "No",
        "automated_decision": "AUTOMATED_DECISION_NOT_AUTOMATED",
        "content_date": utc_date(reported_at),
        "application_date": utc_date(decided_at),
        "puid": puid,
    }


def _text(raw: dict[str, Any], name: str, limit: int) -> str | None:
    value = raw.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise InvalidInput(f"{name} must be text of at most {limit} characters")
    return value.strip() or None


def _list(raw: dict[str, Any], name: str, allowed: frozenset[str]) -> list[str] | None:
    value = raw.get(name)
    if value is None or value == []:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInput(f"{name} must be a list of values")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise InvalidInput(f"{name}: unknown value(s) {unknown}")
    return sorted(set(value))


def _choice(raw: dict[str, Any], name: str, allowed: frozenset[str]) -> str:
    value = raw.get(name)
    if value not in allowed:
        raise InvalidInput(f"{name} must be one of {sorted(allowed)}")
    return str(value)


def _date(raw: dict[str, Any], name: str) -> str:
    value = raw.get(name)
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise InvalidInput(f"{name} must be a date written YYYY-MM-DD")
    try:
        datetime.strptime(value, "%Y-%m-%d")
    except ValueError:
        raise InvalidInput(f"{name} is not a real date") from None
    return value


def _territories(raw: dict[str, Any]) -> list[str] | None:
    value = raw.get("territorial_scope")
    if value is None or value == []:
        return None
    if not isinstance(value, list) or not all(
        isinstance(v, str) and _COUNTRY.fullmatch(v) for v in value
    ):
        raise InvalidInput("territorial_scope must be a list of two-letter country codes")
    return sorted(set(value))


def validate_statement(raw: dict[str, Any]) -> dict[str, Any]:
    """A statement of reasons checked as the DSA database checks it; returns the clean JSON."""
    out: dict[str, Any] = {name: _choice(raw, name, allowed) for name, allowed in _CHOICES}
    for name, allowed in _LISTS:
        out[name] = _list(raw, name, allowed)
    for name, limit in _TEXTS:
        out[name] = _text(raw, name, limit)
    out["territorial_scope"] = _territories(raw)
    out["content_date"] = _date(raw, "content_date")
    out["application_date"] = _date(raw, "application_date")
    puid = raw.get("puid")
    if not isinstance(puid, str) or not _PUID.fullmatch(puid):
        raise InvalidInput("puid must be 1-500 letters, digits, '-' or '_'")
    out["puid"] = puid
    _check_dependencies(out)
    return {k: v for k, v in out.items() if v is not None}


def _check_dependencies(sor: dict[str, Any]) -> None:
    if not sor["decision_visibility"]:
        raise InvalidInput("decision_visibility is required (which restriction is decided)")
    if not sor["content_type"]:
        raise InvalidInput("content_type is required")
    if not sor["decision_facts"]:
        raise InvalidInput("decision_facts is required: the facts a person relied on")
    illegal = sor["decision_ground"] == "DECISION_GROUND_ILLEGAL_CONTENT"
    needed = ("illegal_content_legal_ground", "illegal_content_explanation")
    if not illegal:
        needed = ("incompatible_content_ground", "incompatible_content_explanation")
    for name in needed:
        if not sor[name]:
            raise InvalidInput(f"{name} is required for {sor['decision_ground']}")
    dropped = ("incompatible_content_ground", "incompatible_content_explanation")
    if not illegal:
        dropped = ("illegal_content_legal_ground", "illegal_content_explanation")
    for name in dropped:
        sor[name] = None
    if (
        "DECISION_VISIBILITY_OTHER" in sor["decision_visibility"]
        and not sor["decision_visibility_other"]
    ):
        raise InvalidInput("decision_visibility_other is required with DECISION_VISIBILITY_OTHER")
    if "CONTENT_TYPE_OTHER" in sor["content_type"] and not sor["content_type_other"]:
        raise InvalidInput("content_type_other is required with CONTENT_TYPE_OTHER")
    if sor["source_type"] == "SOURCE_VOLUNTARY":
        sor["source_identity"] = None


def check_outcome(value: object) -> Outcome:
    try:
        return Outcome(str(value))
    except ValueError:
        raise InvalidInput(f"outcome must be one of {[o.value for o in Outcome]}") from None


def statement_for(outcome: Outcome, merged: dict[str, Any]) -> dict[str, Any] | None:
    """The statement a decision carries: only a confirmation restricts content, so only it has one.

    A confirmation is never fully automated: a detector or a hash match may have found the item,
    but a person decided, on facts they wrote down.
    """
    if outcome is not Outcome.CONFIRM_ILLEGAL:
        return None
    sor = validate_statement(merged)
    if sor["automated_decision"] == "AUTOMATED_DECISION_FULLY":
        raise InvalidInput(
            "a removal may not be decided fully automatically: a detector score or a hash match "
            "can never be its sole basis"
        )
    return sor


@dataclass(frozen=True, slots=True)
class Decision:
    id: int
    case_id: int
    item_id: int
    org_id: int
    actor: str
    outcome: Outcome
    created_at: float
    statement_of_reasons: dict[str, Any] | None = None
    bank_name: str | None = None
    bank_content_id: int | None = None
    note: str | None = None
