"""A replica starts from a snapshot plus the change feed, and survives a corrupt snapshot."""

from __future__ import annotations

from pathlib import Path

from haechi import bootstrap
from haechi.adapters.index.matcher_snapshot import DirectorySnapshotStore
from haechi.bootstrap import Container
from haechi.services.lookup import LookupOptions
from haechi.services.ports import NewContent

A, B, C = "a" * 64, "b" * 64, "c" * 64
MD5 = "1" * 32


def ids(c: Container, value: str, signal_type: str = "pdq") -> list[int]:
    hits = c.lookup.lookup_signal(signal_type, value, LookupOptions(bypass_coinflip=True))
    return [h.content_id for h in hits]


def test_snapshot_then_feed(container: Container, tmp_path: Path) -> None:
    banks = container.banks
    banks.create_bank("B", thresholds={"pdq": 12})
    a = banks.add_content("B", NewContent(signals={"pdq": A, "md5": MD5}))
    b = banks.add_content("B", NewContent(signals={"pdq": B}))
    store = DirectorySnapshotStore(tmp_path / "snap")
    assert container.matcher.save_snapshot(store) > 0

    # changes after the snapshot: one withdrawn, one added
    banks.update_content("B", b.id, withdraw=True)
    c = banks.add_content("B", NewContent(signals={"pdq": C}))

    replica = bootstrap.build(container.settings)
    try:
        replica.matcher.load(store)
        assert ids(replica, A) == [a.id]
        assert ids(replica, MD5, "md5") == [a.id]
        assert ids(replica, B) == []
        assert ids(replica, C) == [c.id]
        near = format(int(A, 16) ^ ((1 << 13) - 1), "064x")
        assert ids(replica, near) == [], "the bank's threshold of 12 came back with the snapshot"
    finally:
        replica.close()


def test_corrupt_snapshot_falls_back_to_the_database(container: Container, tmp_path: Path) -> None:
    container.banks.create_bank("B")
    a = container.banks.add_content("B", NewContent(signals={"pdq": A}))
    store = DirectorySnapshotStore(tmp_path / "snap")
    container.matcher.save_snapshot(store)
    (tmp_path / "snap" / "manifest.npz").write_bytes(b"garbage")
    assert store.load() is None
    replica = bootstrap.build(container.settings)
    try:
        replica.matcher.load(store)
        assert ids(replica, A) == [a.id]
    finally:
        replica.close()
