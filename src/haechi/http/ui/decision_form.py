"""The review page's decision form, read into a `DecisionInput` (statement fields by their DSA
Transparency Database names; empty fields are left to haechi's defaults)."""

from __future__ import annotations

import re
from typing import Any

from starlette.datastructures import FormData

from haechi.services.review import DecisionInput

LIST_FIELDS = ("decision_visibility", "content_type", "category_specification")
TEXT_FIELDS = (
    "decision_ground",
    "decision_visibility_other",
    "content_type_other",
    "illegal_content_legal_ground",
    "illegal_content_explanation",
    "incompatible_content_ground",
    "incompatible_content_explanation",
    "category",
    "automated_decision",
    "decision_facts",
)


def _text(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return value.strip() or None if isinstance(value, str) else None


def decision_input(form: FormData) -> DecisionInput:
    statement: dict[str, Any] = {}
    for name in LIST_FIELDS:
        values = [v for v in form.getlist(name) if isinstance(v, str) and v]
        if values:
            statement[name] = values
    for name in TEXT_FIELDS:
        if (text := _text(form, name)) is not None:
            statement[name] = text
    scope = _text(form, "territorial_scope")
    if scope:
        statement["territorial_scope"] = [c.upper() for c in re.split(r"[\s,]+", scope) if c]
    return DecisionInput(
        outcome=_text(form, "outcome") or "",
        bank=_text(form, "bank"),
        note=_text(form, "note"),
        statement=statement,
    )
