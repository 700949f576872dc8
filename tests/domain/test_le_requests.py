"""Law-enforcement requests, pure: clocks, preservation renewal, the emergency path, answers."""

from __future__ import annotations

from dataclasses import replace

import pytest

from haechi.domain.errors import Conflict, InvalidInput
from haechi.domain.le_requests import (
    DAY,
    DEFAULT_POLICIES,
    PRESERVATION_S,
    EmergencyBasis,
    Instrument,
    LegalBasis,
    Preservation,
    RequestType,
    Status,
    Target,
    TargetKind,
    Verification,
)
from haechi.domain.le_responses import (
    Disposition,
    LeRequest,
    ResponseDraft,
    SuppliedRecord,
    Withheld,
    check_response,
    percentile,
)
from tests.fixtures.le import ACCOUNTS, draft

T0 = 1_760_000_000.0


def stored(kind: RequestType = RequestType.DISCLOSURE, **changes: object) -> LeRequest:
    d = draft(kind).checked()
    base = LeRequest(
        id=1, type=kind, police_org_id=1, police_org="KNPA", platform_org_id=2,
        platform_org="Telegram", agency=d.agency, officer=d.officer,
        officer_email=d.officer_email, badge=d.badge, basis=d.basis, targets=d.targets,
        urgency=d.urgency, policy=d.policy, status=Status.OPEN,
        verification=Verification.VERIFIED, submitted_at=T0, received_at=T0,
        due_at=d.policy.due_times(T0).act_due_at,
    )  # fmt: skip
    return replace(base, **changes)  # type: ignore[arg-type]


def test_default_clocks_disclosure_24h_emergency_1h() -> None:
    assert DEFAULT_POLICIES[RequestType.DISCLOSURE].due_times(T0).act_due_at == T0 + DAY
    assert DEFAULT_POLICIES[RequestType.EMERGENCY].due_times(T0).act_due_at == T0 + 3600
    request = stored()
    assert request.clock is not None and not request.clock.overdue(T0 + DAY - 1)
    assert request.clock.overdue(T0 + DAY + 1)


def test_preservation_holds_90_days_and_renews_once_only() -> None:
    hold = Preservation.starting(T0)
    assert hold.expires_at == T0 + PRESERVATION_S
    assert hold.remind_at() == hold.expires_at - 14 * DAY
    renewed = hold.renewed(T0 + 80 * DAY)
    assert renewed.expires_at == T0 + 2 * PRESERVATION_S and renewed.remind_at() is None
    with pytest.raises(Conflict, match="once"):
        renewed.renewed(T0 + 100 * DAY)
    with pytest.raises(Conflict, match="expired"):
        hold.renewed(T0 + 91 * DAY)


def test_emergency_needs_threat_supervisor_attestation_and_the_emergency_instrument() -> None:
    ok = draft(RequestType.EMERGENCY).checked()
    assert ok.urgency.value == "immediate" and ok.emergency is not None
    with pytest.raises(InvalidInput, match="attestation"):
        draft(RequestType.EMERGENCY, emergency=None).checked()
    with pytest.raises(InvalidInput, match="attestation"):
        draft(RequestType.EMERGENCY, emergency=EmergencyBasis("x", "y", False)).checked()
    with pytest.raises(InvalidInput, match="threat"):
        draft(RequestType.EMERGENCY, emergency=EmergencyBasis(" ", "Supt. Lee", True)).checked()
    with pytest.raises(InvalidInput, match="emergency"):
        draft(basis=LegalBasis("Act", Instrument.EMERGENCY)).checked()


def test_requests_need_accounts_a_valid_email_and_a_sane_date_range() -> None:
    from datetime import date

    with pytest.raises(InvalidInput, match="account"):
        draft(targets=(Target(TargetKind.ROOM, "https://t.me/x"),)).checked()
    with pytest.raises(InvalidInput, match="e-mail"):
        draft(officer_email="not-an-address").checked()
    with pytest.raises(InvalidInput, match="after"):
        draft(date_from=date(2025, 2, 1), date_to=date(2025, 1, 1)).checked()
    removal = draft(RequestType.REMOVAL, targets=(Target(TargetKind.ITEM, "https://t.me/c/1/2"),))
    assert removal.checked().type is RequestType.REMOVAL


def test_answers_refusals_need_reasons_and_records_stay_within_the_named_accounts() -> None:
    request = stored()
    with pytest.raises(InvalidInput, match="reason"):
        check_response(request, ResponseDraft(Disposition.REFUSED))
    with pytest.raises(InvalidInput, match="named"):
        check_response(
            request,
            ResponseDraft(Disposition.COMPLETE, (SuppliedRecord("@other", "phone", "+82"),)),
        )
    with pytest.raises(InvalidInput, match="reason for withholding"):
        check_response(
            request, ResponseDraft(Disposition.PARTIAL, withheld=(Withheld(ACCOUNTS[1], "ip", ""),))
        )
    with pytest.raises(InvalidInput, match="attestation"):
        check_response(
            stored(RequestType.EMERGENCY), ResponseDraft(Disposition.REFUSED, reason="x")
        )
    with pytest.raises(Conflict):
        check_response(stored(verification=Verification.HELD), ResponseDraft(Disposition.COMPLETE))
    with pytest.raises(Conflict):
        check_response(stored(status=Status.ANSWERED), ResponseDraft(Disposition.COMPLETE))


def test_percentile_nearest_rank() -> None:
    assert percentile([], 50) is None
    assert percentile([5.0, 1.0, 3.0, 2.0, 4.0], 50) == 3.0
    assert percentile([float(i) for i in range(1, 11)], 90) == 9.0
    assert percentile([7.0], 90) == 7.0
