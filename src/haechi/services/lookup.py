"""Lookup use cases: match a hash, or media hashed on the fly, against the banks.

HMA keeps no record of matches; haechi records a match event for every lookup that matched (who
asked, what matched, at what distance), which cases, notices and transparency reports build on.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

from haechi.domain.errors import InvalidSignal
from haechi.domain.signals import DIHEDRAL_ORDER, SignalRegistry
from haechi.domain.video import fingerprint
from haechi.services.hashing import HashingService, HashResult
from haechi.services.matching import Hit, Matcher
from haechi.services.ports import MatchEvent, MatchEventSink, UnitOfWorkFactory

#: longest query value a match event stores whole (a vPDQ hash is stored as its fingerprint)
_EVENT_VALUE_CHARS = 1024


@dataclass(frozen=True, slots=True)
class LookupOptions:
    banks: set[str] | None = None
    seed: str | None = None
    bypass_coinflip: bool = False
    requester: str | None = None
    route: str = "lookup"


@dataclass(slots=True)
class MediaLookup:
    hashes: HashResult
    #: signal type -> matches
    matches: dict[str, list[Hit]] = field(default_factory=dict)
    #: for dihedral lookups, the transform that matched each content id
    transforms: dict[int, str] = field(default_factory=dict)


class LookupService:
    def __init__(
        self,
        *,
        registry: SignalRegistry,
        matcher: Matcher,
        hashing: HashingService,
        events: MatchEventSink,
        uow_factory: UnitOfWorkFactory,
        record_events: bool = True,
    ) -> None:
        self._uow = uow_factory
        self._registry = registry
        self._matcher = matcher
        self._hashing = hashing
        self._events = events
        self._record = record_events

    def canonical(self, signal_type: str, value: str) -> str:
        st = self._registry.signal_type(signal_type)
        try:
            return st.validate(value)
        except InvalidSignal as e:
            raise InvalidSignal(f"invalid signal: {e.message}") from None

    def lookup_signal(
        self,
        signal_type: str,
        value: str,
        options: LookupOptions,
        *,
        transform: str | None = None,
    ) -> list[Hit]:
        canonical = self.canonical(signal_type, value)
        coinflip = 0.0 if options.bypass_coinflip else random.Random(options.seed).random()  # noqa: S311 - HMA's sampling, not security
        hits = self._matcher.query(signal_type, canonical, banks=options.banks, coinflip=coinflip)
        self._emit(signal_type, canonical, hits, options, transform)
        return hits

    def raw_lookup(self, signal_type: str, value: str, banks: set[str] | None) -> list[Hit]:
        """Index hits without the enablement checks (HMA's /m/raw_lookup)."""
        canonical = self.canonical(signal_type, value)
        return self._matcher.query(signal_type, canonical, banks=banks, enabled_only=False)

    def lookup_media(
        self, result: HashResult, options: LookupOptions, dihedral: list[str] | None = None
    ) -> MediaLookup:
        """Match every signal of hashed media; `dihedral` adds the 7 other PDQ orientations."""
        out = MediaLookup(hashes=result)
        for signal_type, value in result.values().items():
            out.matches[signal_type] = self.lookup_signal(signal_type, value, options)
        for name, value in zip(DIHEDRAL_ORDER[1:], (dihedral or [])[1:], strict=False):
            for hit in self.lookup_signal("pdq", value, options, transform=name):
                if hit.content_id in out.transforms or any(
                    h.content_id == hit.content_id for h in out.matches.get("pdq", [])
                ):
                    continue
                out.transforms[hit.content_id] = name
                out.matches.setdefault("pdq", []).append(hit)
        return out

    def recent_events(self, *, limit: int, bank: str | None) -> list[MatchEvent]:
        self._events.flush()
        with self._uow() as uow:
            return uow.banks.recent_match_events(limit=limit, bank=bank)

    def _emit(
        self,
        signal_type: str,
        value: str,
        hits: list[Hit],
        options: LookupOptions,
        transform: str | None,
    ) -> None:
        if not hits or not self._record:
            return
        now = time.time()
        self._events.record(
            [
                MatchEvent(
                    at=now,
                    requester=options.requester,
                    route=options.route,
                    signal_type=signal_type,
                    query_value=value if len(value) <= _EVENT_VALUE_CHARS else fingerprint(value),
                    content_id=h.content_id,
                    bank_name=h.bank_name,
                    distance=h.distance,
                    transform=transform,
                )
                for h in hits
            ]
        )
