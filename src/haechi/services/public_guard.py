"""Abuse controls for the account-free endpoints (the victim page): limits per source.

Anyone can open the victim page, so one source must not be able to flood the review queue or
guess PINs. Three budgets apply per source over sliding windows: reports per hour; pictures per
day (each picture is one set of hashes; a source past the budget is sent to a victim-support
centre, which reports through its own account and answers for what it sends); and status or
withdrawal attempts per hour (on top of the reporter service's lock after five wrong PINs for one
case number). Every public report's items
wait for a moderator's decision before any hash can enter a bank; these budgets bound how much
work one anonymous source can put in front of the moderators. Below the hard picture budget, a
source past `bulk_pictures_per_day` is still admitted but its report is marked as from a bulk
source, so moderators verify it with extra care before banking; the mark decides nothing.

A source is the client address, IPv6 reduced to its /64 (one subscriber's whole network), stored
only as a keyed hash with a per-process key: the counter never holds an address.
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from haechi.domain.errors import RateLimited
from haechi.services.ports_limits import RateCounter

HOUR = 3600.0
DAY = 24 * HOUR
_IPV6_PREFIX = 64


@dataclass(frozen=True, slots=True)
class PublicLimits:
    reports_per_hour: int = 5
    pictures_per_day: int = 100
    checks_per_hour: int = 20
    #: pictures per day past which a source's reports are marked "bulk source" (a value at or
    #: above `pictures_per_day` never marks: the hard limit refuses first)
    bulk_pictures_per_day: int = 20
    #: failed sign-ins per hour from one source, and for one account from anywhere
    login_failures_per_hour: int = 10

    def __post_init__(self) -> None:
        lowest = min(self.reports_per_hour, self.pictures_per_day, self.checks_per_hour)
        lowest = min(lowest, self.login_failures_per_hour)
        if min(lowest, self.bulk_pictures_per_day) < 1:
            raise ValueError("public limits must be at least 1")


class PublicGuard:
    def __init__(
        self,
        *,
        counter: RateCounter,
        limits: PublicLimits,
        clock: Callable[[], float] = time.time,
        key: bytes | None = None,
    ) -> None:
        self._counter = counter
        self._limits = limits
        self._clock = clock
        self._key = key or secrets.token_bytes(32)

    @property
    def limits(self) -> PublicLimits:
        return self._limits

    def admit_report(self, address: str | None, pictures: int) -> bool:
        """Count one report of `pictures` pictures, or raise RateLimited (nothing counted).

        True when the source's pictures today, this report's included, pass the bulk threshold."""
        source = self.source(address)
        now = self._clock()
        day = self._counter.used(f"pictures:{source}", window_s=DAY, now=now)
        if day + pictures > self._limits.pictures_per_day:
            raise RateLimited(
                "this connection has sent many pictures today; a victim-support centre can "
                "report them for you, or try again tomorrow"
            )
        if not self._counter.take(
            f"reports:{source}", 1, limit=self._limits.reports_per_hour, window_s=HOUR, now=now
        ):
            raise RateLimited("too many reports from this connection; try again in an hour")
        limit = self._limits.pictures_per_day
        self._counter.take(f"pictures:{source}", pictures, limit=limit, window_s=DAY, now=now)
        return day + pictures > self._limits.bulk_pictures_per_day

    def admit_check(self, address: str | None) -> None:
        """Count one status or withdrawal attempt, or raise RateLimited."""
        source = self.source(address)
        if not self._counter.take(
            f"checks:{source}",
            1,
            limit=self._limits.checks_per_hour,
            window_s=HOUR,
            now=self._clock(),
        ):
            raise RateLimited("too many attempts from this connection; try again in an hour")

    def admit_login(self, address: str | None, email: str) -> None:
        """Refuse a sign-in attempt (RateLimited) once its source, or the account it names, has
        had `login_failures_per_hour` failures in the last hour: bounds password guessing both
        from one network and spread over many against one account."""
        now, limit = self._clock(), self._limits.login_failures_per_hour
        for key in self._login_keys(address, email):
            if self._counter.used(key, window_s=HOUR, now=now) >= limit:
                raise RateLimited("too many failed sign-ins; try again in an hour")

    def failed_login(self, address: str | None, email: str) -> None:
        """Count one failed sign-in against its source and the account it named."""
        now = self._clock()
        for key in self._login_keys(address, email):
            self._counter.take(key, 1, limit=2**31, window_s=HOUR, now=now)

    def _login_keys(self, address: str | None, email: str) -> tuple[str, str]:
        account = hashlib.blake2b(
            email.strip().lower().encode(), key=self._key, digest_size=12
        ).hexdigest()
        return f"login:{self.source(address)}", f"login-account:{account}"

    def source(self, address: str | None) -> str:
        """A keyed hash of the client's network: the address itself, or its /64 for IPv6."""
        network = _network(address)
        return hashlib.blake2b(network.encode(), key=self._key, digest_size=12).hexdigest()


def _network(address: str | None) -> str:
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return "unknown"  # no usable address: all such callers share one budget
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if isinstance(ip, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((ip, _IPV6_PREFIX), strict=False))
    return str(ip)


__all__ = ["DAY", "HOUR", "PublicGuard", "PublicLimits"]
