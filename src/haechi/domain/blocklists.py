"""Blocklists of confirmed rooms and sites for ISPs and platforms: entries and three formats.

An entry is a URL (an invite link, a page) or a whole domain (a site that exists to spread the
material), with a reason, the case it came from, the moment it takes effect and, once lifted, the
moment it was removed. A list renders as plain text, CSV and a DNS Response Policy Zone (RPZ).

Formats never carry the moment they were generated: the same entries always render to the same
bytes, so an ETag is a hash of the body and a poller gets 304 until something changes. The RPZ
serial is the list's change counter plus the number of scheduled entries that have since come
into effect, so it grows every time the set of blocked names changes, and only then.

RPZ can only name domains: URL entries appear in the text and CSV lists, and the zone says how
many it leaves out (blocking all of t.me for one invite link would be wrong).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from urllib.parse import urlsplit

from haechi.domain.errors import InvalidInput

MAX_VALUE = 2048
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


class EntryKind(StrEnum):
    URL = "url"
    DOMAIN = "domain"


class Format(StrEnum):
    TXT = "txt"
    CSV = "csv"
    RPZ = "rpz"


MEDIA_TYPES = {
    Format.TXT: "text/plain; charset=utf-8",
    Format.CSV: "text/csv; charset=utf-8",
    Format.RPZ: "text/dns; charset=utf-8",
}


def check_list_name(value: str) -> str:
    text = value.strip().lower()
    if not _NAME.fullmatch(text):
        raise InvalidInput("a blocklist name is 1-64 lowercase letters, digits, '_' or '-'")
    return text


def check_domain(value: str) -> str:
    text = value.strip().rstrip(".").lower()
    try:
        ascii_name = text.encode("idna").decode("ascii")
    except UnicodeError:
        raise InvalidInput(f"not a domain name: {value[:80]}") from None
    labels = ascii_name.split(".")
    if len(ascii_name) > 253 or len(labels) < 2 or not all(_LABEL.fullmatch(x) for x in labels):
        raise InvalidInput(f"not a domain name: {value[:80]}")
    return ascii_name


def check_value(kind: EntryKind, value: str) -> str:
    text = value.strip()
    if not text or len(text) > MAX_VALUE or any(ord(c) < 33 for c in text):
        raise InvalidInput(f"a blocklist value is 1-{MAX_VALUE} characters without spaces")
    if kind is EntryKind.DOMAIN:
        return check_domain(text)
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(f"a URL entry must be an http(s) URL: {text[:80]}")
    host = check_domain(parts.hostname)
    return parts._replace(scheme=parts.scheme.lower(), netloc=host + _port(parts.port)).geturl()


def _port(port: int | None) -> str:
    return f":{port}" if port else ""


@dataclass(frozen=True, slots=True)
class Entry:
    id: int
    list_name: str
    kind: EntryKind
    value: str
    reason: str
    effective_from: float
    created_at: float
    case_id: int | None = None
    room_id: int | None = None
    removed_at: float | None = None
    removal_reason: str | None = None

    def active(self, now: float) -> bool:
        return self.effective_from <= now and (self.removed_at is None or self.removed_at > now)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A list as of `now`: what is blocked, what was lifted, and its version."""

    name: str
    active: tuple[Entry, ...]
    removed: tuple[Entry, ...]
    serial: int
    last_modified: float

    @classmethod
    def of(
        cls, name: str, entries: list[Entry], *, changes: int, changed_at: float, now: float
    ) -> Snapshot:
        live = tuple(sorted((e for e in entries if e.active(now)), key=lambda e: (e.kind, e.value)))
        gone = tuple(
            sorted(
                (e for e in entries if e.removed_at is not None and e.removed_at <= now),
                key=lambda e: (e.removed_at or 0.0, e.value),
            )
        )
        matured = [e.effective_from for e in entries if e.created_at < e.effective_from <= now]
        return cls(
            name, live, gone, changes + len(matured), max([changed_at, *matured], default=0.0)
        )


def _iso(ts: float | None) -> str:
    if ts is None:
        return ""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def render_text(snap: Snapshot) -> str:
    lines = [
        f"# haechi blocklist {snap.name}, serial {snap.serial}, as of {_iso(snap.last_modified)}",
        "# one URL or domain a line; lifted entries follow, commented, with their removal date",
    ]
    lines += [e.value for e in snap.active]
    if snap.removed:
        lines.append("# removed:")
        lines += [f"# {e.value} removed {_iso(e.removed_at)}" for e in snap.removed]
    return "\n".join(lines) + "\n"


CSV_COLUMNS = [
    "kind",
    "value",
    "status",
    "reason",
    "case_id",
    "effective_from",
    "removed_at",
    "removal_reason",
]


def render_csv(snap: Snapshot) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for status, rows in (("active", snap.active), ("removed", snap.removed)):
        for e in rows:
            writer.writerow(
                [
                    e.kind.value,
                    e.value,
                    status,
                    safe_cell(e.reason),
                    e.case_id or "",
                    _iso(e.effective_from),
                    _iso(e.removed_at),
                    safe_cell(e.removal_reason or ""),
                ]
            )
    return out.getvalue()


def safe_cell(text: str) -> str:
    """No spreadsheet formulas from free text (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


@dataclass(frozen=True, slots=True)
class ZoneNames:
    origin: str
    nameserver: str
    hostmaster: str
    ttl: int = 300


def render_rpz(snap: Snapshot, names: ZoneNames) -> str:
    """An RPZ zone: SOA, NS, and `name CNAME .` (NXDOMAIN) for each domain and its subdomains."""
    domains = [e.value for e in snap.active if e.kind is EntryKind.DOMAIN]
    urls = sum(1 for e in snap.active if e.kind is EntryKind.URL)
    lines = [
        f"; haechi blocklist {snap.name} as a response policy zone, as of "
        f"{_iso(snap.last_modified)}",
        f"; {len(domains)} domains; {urls} URL entries cannot be expressed in RPZ (see .txt/.csv)",
        f"$ORIGIN {names.origin}.",
        f"$TTL {names.ttl}",
        f"@ IN SOA {names.nameserver}. {names.hostmaster}. "
        f"({snap.serial} 3600 600 604800 {names.ttl})",
        f"@ IN NS {names.nameserver}.",
    ]
    for domain in domains:
        lines.append(f"{domain} CNAME .")
        lines.append(f"*.{domain} CNAME .")
    return "\n".join(lines) + "\n"
