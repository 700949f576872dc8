"""Statements of reasons checked the way the DSA Transparency Database checks them."""

from __future__ import annotations

from typing import Any

import pytest

from haechi.domain import dsa_vocabulary as v
from haechi.domain.decisions import (
    Outcome,
    check_outcome,
    sor_defaults,
    statement_for,
    validate_statement,
)
from haechi.domain.errors import InvalidInput
from haechi.domain.reports import ReporterKind

T = 1_790_000_000.0  # 2026-09-21 UTC


def statement(**extra: Any) -> dict[str, Any]:
    base = sor_defaults(
        puid="HC-2026-000001-1",
        reporter_kind=ReporterKind.VICTIM,
        matched=True,
        reported_at=T,
        decided_at=T + 86400,
    )
    base |= {
        "illegal_content_legal_ground": "Sexual Violence Punishment Act, Art. 14-2",
        "illegal_content_explanation": "A sexual deepfake made and shared without consent.",
        "decision_facts": "A moderator compared the item with the reporter's photo.",
        "territorial_scope": ["KR"],
    }
    return base | extra


def test_defaults_and_field_names_are_the_databases() -> None:
    sor = validate_statement(statement())
    assert sor["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_REMOVED"]
    assert sor["decision_ground"] == "DECISION_GROUND_ILLEGAL_CONTENT"
    assert sor["category"] == "STATEMENT_CATEGORY_CYBER_VIOLENCE"
    assert sor["category_specification"] == ["KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE"]
    assert sor["source_type"] == "SOURCE_ARTICLE_16"
    assert sor["automated_detection"] == "Yes"
    assert sor["automated_decision"] == "AUTOMATED_DECISION_NOT_AUTOMATED"
    assert sor["content_date"] == "2026-09-21" and sor["application_date"] == "2026-09-22"
    assert sor["puid"] == "HC-2026-000001-1"
    assert set(sor) == {
        "decision_visibility",
        "decision_ground",
        "illegal_content_legal_ground",
        "illegal_content_explanation",
        "category",
        "category_specification",
        "content_type",
        "territorial_scope",
        "content_date",
        "application_date",
        "decision_facts",
        "source_type",
        "automated_detection",
        "automated_decision",
        "puid",
    }


def test_vocabulary_has_the_deepfake_and_image_sharing_keywords() -> None:
    assert "STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN" in v.STATEMENT_CATEGORIES
    for keyword in (
        "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING",
        "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE",
        "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING_AGAINST_WOMEN",
        "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE_AGAINST_WOMEN",
    ):
        assert keyword in v.KEYWORDS
    assert len(v.KEYWORDS) == 69 and len(v.STATEMENT_CATEGORIES) == 16


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"decision_visibility": ["DECISION_VISIBILITY_VANISHED"]}, "decision_visibility"),
        ({"decision_visibility": []}, "decision_visibility is required"),
        ({"decision_ground": "BECAUSE"}, "decision_ground"),
        ({"category": "STATEMENT_CATEGORY_DEEPFAKES"}, "category"),
        ({"category_specification": ["KEYWORD_DEEPFAKE"]}, "category_specification"),
        ({"category_specification": "KEYWORD_NUDITY"}, "category_specification"),
        ({"content_type": ["CONTENT_TYPE_HOLOGRAM"]}, "content_type"),
        ({"content_type": ["CONTENT_TYPE_OTHER"]}, "content_type_other"),
        ({"automated_detection": "yes"}, "automated_detection"),
        ({"automated_decision": "AUTOMATED_DECISION_SOMETIMES"}, "automated_decision"),
        ({"source_type": "SOURCE_RUMOUR"}, "source_type"),
        ({"territorial_scope": ["Korea"]}, "territorial_scope"),
        ({"application_date": "2026-02-30"}, "application_date"),
        ({"content_date": "21/09/2026"}, "content_date"),
        ({"puid": "has spaces"}, "puid"),
        ({"decision_facts": ""}, "decision_facts"),
        ({"decision_facts": "x" * 5001}, "decision_facts"),
        ({"illegal_content_legal_ground": None}, "illegal_content_legal_ground"),
        ({"illegal_content_explanation": "x" * 2001}, "illegal_content_explanation"),
        ({"decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT"}, "incompatible_content"),
    ],
)
def test_invalid_statements_say_which_field(change: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        validate_statement(statement(**change))


def test_incompatible_content_drops_the_illegal_fields() -> None:
    sor = validate_statement(
        statement(
            decision_ground="DECISION_GROUND_INCOMPATIBLE_CONTENT",
            incompatible_content_ground="Terms §3",
            incompatible_content_explanation="no sexual content",
        )
    )
    assert "illegal_content_legal_ground" not in sor
    assert sor["incompatible_content_ground"] == "Terms §3"


def test_a_removal_is_never_fully_automated() -> None:
    with pytest.raises(InvalidInput, match="sole basis"):
        statement_for(
            Outcome.CONFIRM_ILLEGAL, statement(automated_decision="AUTOMATED_DECISION_FULLY")
        )
    partly = statement(automated_decision="AUTOMATED_DECISION_PARTIALLY")
    assert statement_for(Outcome.CONFIRM_ILLEGAL, partly) is not None
    assert statement_for(Outcome.NOT_ILLEGAL, statement()) is None
    assert statement_for(Outcome.ESCALATE, {}) is None


def test_outcomes() -> None:
    assert check_outcome("escalate") is Outcome.ESCALATE
    with pytest.raises(InvalidInput):
        check_outcome("maybe")
