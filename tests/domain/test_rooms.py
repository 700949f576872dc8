"""Invite links of each app, normalised to one key per room; configured patterns; migration and
hub rules."""

from __future__ import annotations

import pytest

from haechi.domain.errors import InvalidInput
from haechi.domain.room_graph import PostFact, RoomFigures, rank_hubs, seeding
from haechi.domain.room_observations import parse_instant
from haechi.domain.rooms import (
    DEFAULT_PATTERNS,
    Room,
    find_links,
    migration_targets,
    normalise_tag,
    parse_patterns,
)

SIMPLEX = (
    "https://simplex.chat/contact#/?v=2-7&smp=smp%3A%2F%2Fabc%3D%40smp.example%2Fxyz%23%2F%3Fv"
    "%3D1-3%26dh%3DMCowBQYDK2VuAyEA"
)


@pytest.mark.parametrize(
    ("text", "platform", "key"),
    [
        ("join https://t.me/joinchat/AbC-12_x now", "telegram", "+AbC-12_x"),
        ("t.me/+AbC-12_x", "telegram", "+AbC-12_x"),
        ("@ https://telegram.me/Sample_Channel", "telegram", "sample_channel"),
        ("tg://join?invite=AbC-12_x", "telegram", "+AbC-12_x"),
        ("tg://resolve?domain=Sample_Channel", "telegram", "sample_channel"),
        ("https://t.me/c/1234567890/55", "telegram", "c/1234567890"),
        ("moved: https://signal.group/#CjQKIAbc-_DEF", "signal", "CjQKIAbc-_DEF"),
        ("https://invite.viber.com/?g2=AQBsampleXyz", "viber", "AQBsampleXyz"),
        ("dm me: https://signal.me/#eu/sample_name.01", "signal", "me:sample_name.01"),
        ("discord.gg/sampleInv", "discord", "sampleInv"),
        ("https://discord.com/invite/sampleInv", "discord", "sampleInv"),
        ("https://chat.whatsapp.com/SampleCode123", "whatsapp", "SampleCode123"),
        ("오픈채팅 https://open.kakao.com/o/gSample1 입장", "kakaotalk", "gSample1"),
        ("https://line.me/R/ti/g/SampleLine", "line", "SampleLine"),
    ],
)
def test_each_apps_links_are_found_and_normalised(text: str, platform: str, key: str) -> None:
    [link] = find_links(text, DEFAULT_PATTERNS)
    assert (link.platform, link.key) == (platform, key)
    assert link.url.startswith(("https://", "tg://", "simplex:"))


def test_the_same_room_written_two_ways_is_one_link() -> None:
    links = find_links("t.me/joinchat/AbC and https://t.me/+AbC", DEFAULT_PATTERNS)
    assert [(x.link_key, x.url) for x in links] == [("telegram:+AbC", "https://t.me/+AbC")]


def test_simplex_links_are_keyed_by_a_digest_of_their_fragment() -> None:
    [link] = find_links(f"new group: {SIMPLEX} bye", DEFAULT_PATTERNS)
    assert link.platform == "simplex" and link.key.startswith("contact:")
    assert len(link.key) == len("contact:") + 32 and link.url == SIMPLEX
    assert find_links(SIMPLEX.replace("abc", "abd"), DEFAULT_PATTERNS)[0].key != link.key


def test_links_come_in_order_of_appearance_and_ordinary_urls_are_ignored() -> None:
    text = "see https://example.org/x then signal.group nope https://signal.group/#A1 and t.me/+B2"
    assert [x.platform for x in find_links(text, DEFAULT_PATTERNS)] == ["signal", "telegram"]


def test_configured_patterns_add_apps_and_bad_ones_are_refused() -> None:
    patterns = parse_patterns([r"band=band\.us/n/(?P<key>[a-z0-9]+)"])
    [link] = find_links("https://band.us/n/a1b2c3", patterns)
    assert (link.platform, link.key) == ("band", "a1b2c3")
    with pytest.raises(InvalidInput, match="key"):
        parse_patterns([r"band=band\.us/n/[a-z]+"])
    with pytest.raises(InvalidInput, match="platform=regex"):
        parse_patterns(["no equals sign"])
    with pytest.raises(InvalidInput):
        parse_patterns(["band=("])


def _room(**extra: object) -> Room:
    values: dict[str, object] = {
        "id": 1,
        "platform": "telegram",
        "external_id": "-1001",
        "title": "t",
        "invite_link": "https://t.me/+Own",
        "link_key": "telegram:+Own",
        "member_count": None,
        "first_seen_at": 0.0,
        "last_seen_at": 0.0,
    }
    values.update(extra)
    return Room(**values)  # type: ignore[arg-type]


def test_a_rooms_own_invite_link_is_not_a_migration() -> None:
    links = find_links("t.me/+Own and https://signal.group/#New", DEFAULT_PATTERNS)
    assert [x.platform for x in migration_targets(_room(), links)] == ["signal"]
    assert not _room().flagged and _room(case_ids=(3,)).flagged
    assert _room(confirmed_items=1).flagged


def test_tags_are_normalised_or_refused() -> None:
    assert normalise_tag(" School:Sample  High ") == "school:sample-high"
    assert normalise_tag("unit:제0000부대") == "unit:제0000부대"
    with pytest.raises(InvalidInput):
        normalise_tag("school:<script>")


def test_the_seed_is_the_earliest_post_and_hubs_explain_their_score() -> None:
    facts = [
        PostFact(2, 20, None, 200.0, "content:1", True),
        PostFact(1, 10, None, 100.0, "content:1", True),
        PostFact(3, 30, None, 100.0, "content:1", True),
        PostFact(3, 31, None, 50.0, "pdq:ab", False),
    ]
    seeds = seeding(facts)
    assert seeds["content:1"].room_id == 1 and seeds["content:1"].rooms == 3
    assert seeds["pdq:ab"].room_id == 3 and not seeds["pdq:ab"].confirmed
    hubs = rank_hubs(
        [RoomFigures(1, 2, 1, 0.0), RoomFigures(2, 4, 3, 0.5), RoomFigures(3, 4, 2, 0.1)]
    )
    assert [h.room_id for h in hubs] == [2, 3, 1]
    assert hubs[0].score == 1.0 and "4/4 confirmed items" in hubs[0].explanation


def test_times_need_a_zone() -> None:
    assert parse_instant("2026-03-02T09:00:00Z", "t") == 1772442000.0
    assert parse_instant("2026-03-02T18:00:00+09:00", "t") == 1772442000.0
    assert parse_instant(1772442000, "t") == 1772442000.0
    with pytest.raises(InvalidInput, match="time zone"):
        parse_instant("2026-03-02T09:00:00", "posted_at")
    with pytest.raises(InvalidInput, match="ISO-8601"):
        parse_instant("yesterday", "posted_at")
