"""Publisher side: the feed follows every way content changes, resumes from checkpoints, is
scoped by grant and region, is signed, and counts feedback per subscriber and hash."""

from __future__ import annotations

import base64

import pytest

from haechi.adapters.signing import PublicKey
from haechi.bootstrap import Container
from haechi.domain.banks import DISABLED_TS, ENABLED_TS
from haechi.domain.errors import Forbidden, InvalidInput
from haechi.domain.federation import FeedOp
from haechi.domain.tenancy import Principal, Role
from haechi.services.ports import NewContent

BANK = "NATIONAL"


def md5(n: int) -> str:
    return f"{n:032x}"


def who(c: Container, org: str, role: Role) -> Principal:
    return Principal.of(c.auth.org(org), frozenset({role}), label="test")


@pytest.fixture
def seeded(container: Container) -> Container:
    for org, kind in (("KCSC", "regulator"), ("SUB", "platform"), ("SUB_JP", "platform")):
        container.auth.create_org(org, kind)
    container.banks.create_bank(BANK)
    container.banks.create_bank("PRIVATE")
    regulator = who(container, "KCSC", Role.ANALYST)
    container.federation.publisher.grant(regulator, org_name="SUB", bank_name=BANK)
    container.federation.publisher.grant(
        regulator, org_name="SUB_JP", bank_name=BANK, regions=["jp"]
    )
    return container


def feed(
    c: Container, org: str = "SUB", since: str | None = None, limit: int = 500
) -> list[tuple[str, str, str]]:
    page = c.federation.publisher.feed(who(c, org, Role.PLATFORM_AGENT), since=since, limit=limit)
    return [(e.op.value, str(e.content_id), ",".join(e.regions)) for e, _ in page.entries]


def add(c: Container, n: int, bank: str = BANK, regions: list[str] | None = None) -> int:
    meta = {"regions": regions} if regions else None
    return c.banks.add_content(bank, NewContent(signals={"md5": md5(n)}, metadata=meta)).id


def test_the_feed_follows_adds_disables_withdrawals_and_deletions(seeded: Container) -> None:
    c = seeded
    sync = c.federation.publisher.sync
    one, two, three = add(c, 1), add(c, 2), add(c, 3)
    add(c, 4, bank="PRIVATE")  # not granted: never in the feed
    sync()
    c.banks.update_content(BANK, one, disable_until_ts=DISABLED_TS)
    sync()
    c.banks.update_content(BANK, one, disable_until_ts=ENABLED_TS)
    c.banks.update_content(BANK, two, withdraw=True)
    c.banks.delete_content(BANK, three)
    assert feed(c) == [
        ("add", str(one), ""),
        ("add", str(two), ""),
        ("add", str(three), ""),
        ("retract", str(one), ""),
        ("add", str(one), ""),
        ("retract", str(two), ""),
        ("retract", str(three), ""),
    ]
    # deleting the bank retracts what is left of it (the grant outlives the bank for this)
    c.banks.delete_bank(BANK)
    assert feed(c)[-1] == ("retract", str(one), "")


def test_changes_between_two_reads_are_compacted(seeded: Container) -> None:
    c = seeded
    one, two = add(c, 1), add(c, 2)
    c.banks.update_content(BANK, two, withdraw=True)  # before any subscriber read: never sent
    assert feed(c) == [("add", str(one), "")]


def test_checkpoints_resume_exactly_and_are_opaque(seeded: Container) -> None:
    c = seeded
    ids = [add(c, n) for n in range(1, 6)]
    principal = who(c, "SUB", Role.PLATFORM_AGENT)
    first = c.federation.publisher.feed(principal, since=None, limit=2)
    assert first.more and [e.content_id for e, _ in first.entries] == ids[:2]
    rest = c.federation.publisher.feed(principal, since=first.checkpoint, limit=10)
    assert [e.content_id for e, _ in rest.entries] == ids[2:] and not rest.more
    again = c.federation.publisher.feed(principal, since=rest.checkpoint, limit=10)
    assert again.entries == [] and again.checkpoint == rest.checkpoint
    for bad in ("12", "hx1.x", "hx2.3"):
        with pytest.raises(InvalidInput):
            c.federation.publisher.feed(principal, since=bad)


