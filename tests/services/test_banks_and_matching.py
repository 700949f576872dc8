"""Bank curation and the incremental matcher, through the real SQLite store and indexes."""

from __future__ import annotations

import time

import pytest

from haechi.bootstrap import Container
from haechi.domain.errors import Conflict, InvalidInput, InvalidSignal, NotFound
from haechi.services.banks import BankChanges
from haechi.services.lookup import LookupOptions
from haechi.services.ports import NewContent

PDQ = "f" * 64
MD5 = "d41d8cd98f00b204e9800998ecf8427e"


def flip(value: str, bits: int) -> str:
    """`value` with its lowest `bits` bits flipped."""
    return format(int(value, 16) ^ ((1 << bits) - 1), "064x")


def lookup(
    c: Container, value: str, signal_type: str = "pdq", **kw: object
) -> list[tuple[str, int, int]]:
    hits = c.lookup.lookup_signal(signal_type, value, LookupOptions(bypass_coinflip=True, **kw))  # type: ignore[arg-type]
    return [(h.bank_name, h.content_id, h.distance) for h in hits]


def test_bank_lifecycle(container: Container) -> None:
    banks = container.banks
    bank = banks.create_bank("NATIONAL_BANK", thresholds={"pdq": 20})
    assert bank.thresholds == {"pdq": 20}
    with pytest.raises(Conflict):
        banks.create_bank("NATIONAL_BANK")
    with pytest.raises(InvalidInput):
        banks.create_bank("lower_case")
    with pytest.raises(InvalidInput):
        banks.create_bank("OK_NAME", thresholds={"pdq": 99})
    with pytest.raises(InvalidInput):
        banks.create_bank("OK_NAME", thresholds={"nope": 1})
    renamed = banks.update_bank("NATIONAL_BANK", BankChanges(name="KCSC_BANK"))
    assert renamed.name == "KCSC_BANK"
    with pytest.raises(NotFound):
        banks.get_bank("NATIONAL_BANK")
    assert banks.delete_bank("KCSC_BANK") is True
    assert banks.delete_bank("KCSC_BANK") is False


def test_added_hash_matches_immediately_and_stops_when_withdrawn(container: Container) -> None:
    container.banks.create_bank("B")
    item = container.banks.add_content("B", NewContent(signals={"pdq": PDQ.upper(), "md5": MD5}))
    assert item.signals == {"pdq": PDQ, "md5": MD5}
    assert lookup(container, flip(PDQ, 31)) == [("B", item.id, 31)]
    assert lookup(container, flip(PDQ, 32)) == []
    assert lookup(container, MD5, "md5") == [("B", item.id, 0)]

    container.banks.update_content("B", item.id, withdraw=True)
    assert lookup(container, PDQ) == []
    assert lookup(container, MD5, "md5") == []
    assert container.lookup.raw_lookup("pdq", PDQ, None) == []


def test_disable_until_and_bank_ratio(container: Container) -> None:
    container.banks.create_bank("B")
    item = container.banks.add_content("B", NewContent(signals={"pdq": PDQ}))
    container.banks.update_content("B", item.id, disable_until_ts=int(time.time()) + 3600)
    assert lookup(container, PDQ) == []
    raw = container.lookup.raw_lookup("pdq", PDQ, None)
    assert [h.content_id for h in raw] == [item.id], "raw lookup ignores enablement, like HMA"
    container.banks.update_content("B", item.id, disable_until_ts=1)
    assert len(lookup(container, PDQ)) == 1
    container.banks.update_bank("B", BankChanges(matching_enabled_ratio=0.0))
    assert lookup(container, PDQ) == []
    with pytest.raises(InvalidInput):
        container.banks.update_content("B", item.id, disable_until_ts=-5)


def test_per_bank_threshold_and_bank_filter(container: Container) -> None:
    container.banks.create_bank("STRICT", thresholds={"pdq": 10})
    container.banks.create_bank("LOOSE")
    strict = container.banks.add_content("STRICT", NewContent(signals={"pdq": PDQ}))
    loose = container.banks.add_content("LOOSE", NewContent(signals={"pdq": PDQ}))
    assert {h[0] for h in lookup(container, flip(PDQ, 10))} == {"STRICT", "LOOSE"}
    assert lookup(container, flip(PDQ, 11)) == [("LOOSE", loose.id, 11)]
    assert lookup(container, PDQ, banks={"STRICT"}) == [("STRICT", strict.id, 0)]


def test_deleting_a_bank_removes_its_hashes(container: Container) -> None:
    container.banks.create_bank("GONE")
    container.banks.add_content("GONE", NewContent(signals={"pdq": PDQ}))
    container.banks.delete_bank("GONE")
    assert lookup(container, PDQ) == []
    assert container.matcher.status()["pdq"].size == 0


def test_malformed_signals_are_rejected_and_nothing_is_written(container: Container) -> None:
    container.banks.create_bank("B")
    with pytest.raises(InvalidSignal):
        container.banks.add_content("B", NewContent(signals={"pdq": "xyz"}))
    with pytest.raises(InvalidInput):
        container.banks.add_content("B", NewContent(signals={"unknown": "00"}))
    with pytest.raises(InvalidInput):
        container.banks.add_content("B", NewContent(signals={}))
    with pytest.raises(NotFound):
        container.banks.add_content("NOPE", NewContent(signals={"pdq": PDQ}))
    assert container.banks.page_content("B").total == 0


def test_paging_walks_every_item_once(container: Container) -> None:
    container.banks.create_bank("B")
    ids = [
        container.banks.add_content("B", NewContent(signals={"pdq": flip(PDQ, i)})).id
        for i in range(25)
    ]
    seen: list[int] = []
    after = 0
    while True:
        page = container.banks.page_content("B", after_id=after, limit=10)
        seen += [c.id for c in page.items]
        assert page.total == 25
        if page.next_after is None:
            break
        after = page.next_after
    assert seen == ids
    with pytest.raises(InvalidInput):
        container.banks.page_content("B", limit=0)


def test_another_replica_sees_changes_through_the_change_feed(container: Container) -> None:
    from haechi import bootstrap

    other = bootstrap.build(container.settings)
    other.matcher.load()
    try:
        container.banks.create_bank("B")
        item = container.banks.add_content("B", NewContent(signals={"pdq": PDQ}))
        assert lookup(other, PDQ) == []  # not polled yet
        assert other.matcher.refresh() > 0
        assert lookup(other, PDQ) == [("B", item.id, 0)]
        container.banks.update_content("B", item.id, withdraw=True)
        other.matcher.refresh()
        assert lookup(other, PDQ) == []
    finally:
        other.close()


def test_match_events_are_recorded(container: Container) -> None:
    container.banks.create_bank("B")
    item = container.banks.add_content("B", NewContent(signals={"pdq": PDQ}))
    lookup(container, flip(PDQ, 3), requester="token:abc")
    lookup(container, flip(PDQ, 200))  # no match, no event
    events = container.lookup.recent_events(limit=10, bank=None)
    assert len(events) == 1
    assert (events[0].content_id, events[0].distance, events[0].requester) == (
        item.id,
        3,
        "token:abc",
    )
