"""PdqMihIndex must equal brute force: every planted neighbour within the radius, nothing beyond.

Randomised (seeded) property tests over builds, incremental adds, removals, re-adds, compaction,
snapshots and concurrent use; the oracle is numpy popcount over every live hash.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import numpy as np
import pytest

from haechi.adapters.index._mih_layout import ChunkLayout
from haechi.adapters.index.pdq_mih import IndexSnapshotError, PdqMihIndex
from haechi.domain.errors import InvalidSignal

Model = dict[int, np.ndarray]


def random_hashes(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.integers(0, 256, size=(n, 32), dtype=np.uint8)


def flipped(rng: np.random.Generator, h: np.ndarray, k: int) -> np.ndarray:
    out = h.copy()
    for bit in rng.choice(256, size=k, replace=False):
        out[bit // 8] ^= np.uint8(1 << (bit % 8))
    return out


def hexed(h: np.ndarray) -> str:
    return bytes(h).hex()


def brute(model: Model, q: np.ndarray, d: int) -> list[tuple[int, int]]:
    if not model:
        return []
    ids = np.fromiter(model, dtype=np.int64)
    dist = np.bitwise_count(np.stack(list(model.values())) ^ q).sum(axis=1)
    near = np.flatnonzero(dist <= d)
    pairs = zip(ids[near].tolist(), dist[near].tolist(), strict=True)
    return sorted(pairs, key=lambda m: (m[1], m[0]))


def probes(rng: np.random.Generator, model: Model, n: int) -> list[np.ndarray]:
    """Queries near indexed hashes (0-40 flips) and some far from everything."""
    hashes = list(model.values())
    out = [
        flipped(rng, hashes[rng.integers(len(hashes))], int(rng.integers(0, 41))) for _ in range(n)
    ]
    return out + list(random_hashes(rng, max(1, n // 10)))


def check(index: PdqMihIndex, model: Model, rng: np.random.Generator, n: int = 30) -> None:
    assert len(index) == len(model)
    for q in probes(rng, model, n):
        d = int(rng.integers(0, 32))
        assert index.query(hexed(q), d) == brute(model, q, d)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261123)


def built(rng: np.random.Generator, n: int, **options: object) -> tuple[PdqMihIndex, Model]:
    hashes = random_hashes(rng, n)
    ids = rng.permutation(10 * n)[:n].astype(np.int64)
    return PdqMihIndex.build(hashes, ids, **options), dict(zip(ids.tolist(), hashes, strict=True))  # type: ignore[arg-type]


def planted_found(index: PdqMihIndex, q: np.ndarray) -> dict[int, int]:
    return {cid: d for cid, d in index.query(hexed(q), 31) if cid >= 1_000_000}


@pytest.mark.parametrize("n", [3000, 700_000 // 64])  # 16 chunks at radius 1; 11 at radius 2
def test_planted_neighbours_at_every_distance_through_every_update_path(
    rng: np.random.Generator, n: int, tmp_path: Path
) -> None:
    index, model = built(rng, n, chunk_bits=21 if n > 5000 else None)
    q = random_hashes(rng, 1)[0]
    want = {1_000_000 + k: k for k in range(32)}  # 32 and 33 bits away must not come back
    planted = {1_000_000 + k: flipped(rng, q, k) for k in range(34)}
    index.add((hexed(h), cid) for cid, h in planted.items())
    assert planted_found(index, q) == want  # from the delta
    index.compact()
    assert planted_found(index, q) == want  # from the tables
    index.remove(list(planted))
    assert planted_found(index, q) == {}
    index.add((hexed(random_hashes(rng, 1)[0]), cid) for cid in planted)
    index.add((hexed(h), cid) for cid, h in planted.items())  # replace twice, back to planted
    assert planted_found(index, q) == want
    index.compact()
    model.update(planted)
    for d in range(32):  # every per-chunk radius: 0, 1 and 2 flips
        assert index.query(hexed(q), d) == brute(model, q, d)
    index.save(tmp_path / "pdq.npz")
    assert planted_found(PdqMihIndex.load(tmp_path / "pdq.npz"), q) == want


def test_random_queries_equal_brute_force(rng: np.random.Generator) -> None:
    index, model = built(rng, 5000)
    check(index, model, rng, n=200)


@pytest.mark.parametrize(
    ("max_radius", "chunk_bits"), [(0, None), (5, None), (31, 8), (31, 17), (40, None)]
)
def test_other_layouts_are_exact(
    rng: np.random.Generator, max_radius: int, chunk_bits: int | None
) -> None:
    index, model = built(rng, 2000, max_radius=max_radius, chunk_bits=chunk_bits)
    for q in probes(rng, model, 40):
        d = int(rng.integers(0, max_radius + 1))
        assert index.query(hexed(q), d) == brute(model, q, d)


@pytest.mark.parametrize(("n_items", "radius"), [(10_000_000, 31), (1_000_000, 31), (500, 7)])
def test_chunk_values_and_probe_keys_match_big_integer_arithmetic(
    rng: np.random.Generator, n_items: int, radius: int
) -> None:
    layout = ChunkLayout.plan(n_items=n_items, max_radius=radius)
    hashes = random_hashes(rng, 5)
    words = hashes.view(">u8").astype(np.uint64)
    keys = layout.probe_keys(words, radius)
    for row, h in enumerate(hashes):
        value, start, expected = int.from_bytes(bytes(h), "big"), 0, []
        for width in layout.widths:
            expected.append((value >> (256 - start - width)) & ((1 << width) - 1))
            assert layout.chunk_column(words, len(expected) - 1)[row] == expected[-1]
            start += width
        chunk, flip = layout.probe_chunk, layout.probe_flip
        want = [layout.bases[c] + (expected[c] ^ int(f)) for c, f in zip(chunk, flip, strict=True)]
        assert keys[row].tolist() == want


def test_layout_obeys_pigeonhole() -> None:
    for radius in (0, 1, 10, 31, 32, 63):
        layout = ChunkLayout.plan(n_items=10_000_000, max_radius=radius)
        m = layout.n_chunks
        assert sum(layout.widths) <= 256 and max(layout.widths) <= 24
        for d in range(radius + 1):
            assert m * (d // m + 1) > d
            assert len(layout.probes_upto) > d // m


def test_incremental_updates_equal_brute_force(rng: np.random.Generator) -> None:
    index, model = built(rng, 3000, delta_limit=40)
    pool = random_hashes(rng, 500)
    for step in range(1500):
        cid = int(rng.integers(0, 40_000))
        if rng.random() < 0.65:  # add, or re-add (replace) an existing id
            h = flipped(rng, pool[rng.integers(len(pool))], int(rng.integers(0, 20)))
            index.add([(hexed(h), cid)])
            model[cid] = h
        else:
            victim = cid if rng.random() < 0.3 else list(model)[rng.integers(len(model))]
            index.remove([victim])
            model.pop(victim, None)
        if step % 150 == 0:
            check(index, model, rng, n=10)
    index.compact()
    check(index, model, rng)


def test_merges_outgrow_the_spare_room_of_tables_and_storage(rng: np.random.Generator) -> None:
    index, model = built(rng, 4000, delta_limit=150)
    room = index._tables.capacity if index._tables else 0
    for batch in range(30):
        hashes = random_hashes(rng, 50)
        index.add([(hexed(h), -1000 * (batch + 1) - i) for i, h in enumerate(hashes)])
        model.update({-1000 * (batch + 1) - i: h for i, h in enumerate(hashes)})
    assert index._tables is not None and index._tables.capacity > room  # grown ...
    assert index._store.n_sorted == 4000  # ... by merging in place, not by a rebuild
    check(index, model, rng, n=60)


def test_growing_from_empty_equals_brute_force(rng: np.random.Generator) -> None:
    index = PdqMihIndex(delta_limit=16)
    model: Model = {}
    assert index.query(hexed(random_hashes(rng, 1)[0]), 31) == []
    for batch in range(40):
        hashes = random_hashes(rng, 25)
        entries = [(hexed(h), batch * 100 + i) for i, h in enumerate(hashes)]
        index.add(entries)
        model.update({batch * 100 + i: h for i, h in enumerate(hashes)})
        check(index, model, rng, n=3)


def test_added_hash_matches_on_the_next_query_and_removal_at_once(rng: np.random.Generator) -> None:
    index, _ = built(rng, 2000)
    h = random_hashes(rng, 1)[0]
    index.add([(hexed(h), 42_000_000)])
    assert index.query(hexed(flipped(rng, h, 31)), 31) == [(42_000_000, 31)]
    some_id = next(iter(_))
    index.remove([some_id, 42_000_000, 123_456_789])
    assert index.query(hexed(h), 31) == []
    assert all(cid != some_id for cid, _d in index.query(hexed(_[some_id]), 31))


def test_re_adding_an_id_replaces_its_hash(rng: np.random.Generator) -> None:
    index, model = built(rng, 1000)
    cid, old = next(iter(model.items()))
    new = random_hashes(rng, 1)[0]
    index.add([(hexed(new), cid), (hexed(old), cid), (hexed(new), cid)])  # the last wins
    assert index.query(hexed(old), 31) == []
    assert index.query(hexed(new), 0) == [(cid, 0)]
    assert len(index) == len(model)


def test_build_keeps_the_last_hash_of_a_repeated_id(rng: np.random.Generator) -> None:
    hashes = random_hashes(rng, 3)
    index = PdqMihIndex.build(hashes, np.array([7, 7, 8]))
    assert len(index) == 2
    assert index.query(hexed(hashes[0]), 0) == []
    assert index.query(hexed(hashes[1]), 0) == [(7, 0)]


def test_query_many_and_query_bytes_agree_with_query(rng: np.random.Generator) -> None:
    index, model = built(rng, 3000)
    index.add([(hexed(h), 10**9 + i) for i, h in enumerate(random_hashes(rng, 30))])
    qs = probes(rng, model, 150)
    many = index.query_many([hexed(q) for q in qs], 31)
    assert many == [index.query(hexed(q), 31) for q in qs]
    assert many == [index.query_bytes(q, 31) for q in qs]
    assert index.query_many([], 31) == []


def test_save_load_round_trip(rng: np.random.Generator, tmp_path: Path) -> None:
    index, model = built(rng, 2000, max_radius=40)
    extra = random_hashes(rng, 10)
    index.add([(hexed(h), -5 - i) for i, h in enumerate(extra)])  # still in the delta
    model.update({-5 - i: h for i, h in enumerate(extra)})
    gone = list(model)[:100]
    index.remove(gone)
    for cid in gone:
        del model[cid]
    index.save(tmp_path / "pdq.npz")
    loaded = PdqMihIndex.load(tmp_path / "pdq.npz")
    assert (loaded.signal_type, loaded.max_radius, len(loaded)) == ("pdq", 40, len(model))
    for q in probes(rng, model, 40):
        assert loaded.query(hexed(q), 40) == index.query(hexed(q), 40) == brute(model, q, 40)


def test_empty_index_round_trips(tmp_path: Path) -> None:
    PdqMihIndex(signal_type="pdq").save(tmp_path / "empty.npz")
    assert len(PdqMihIndex.load(tmp_path / "empty.npz")) == 0


@pytest.mark.parametrize(
    "damage", ["truncate", "garbage", "missing", "shape", "version", "pickle", "npy"]
)
def test_corrupt_snapshot_is_a_clear_error(
    rng: np.random.Generator, tmp_path: Path, damage: str
) -> None:
    path = tmp_path / "pdq.npz"
    index, _ = built(rng, 100)
    index.save(path)
    if damage == "truncate":
        path.write_bytes(path.read_bytes()[:500])
    elif damage == "garbage":
        path.write_bytes(b"\x93NUMPY not really" * 10)
    elif damage == "missing":
        path.unlink()
    elif damage in {"pickle", "npy"}:
        payload = np.array([{"x": 1}], dtype=object) if damage == "pickle" else np.zeros(3)
        with path.open("wb") as out:
            np.save(out, payload, allow_pickle=True)
    else:
        with np.load(path) as npz:
            arrays = {name: npz[name] for name in npz.files}
        if damage == "shape":
            arrays["hashes"] = arrays["hashes"][:, :31]
        else:
            arrays["header"] = np.frombuffer(
                b'{"format": "haechi.pdq_mih", "version": 99}', np.uint8
            )
        with path.open("wb") as out:
            np.savez(out, **arrays)
    with pytest.raises(IndexSnapshotError, match=re.escape(path.name)):
        PdqMihIndex.load(path)
    assert issubclass(IndexSnapshotError, ValueError)


def test_distance_beyond_the_built_radius_is_refused(rng: np.random.Generator) -> None:
    index, _ = built(rng, 100, max_radius=20)
    q = hexed(random_hashes(rng, 1)[0])
    with pytest.raises(ValueError, match="max_distance"):
        index.query(q, 21)
    with pytest.raises(ValueError, match="max_distance"):
        index.query_many([q], -1)
    with pytest.raises(ValueError, match="max_radius"):
        PdqMihIndex(max_radius=200)


@pytest.mark.parametrize(
    "value", ["ab" * 31, "ab" * 33, "zz" * 32, "0x" + "ab" * 31, " " + "a" * 63, 42, ""]
)
def test_malformed_hashes_are_invalid_signals(value: object) -> None:
    index = PdqMihIndex()
    with pytest.raises(InvalidSignal):
        index.query(value, 31)  # type: ignore[arg-type]
    with pytest.raises(InvalidSignal):
        index.add([(value, 1)])  # type: ignore[list-item]
    assert len(index) == 0


def test_query_bytes_checks_its_input() -> None:
    with pytest.raises(InvalidSignal):
        PdqMihIndex().query_bytes(np.zeros(31, dtype=np.uint8), 31)
    assert PdqMihIndex().query(("AB" * 32), 0) == []


def test_bad_content_ids_are_refused() -> None:
    with pytest.raises(TypeError):
        PdqMihIndex().add([("ab" * 32, "7")])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="int64"):
        PdqMihIndex().add([("ab" * 32, 1 << 63)])


def test_concurrent_queries_always_see_stable_entries(rng: np.random.Generator) -> None:
    index, model = built(rng, 2000, delta_limit=8)
    stable = list(model.items())[:20]
    churn = random_hashes(rng, 300)
    errors: list[str] = []
    done = threading.Event()

    def reader() -> None:
        while not done.is_set():
            for cid, h in stable:
                if (cid, 0) not in index.query(hexed(h), 31):
                    errors.append(f"lost {cid}")

    readers = [threading.Thread(target=reader) for _ in range(3)]
    for t in readers:
        t.start()
    for i, h in enumerate(churn):  # adds trigger merges and rebuilds while readers run
        index.add([(hexed(h), 5_000_000 + i)])
        if i % 3 == 0:
            index.remove([5_000_000 + i - 1])
    done.set()
    for t in readers:
        t.join()
    assert errors == []
    assert len(index) == len(model) + len(churn) - len(range(3, len(churn), 3))
