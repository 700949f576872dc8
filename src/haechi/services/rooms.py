"""Observations of rooms (from connectors and imports) turned into rooms, accounts and posts.

One observation is applied in one unit of work: the room is found (by platform and id, or by its
invite link when it was first known only from a link) or created; a member-count sample is kept;
accounts and posts are added (a post already recorded is skipped, so a connector may resend);
posted hashes are tied to the bank content they match and to case items holding them, which ties
the room to those cases; and every room link in the posts and the description goes through
migration detection. Hashes are matched before the transaction opens.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from haechi.domain.errors import HaechiError, InvalidInput
from haechi.domain.room_observations import Observation, ObservedPost
from haechi.domain.rooms import LinkPattern, Room, find_links, parse_link
from haechi.domain.tenancy import Permission, Principal
from haechi.services.audit import record
from haechi.services.matching import Hit
from haechi.services.ports import UnitOfWork, UnitOfWorkFactory
from haechi.services.ports_rooms import CaseItemRef, NewPost, PostItem, RoomUpdate
from haechi.services.room_migrations import Found, detect

Signal = tuple[str, str]


class SignalLookup(Protocol):
    """Canonical hashes and bank matches (the lookup service)."""

    def canonical(self, signal_type: str, value: str) -> str: ...
    def raw_lookup(self, signal_type: str, value: str, banks: set[str] | None) -> list[Hit]: ...


@dataclass(frozen=True, slots=True)
class Prepared:
    observation: Observation
    #: canonical signal -> bank content ids it matches
    matches: dict[Signal, tuple[int, ...]]


@dataclass(slots=True)
class ObservationResult:
    room_id: int
    created: bool
    posts_added: int = 0
    items: int = 0
    cases: list[int] = field(default_factory=list)
    migrations: int = 0
    alerts: list[dict[str, Any]] = field(default_factory=list)


class RoomService:
    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        lookup: SignalLookup,
        patterns: tuple[LinkPattern, ...],
        now: Callable[[], float] = time.time,
        on_enqueue: Callable[[], None] | None = None,
    ) -> None:
        self._uow = uow_factory
        self._lookup = lookup
        self.patterns = patterns
        self._now = now
        self._on_enqueue = on_enqueue

    def observe(self, principal: Principal, observation: Observation) -> ObservationResult:
        """Apply what a connector saw in a room (`POST /api/v1/rooms/observations`)."""
        principal.require(Permission.ROOMS_OBSERVE)
        prepared = self.prepare(observation)
        with self._uow() as uow:
            result = self.apply(uow, principal, prepared)
        self.wake(result.alerts)
        return result

    def unit_of_work(self) -> UnitOfWork:
        """A transaction for applying several observations at once (imports: all or nothing)."""
        return self._uow()

    def wake(self, alerts: Sequence[object]) -> None:
        if alerts and self._on_enqueue is not None:
            self._on_enqueue()

    # -- before the transaction: validate and match ------------------------------------------
    def prepare(self, observation: Observation) -> Prepared:
        obs = observation.checked()
        posts, matches = [], {}
        for i, post in enumerate(obs.posts):
            hashes = []
            for signal_type, value in post.hashes:
                try:
                    canonical = self._lookup.canonical(signal_type, value)
                except HaechiError as e:
                    raise InvalidInput(f"posts[{i}]: {signal_type}: {e.message}") from None
                hashes.append((signal_type, canonical))
                hits = self._lookup.raw_lookup(signal_type, canonical, None)
                matches[(signal_type, canonical)] = tuple(sorted({h.content_id for h in hits}))
            posts.append(_with_hashes(post, tuple(dict.fromkeys(hashes))))
        return Prepared(_with_posts(obs, tuple(posts)), matches)

    # -- inside the transaction --------------------------------------------------------------
    def apply(self, uow: UnitOfWork, principal: Principal, prepared: Prepared) -> ObservationResult:
        obs = prepared.observation
        room, created = self._room(uow, principal, obs)
        result = ObservationResult(room.id, created)
        refs = _case_refs(uow, obs, prepared.matches)
        found = [
            Found(link, obs.observed_at) for link in find_links(obs.description, self.patterns)
        ]
        cases: set[int] = set()
        found += self._posts(uow, room, obs, prepared.matches, refs, result, cases)
        for case_id in sorted(cases):
            by, at = principal.actor, self._now()
            if uow.rooms.link_case(room.id, case_id, reason="posted case item", by=by, at=at):
                result.cases.append(case_id)
        before = len(uow.rooms.migrations([room.id]))
        result.alerts = detect(uow, room, found, actor=principal.actor, now=self._now())
        result.migrations = len(uow.rooms.migrations([room.id])) - before
        record(
            uow, principal, "room.observe", "room", room.id, platform=room.platform,
            created=created, posts=result.posts_added, items=result.items,
            cases=result.cases, alerts=len(result.alerts),
        )  # fmt: skip
        return result

    def _room(self, uow: UnitOfWork, principal: Principal, obs: Observation) -> tuple[Room, bool]:
        link = parse_link(obs.invite_link, self.patterns) if obs.invite_link else None
        room = uow.rooms.find_room(obs.platform, obs.external_id)
        if room is None and link is not None:
            known = uow.rooms.find_room_by_link(link.link_key)
            adopt = known is not None and known.platform == obs.platform and known.link_only
            room = known if adopt else None
        created = room is None
        if room is None:
            room = uow.rooms.add_room(
                platform=obs.platform,
                external_id=obs.external_id,
                title=obs.title,
                invite_link=link.url if link else obs.invite_link,
                link_key=link.link_key if link else None,
                at=obs.observed_at,
                source_org_id=principal.org_id,
            )
        change = RoomUpdate(
            title=obs.title,
            invite_link=link.url if link else obs.invite_link,
            link_key=link.link_key if link else None,
            member_count=obs.member_count,
            external_id=obs.external_id if room.external_id != obs.external_id else None,
        )
        uow.rooms.update_room(room.id, change, seen_at=obs.observed_at)
        if obs.member_count is not None:
            uow.rooms.add_member_sample(room.id, at=obs.observed_at, member_count=obs.member_count)
        return room, created

    def _posts(
        self,
        uow: UnitOfWork,
        room: Room,
        obs: Observation,
        matches: dict[Signal, tuple[int, ...]],
        refs: list[CaseItemRef],
        result: ObservationResult,
        cases: set[int],
    ) -> list[Found]:
        """Accounts, posts and posted items in three batches; the links of the new posts."""
        seen = [
            (p.account.external_id, p.account.handle, p.posted_at) for p in obs.posts if p.account
        ]
        accounts = uow.rooms.upsert_accounts(platform=room.platform, accounts=seen)
        links = {p.external_id: find_links(p.text, self.patterns) for p in obs.posts}
        rows = [
            NewPost(
                p.external_id,
                accounts.get(p.account.external_id) if p.account else None,
                p.posted_at,
                tuple(link.url for link in links[p.external_id]),
            )
            for p in obs.posts
        ]
        new = uow.rooms.add_posts(room.id, rows, at=self._now())
        items: list[tuple[int, PostItem]] = []
        found = []
        for post in obs.posts:
            post_id = new.get(post.external_id)
            if post_id is None:
                continue
            mine = _items(post, matches, refs)
            items += [(post_id, item) for item in mine]
            cases.update(r.case_id for r in refs if r.item_id in {i.case_item_id for i in mine})
            found += [Found(link, post.posted_at, post_id) for link in links[post.external_id]]
        uow.rooms.add_post_items(items)
        result.posts_added, result.items = len(new), len(items)
        return found


def _with_hashes(post: ObservedPost, hashes: tuple[Signal, ...]) -> ObservedPost:
    return ObservedPost(
        post.external_id, post.posted_at, post.account, post.text, hashes, post.matched_content_ids
    )


def _with_posts(obs: Observation, posts: tuple[ObservedPost, ...]) -> Observation:
    return Observation(
        obs.platform, obs.external_id, obs.title, obs.observed_at, obs.invite_link,
        obs.member_count, obs.description, posts,
    )  # fmt: skip


def _case_refs(
    uow: UnitOfWork, obs: Observation, matches: dict[Signal, tuple[int, ...]]
) -> list[CaseItemRef]:
    content_ids = {c for ids in matches.values() for c in ids}
    content_ids |= {c for p in obs.posts for c in p.matched_content_ids}
    if content_ids:
        known = {c.id for c in uow.banks.get_contents(sorted(content_ids))}
        unknown = sorted(content_ids - known)
        if unknown:
            raise InvalidInput(f"matched_content_ids: no bank content {unknown[:10]}")
    signals = sorted({s for p in obs.posts for s in p.hashes})
    return uow.rooms.case_items_for(signals=signals, content_ids=sorted(content_ids))


def _items(
    post: ObservedPost, matches: dict[Signal, tuple[int, ...]], refs: list[CaseItemRef]
) -> list[PostItem]:
    by_signal = {(r.signal_type, r.value): r.item_id for r in refs if r.signal_type is not None}
    by_content = {r.bank_content_id: r.item_id for r in refs if r.bank_content_id is not None}
    items, covered = [], set()
    for signal in post.hashes:
        content = matches.get(signal, ())[:1]
        content_id = content[0] if content else None
        item_id = by_signal.get(signal)
        if item_id is None and content_id is not None:
            item_id = by_content.get(content_id)
        items.append(PostItem(signal[0], signal[1], content_id, item_id))
        covered.add(content_id)
    for content_id in post.matched_content_ids:
        if content_id not in covered:
            items.append(
                PostItem("content", str(content_id), content_id, by_content.get(content_id))
            )
            covered.add(content_id)
    return items
