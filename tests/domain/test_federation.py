"""Federation rules: checkpoints, region scope, trust modes and flood control, misfire rate."""

from __future__ import annotations

import pytest

from haechi.domain.errors import InvalidInput
from haechi.domain.federation import (
    FeedbackCounts,
    FloodPolicy,
    ImportState,
    TrustMode,
    decode_checkpoint,
    encode_checkpoint,
    initial_state,
    region_visible,
    validate_regions,
)


def test_checkpoints_round_trip_and_refuse_anything_else() -> None:
    assert decode_checkpoint(encode_checkpoint(41)) == 41
    assert decode_checkpoint(None) == decode_checkpoint("") == 0
    for bad in ("41", "hx1.", "hx1.-3", "hx2.5", "hx1.5x"):
        with pytest.raises(InvalidInput):
            decode_checkpoint(bad)


def test_regions_are_normalised_and_validated() -> None:
    assert validate_regions(["kr", "KR-11", "kr"]) == ("KR", "KR-11")
    assert validate_regions(None) == ()
    for bad in (["Korea"], "KR", [1], ["K"] * 51):
        with pytest.raises(InvalidInput):
            validate_regions(bad)


@pytest.mark.parametrize(
    ("item", "grant", "visible"),
    [
        ((), ("JP",), True),  # a global item reaches everyone
        (("KR",), (), True),  # an unscoped grant sees everything
        (("KR",), ("JP",), False),
        (("KR-11",), ("KR",), True),  # Seoul is in Korea
        (("KR",), ("KR-11",), True),  # a Korea-wide item reaches a Seoul grant
        (("KR-26",), ("KR-11",), False),
        (("JP", "KR"), ("KR",), True),
    ],
)
def test_region_visibility(item: tuple[str, ...], grant: tuple[str, ...], visible: bool) -> None:
    assert region_visible(item, grant) is visible


def test_trust_modes_and_flood_control_choose_where_a_hash_starts() -> None:
    assert initial_state(TrustMode.AUTO, flood_ok=True) is ImportState.ACTIVE
    assert initial_state(TrustMode.AUTO, flood_ok=False) is ImportState.PENDING
    assert initial_state(TrustMode.REVIEW, flood_ok=True) is ImportState.PENDING
    assert initial_state(TrustMode.NOTIFY, flood_ok=False) is ImportState.NOTIFIED
    policy = FloodPolicy(per_hour=2)
    assert [policy.admits(n) for n in range(4)] == [True, True, False, False]
    assert not FloodPolicy(per_hour=0).admits(0)  # 0: every new hash waits for a person
    with pytest.raises(InvalidInput):
        FloodPolicy(per_hour=-1)


def test_misfire_rate() -> None:
    assert FeedbackCounts().misfire_rate is None
    counts = FeedbackCounts(confirmed=2, false_positive=1, blocked=1)
    assert (counts.total, counts.misfire_rate) == (4, 0.25)
