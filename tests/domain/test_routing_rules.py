"""Routing rule expressions: parsed by hand (never evaluated as Python), canonical, bounded, and
strict about signals nobody measured."""

from __future__ import annotations

import pytest

from haechi.domain.detections import DetectionResult, SignalValue, combined_signals
from haechi.domain.errors import InvalidInput
from haechi.domain.routing import (
    MAX_NODES,
    canonical,
    check_rule_name,
    evaluate,
    parse_rule,
    signals_of,
)

RULE = "nudity >= 0.8 AND enrolled_face_match"


def holds(rule: str, **signals: float) -> bool:
    return evaluate(parse_rule(rule), signals)


def test_the_issue_rule() -> None:
    assert holds(RULE, nudity=0.85, enrolled_face_match=1.0)
    assert not holds(RULE, nudity=0.79, enrolled_face_match=1.0)
    assert not holds(RULE, nudity=0.95, enrolled_face_match=0.0)
    assert not holds(RULE, nudity=0.95)  # no face detector ran: no match claimed
    assert signals_of(parse_rule(RULE)) == {"nudity", "enrolled_face_match"}


@pytest.mark.parametrize(
    ("rule", "signals", "expected"),
    [
        ("a > 0.5", {"a": 0.5}, False),
        ("a >= 0.5", {"a": 0.5}, True),
        ("a < 0.5", {"a": 0.4}, True),
        ("a <= 0.5", {"a": 0.5}, True),
        ("a == 1", {"a": 1.0}, True),
        ("a != 1", {"a": 1.0}, False),
        ("a", {"a": 0.5}, True),
        ("a", {"a": 0.49}, False),
        ("a < 0.2", {}, False),  # absent signals never satisfy a comparison
        ("NOT a", {}, True),
        ("a OR b AND c", {"a": 1.0}, True),  # AND binds tighter than OR
        ("(a OR b) AND c", {"a": 1.0}, False),
        ("not (a or b)", {"b": 0.0}, True),
        ("c2pa_ai_generated or ai_metadata_trace", {"ai_metadata_trace": 1.0}, True),
    ],
)
def test_semantics(rule: str, signals: dict[str, float], expected: bool) -> None:
    assert evaluate(parse_rule(rule), signals) is expected


def test_canonical_form() -> None:
    assert canonical("  Nudity>=.8   and  enrolled_face_match ") == RULE
    assert canonical("a or b and not (c < 0.2 or d)") == "a OR (b AND NOT (c < 0.2 OR d))"
    assert canonical(canonical("a or (b and c)")) == "a OR (b AND c)"


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("", "empty"),
        ("nudity >=", "ends too early"),
        ("nudity >= high", "needs a number"),
        ("(a", "ends too early"),
        ("a b", "unexpected 'b'"),
        ("__import__('os').system('id')", "unexpected character"),
        ("a; b", "unexpected character"),
        ("0.8 <= nudity", "expected a signal name"),
        ("and", "expected a signal name"),
        ("a >= -1", "unexpected character"),
        ("x" * 501, "at most 500"),
        (" or ".join(["a"] * (MAX_NODES + 1)), "too complex"),
        ("(" * 20 + "a" + ")" * 20, "too complex"),
    ],
)
def test_bad_rules_say_what_is_wrong(rule: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_rule(rule)


def test_rule_names() -> None:
    assert check_rule_name("  priority nudity ") == "priority nudity"
    for bad in ("", "   ", "x" * 121):
        with pytest.raises(InvalidInput):
            check_rule_name(bad)


def _result(detector: str, error: str | None = None, **scores: float) -> DetectionResult:
    values = tuple(SignalValue(k, v) for k, v in scores.items())
    return DetectionResult(0, 1, 1, detector, "v", values, 1.0, 0.0, error=error)


def test_combined_signals_take_the_highest_and_skip_failures() -> None:
    results = [
        _result("nudity", nudity=0.3),
        _result("other", nudity=0.6, face_swap=0.1),
        _result("broken", error="RuntimeError: x", face_swap=0.9),
    ]
    assert combined_signals(results) == {"nudity": 0.6, "face_swap": 0.1}