def test_region_scoped_grants_see_global_and_their_own_regions_only(seeded: Container) -> None:
    c = seeded
    everywhere, korea, japan = add(c, 1), add(c, 2, regions=["KR"]), add(c, 3, regions=["JP-13"])
    assert [i for _, i, _ in feed(c, "SUB")] == [str(everywhere), str(korea), str(japan)]
    assert [i for _, i, _ in feed(c, "SUB_JP")] == [str(everywhere), str(japan)]
    # moving an item out of a region retracts it there
    c.banks.update_content(BANK, japan, withdraw=False)
    with c.uow() as uow:
        [item] = uow.banks.get_contents([japan])
        item.metadata = {"regions": ["KR"]}
        uow.banks.update_content(item)
    c.banks.changed()
    assert feed(c, "SUB_JP")[-1] == ("retract", str(japan), "JP-13")


def test_pages_are_signed_with_the_instance_key(seeded: Container) -> None:
    publisher = seeded.federation.publisher
    body = b'{"items":[]}'
    header = publisher.sign(body)["X-Haechi-Feed-Signature"]
    fields = dict(part.split("=", 1) for part in header.split(","))
    key = PublicKey(publisher.public_key_pem().encode())
    assert fields["keyid"] == key.key_id
    assert key.check(body, base64.b64decode(fields["sig"]))
    assert not key.check(body + b" ", base64.b64decode(fields["sig"]))


def test_feedback_counts_one_verdict_per_subscriber_and_hash(seeded: Container) -> None:
    c = seeded
    one, two = add(c, 1), add(c, 2)
    add(c, 3, bank="PRIVATE")
    sub, sub_jp = who(c, "SUB", Role.PLATFORM_AGENT), who(c, "SUB_JP", Role.PLATFORM_AGENT)
    feed(c)  # the feed was read (and the log written)
    publisher = c.federation.publisher
    publisher.receive_feedback(sub, [(str(one), "confirmed"), (str(two), "confirmed")])
    publisher.receive_feedback(sub, [(str(one), "false_positive")])  # replaces SUB's verdict
    result = publisher.receive_feedback(sub_jp, [(str(one), "false_positive"), ("999", "blocked")])
    assert result == {"accepted": 1, "unknown": ["999"]}
    stats = publisher.feedback_stats(who(c, "KCSC", Role.ANALYST))
    by_id = {s.content_id: s.counts for s, _ in stats}
    assert (by_id[one].false_positive, by_id[one].confirmed, by_id[one].misfire_rate) == (2, 0, 1.0)
    assert (by_id[two].confirmed, by_id[two].misfire_rate) == (1, 0.0)
    assert [s.content_id for s, _ in stats] == [one, two]  # worst first
    with pytest.raises(Forbidden):
        publisher.feedback_stats(sub)
    with pytest.raises(Forbidden):
        publisher.grant(sub, org_name="SUB", bank_name="PRIVATE")
    # banks belong to the instance: a platform's own admin cannot share them with itself
    with pytest.raises(Forbidden):
        publisher.grant(who(c, "SUB", Role.ADMIN), org_name="SUB", bank_name="PRIVATE")


def test_sync_is_idempotent_across_publisher_restarts(seeded: Container) -> None:
    from haechi.services.federation_publish import PublisherService

    c = seeded
    add(c, 1)
    feed(c)
    # a second process (or a restart) resumes from the stored cursor: nothing is translated twice
    other = PublisherService(uow_factory=c.uow, signer=None)
    assert other.sync() == 0
    page = other.feed(who(c, "SUB", Role.PLATFORM_AGENT), since=None)
    assert [e.op for e, _ in page.entries] == [FeedOp.ADD]


def test_a_feed_request_translates_a_bounded_backlog_and_says_there_is_more(
    seeded: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    from haechi.services import federation_publish
    from haechi.services.federation_publish import PublisherService

    monkeypatch.setattr(federation_publish, "SYNC_PAGE", 2)
    monkeypatch.setattr(federation_publish, "FEED_SYNC_PAGES", 1)
    c = seeded
    ids = [add(c, n) for n in range(1, 6)]
    publisher = PublisherService(uow_factory=c.uow, signer=None)
    sub = who(c, "SUB", Role.PLATFORM_AGENT)
    seen: list[int] = []
    since = None
    for _ in range(10):
        page = publisher.feed(sub, since=since)
        seen += [e.content_id for e, _ in page.entries]
        since = page.checkpoint
        if not page.more:
            break
    assert seen == ids
