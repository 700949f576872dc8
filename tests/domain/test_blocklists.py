"""Blocklist entries and their three formats: canonical values, effective dates, removals, a
valid RPZ zone whose serial grows exactly when the blocked set changes."""

from __future__ import annotations

import csv
import io
import re

import pytest

from haechi.domain.blocklists import (
    Entry,
    EntryKind,
    Snapshot,
    ZoneNames,
    check_value,
    render_csv,
    render_rpz,
    render_text,
)
from haechi.domain.errors import InvalidInput

NAMES = ZoneNames("confirmed.rpz.example", "ns.rpz.example", "hostmaster.rpz.example")


def _entry(i: int, kind: EntryKind, value: str, **extra: object) -> Entry:
    values: dict[str, object] = {
        "id": i,
        "list_name": "confirmed",
        "kind": kind,
        "value": value,
        "reason": "confirmed room",
        "effective_from": 100.0,
        "created_at": 100.0,
    }
    values.update(extra)
    return Entry(**values)  # type: ignore[arg-type]


def test_values_are_canonical() -> None:
    assert check_value(EntryKind.DOMAIN, "Deepfake-Gallery.EXAMPLE.") == "deepfake-gallery.example"
    assert check_value(EntryKind.DOMAIN, "딥페이크.example") == "xn--k01b606a2qg0ld.example"
    assert check_value(EntryKind.URL, "HTTPS://T.ME/+AbC") == "https://t.me/+AbC"
    for kind, bad in [
        (EntryKind.DOMAIN, "localhost"),
        (EntryKind.DOMAIN, "-bad-.example"),
        (EntryKind.DOMAIN, "a b.example"),
        (EntryKind.URL, "ftp://files.example/x"),
        (EntryKind.URL, "t.me/+AbC"),
    ]:
        with pytest.raises(InvalidInput):
            check_value(kind, bad)


def test_effective_dates_and_removals_decide_what_is_listed() -> None:
    entries = [
        _entry(1, EntryKind.DOMAIN, "a.example"),
        _entry(2, EntryKind.URL, "https://t.me/+AbC"),
        _entry(3, EntryKind.DOMAIN, "later.example", effective_from=500.0),
        _entry(4, EntryKind.DOMAIN, "gone.example", removed_at=300.0, removal_reason="=cmd"),
    ]
    before = Snapshot.of("confirmed", entries, changes=5, changed_at=300.0, now=400.0)
    after = Snapshot.of("confirmed", entries, changes=5, changed_at=300.0, now=600.0)
    assert [e.value for e in before.active] == ["a.example", "https://t.me/+AbC"]
    assert [e.value for e in after.active] == ["a.example", "later.example", "https://t.me/+AbC"]
    # a scheduled entry coming into force is a change: the serial and Last-Modified move
    assert (before.serial, after.serial) == (5, 6)
    assert (before.last_modified, after.last_modified) == (300.0, 500.0)
    assert render_text(before) == render_text(before)  # no generation time: stable bytes
    lines = render_text(before).splitlines()
    assert "a.example" in lines and "gone.example" not in lines
    assert any(line.startswith("# gone.example removed 1970-") for line in lines)
    rows = list(csv.DictReader(io.StringIO(render_csv(before))))
    assert [(r["value"], r["status"]) for r in rows][-1] == ("gone.example", "removed")
    assert rows[-1]["removal_reason"] == "'=cmd"  # no spreadsheet formulas


def test_the_rpz_zone_is_well_formed() -> None:
    entries = [_entry(1, EntryKind.DOMAIN, "a.example"), _entry(2, EntryKind.URL, "https://x.y/z")]
    zone = render_rpz(Snapshot.of("confirmed", entries, changes=7, changed_at=1.0, now=200), NAMES)
    records = [line for line in zone.splitlines() if line and not line.startswith(";")]
    assert records[:2] == ["$ORIGIN confirmed.rpz.example.", "$TTL 300"]
    soa = re.fullmatch(
        r"@ IN SOA ns\.rpz\.example\. hostmaster\.rpz\.example\. \((\d+) 3600 600 604800 300\)",
        records[2],
    )
    assert soa is not None and soa.group(1) == "7"
    assert records[3] == "@ IN NS ns.rpz.example."
    assert records[4:] == ["a.example CNAME .", "*.a.example CNAME ."]
    assert "1 URL entries cannot be expressed" in zone
