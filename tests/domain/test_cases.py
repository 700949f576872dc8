"""Pure rules of cases and reports: triage order, case numbers, PINs, who may claim what."""

from __future__ import annotations

import pytest

from haechi.domain.cases import (
    CaseStatus,
    ItemStatus,
    Priority,
    case_status_for,
    check_pin_format,
    format_case_number,
    new_pin,
    parse_case_number,
    triage_key,
    triage_priority,
)
from haechi.domain.errors import InvalidInput
from haechi.domain.reports import (
    ReporterKind,
    check_chat_link,
    check_report,
    check_reporter_kind,
    check_url,
    sniff_media_type,
)
from haechi.domain.tenancy import OrgKind
from tests.fixtures import images


def test_triage_tiers_then_age() -> None:
    assert triage_priority(ReporterKind.TRUSTED_FLAGGER, matched=False) is Priority.TRUSTED
    assert triage_priority(ReporterKind.REGULATOR, matched=False) is Priority.TRUSTED
    assert triage_priority(ReporterKind.VICTIM, matched=True) is Priority.MATCHED
    assert triage_priority(ReporterKind.POLICE, matched=False) is Priority.ROUTINE
    cases = [(2, 10.0, 1), (1, 50.0, 2), (0, 99.0, 3), (1, 20.0, 4)]
    assert [c[2] for c in sorted(cases, key=lambda c: triage_key(*c))] == [3, 4, 2, 1]


def test_case_numbers() -> None:
    assert format_case_number(2026, 123) == "HC-2026-000123"
    assert format_case_number(2026, 1234567) == "HC-2026-1234567"
    assert parse_case_number(" hc-2026-000123 ") == "HC-2026-000123"
    for bad in ("HC-26-1", "HC-2026-12", "2026-000123", "", None, "HC-2026-000123; drop"):
        with pytest.raises(InvalidInput):
            parse_case_number(bad)


def test_pins_are_eight_random_digits() -> None:
    pins = {new_pin() for _ in range(200)}
    assert len(pins) > 190 and all(len(p) == 8 and p.isdigit() for p in pins)
    assert check_pin_format(" 01234567 ") == "01234567"
    for bad in ("1234567", "123456789", "abcdefgh", None):
        with pytest.raises(InvalidInput):
            check_pin_format(bad)


def test_who_may_claim_which_reporter_kind() -> None:
    assert check_reporter_kind("victim", None) is ReporterKind.VICTIM
    for kind in ("regulator", "police", "trusted_flagger"):
        with pytest.raises(InvalidInput, match="anonymous"):
            check_reporter_kind(kind, None)
    assert check_reporter_kind("police", OrgKind.POLICE) is ReporterKind.POLICE
    with pytest.raises(InvalidInput):
        check_reporter_kind("regulator", OrgKind.POLICE)
    with pytest.raises(InvalidInput):
        check_reporter_kind("trusted_flagger", OrgKind.PLATFORM)


def test_report_fields_follow_dsa_article_16() -> None:
    raw = {"reporter_kind": "victim", "explanation": " it is me ", "good_faith": True}
    fields = check_report(raw, None)
    assert fields.explanation == "it is me" and fields.contact is None
    with pytest.raises(InvalidInput, match="good faith"):
        check_report(raw | {"good_faith": "yes"}, None)
    with pytest.raises(InvalidInput, match="explanation"):
        check_report(raw | {"explanation": "   "}, None)
    with pytest.raises(InvalidInput, match="description"):
        check_report(raw | {"description": 5}, None)


def test_links() -> None:
    assert check_url("https://example.org/a.jpg") == "https://example.org/a.jpg"
    assert check_chat_link("tg://resolve?domain=x") == "tg://resolve?domain=x"
    assert check_chat_link("https://t.me/c/1/2") == "https://t.me/c/1/2"
    for bad in ("ftp://x/y", "javascript:alert(1)", "example.org", "https://", "x" * 3000):
        with pytest.raises(InvalidInput):
            check_url(bad)
    with pytest.raises(InvalidInput):
        check_chat_link("tg://")


def test_media_type_comes_from_the_bytes() -> None:
    assert sniff_media_type(images.png_bytes("coffee")) == "image/png"
    assert sniff_media_type(images.jpeg_bytes("coffee")) == "image/jpeg"
    assert sniff_media_type(images.encode(images.load("coffee"), "WEBP")) == "image/webp"
    assert sniff_media_type(b"\x00\x00\x00\x18ftypmp42") == "video/mp4"
    assert sniff_media_type(b"<svg onload=alert(1)>") is None


def test_case_status_follows_items() -> None:
    p, c, n, e, w = (
        ItemStatus.PENDING,
        ItemStatus.CONFIRMED_ILLEGAL,
        ItemStatus.NOT_ILLEGAL,
        ItemStatus.ESCALATED,
        ItemStatus.WITHDRAWN,
    )
    assert case_status_for([p, c]) is CaseStatus.OPEN
    assert case_status_for([e, p]) is CaseStatus.ESCALATED
    assert case_status_for([c, n, w]) is CaseStatus.CLOSED
    assert case_status_for([w, w]) is CaseStatus.WITHDRAWN
