"""PdqMihIndex must equal brute force: every planted neighbour within the radius, nothing beyond.

Randomised (seeded) property tests over builds, incremental adds, removals, re-adds, compaction,
snapshots and concurrent use; the oracle is numpy popcount over every live hash.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
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
    """The oracle: every (id, distance) within d, nearest first, by popcount over all hashes."""
    dist = np.bitwise_count(np.stack([q, *model.values()])[1:] ^ q).sum(axis=1)
    pairs = zip(model, dist.tolist(), strict=True)
    return sorted(((cid, dd) for cid, dd in pairs if dd <= d), key=lambda m: (m[1], m[0]))


def probes(rng: np.random.Generator, model: Model, n: int) -> list[np.ndarray]:
    """Queries near indexed hashes (0-40 flips) and some far from everything."""
    near = [flipped(rng, h, int(rng.integers(0, 41))) for h in rng.choice(list(model.values()), n)]
    return near + list(random_hashes(rng, max(1, n // 10)))


def check(index: PdqMihIndex, model: Model, rng: np.random.Generator, n: int = 30) -> None:
    assert len(index) == len(model)
    for q, d in zip(probes(rng, model, n), rng.integers(0, 32, size=2 * n).tolist(), strict=False):
        assert index.query(hexed(q), d) == brute(model, q, d)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261123)


def built(rng: np.random.Generator, n: int, **options: object) -> tuple[PdqMihIndex, Model]:
    hashes, ids = random_hashes(rng, n), rng.permutation(10 * n)[:n].astype(np.int64)
    index = PdqMihIndex.build(hashes, ids, **options)  # type: ignore[arg-type]
    return index, dict(zip(ids.tolist(), hashes, strict=True))


def planted_found(index: PdqMihIndex, q: np.ndarray) -> dict[int, int]:
    return {cid: d for cid, d in index.query(hexed(q), 31) if cid >= 1_000_000}


@pytest.mark.parametrize(
    "shape",  # chunks probed at radius 0, 1 and 2
    [{"n_chunks": 32, "chunk_bits": 8}, {"n_chunks": 16, "chunk_bits": 16}, {"chunk_bits": 21}],
)
def test_planted_neighbours_at_every_distance_through_every_update_path(
    rng: np.random.Generator, shape: dict[str, int], tmp_path: Path
) -> None:
    index, model = built(rng, 3000, **shape)
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
    for d in range(32):  # every number of flips per chunk the shape allows
        assert index.query(hexed(q), d) == brute(model, q, d)
    index.save(tmp_path / "pdq.npz")
    assert planted_found(PdqMihIndex.load(tmp_path / "pdq.npz"), q) == want  # and from disk


OPTIONS = [{}, {"max_radius": 0}, {"max_radius": 5}, {"max_radius": 40}, {"chunk_bits": 8}]


@pytest.mark.parametrize("options", [*OPTIONS, {"chunk_bits": 17}])
def test_random_queries_equal_brute_force(
    rng: np.random.Generator, options: dict[str, int]
) -> None:
    index, model = built(rng, 3000, **options)
    for q in probes(rng, model, 80):
        d = int(rng.integers(0, options.get("max_radius", 31) + 1))
        assert index.query(hexed(q), d) == brute(model, q, d)


@pytest.mark.parametrize(
    ("n_items", "radius"), [(10**7, 31), (10**6, 31), (10**5, 31), (500, 7), (10**7, 63)]
)
def test_chunk_values_and_probe_keys_match_big_integer_arithmetic(
    rng: np.random.Generator, n_items: int, radius: int
) -> None:
    layout = ChunkLayout.plan(n_items=n_items, max_radius=radius)
    m = layout.n_chunks  # pigeonhole: m chunks of at most r = d // m flips cover distance d
    assert sum(layout.widths) <= 256 and all(m * (d // m + 1) > d for d in range(radius + 1))
    hashes = random_hashes(rng, 5)
    words = hashes.view(">u8").astype(np.uint64)
    keys = layout.probe_keys(words, radius)
    for row, h in enumerate(hashes):
        value, expected = int.from_bytes(bytes(h), "big"), []
        for c, width in enumerate(layout.widths):
            expected.append((value >> (256 - sum(layout.widths[: c + 1]))) & ((1 << width) - 1))
            assert layout.chunk_column(words, c)[row] == expected[-1]
        chunk, flip = layout.probe_chunk, layout.probe_flip
        want = [layout.bases[c] + (expected[c] ^ int(f)) for c, f in zip(chunk, flip, strict=True)]
        assert keys[row].tolist() == want


@pytest.mark.parametrize(("start", "batch", "steps"), [(3000, 1, 1500), (0, 25, 150)])
def test_incremental_updates_equal_brute_force(
    rng: np.random.Generator, start: int, batch: int, steps: int
) -> None:
    index, model = built(rng, start, delta_limit=40)  # merges into the tables every 40 adds
    pool = random_hashes(rng, 500)
    for step in range(steps):
        cid = int(rng.integers(0, 40_000))
        if rng.random() < 0.65 or not model:  # add, or re-add (replace) an existing id
            hashes = [
                flipped(rng, pool[rng.integers(500)], int(rng.integers(20))) for _ in range(batch)
            ]
            index.add([(hexed(h), cid + i) for i, h in enumerate(hashes)])
            model.update({cid + i: h for i, h in enumerate(hashes)})
        else:
            victim = cid if rng.random() < 0.3 else list(model)[rng.integers(len(model))]
            index.remove([victim])
            model.pop(victim, None)
        if step % (steps // 10) == 0:
            check(index, model, rng, n=10)
    index.compact()
    check(index, model, rng)


def test_merges_outgrow_the_spare_room_of_tables_and_storage(rng: np.random.Generator) -> None:
    index, model = built(rng, 4000, delta_limit=150)
    room = index._tables.capacity if index._tables else 0
    for batch in range(30):
        fresh = {-1000 * batch - i - 1: h for i, h in enumerate(random_hashes(rng, 50))}
        index.add((hexed(h), cid) for cid, h in fresh.items())
        model.update(fresh)
    assert index._tables is not None and index._tables.capacity > room  # grown ...
    assert index._store.n_sorted == 4000  # ... by merging in place, not by a rebuild
    check(index, model, rng, n=60)


def test_updates_take_effect_on_the_next_query(rng: np.random.Generator) -> None:
    index, model = built(rng, 2000)
    h, (old_id, old) = random_hashes(rng, 1)[0], next(iter(model.items()))
    index.add([(hexed(h), 42), (hexed(old), 42), (hexed(h), 42)])  # the last hash of an id wins
    assert index.query(hexed(flipped(rng, h, 31)), 31) == [(42, 31)]
    index.add([(hexed(h), old_id)])  # re-adding an id moves it
    assert old_id not in dict(index.query(hexed(old), 31))
    assert index.query(hexed(h), 0) == [(42, 0), (old_id, 0)]
    index.remove([42, old_id, 123_456_789])
    assert index.query(hexed(h), 31) == []
    assert len(index) == len(model) - 1
    assert len(PdqMihIndex.build(random_hashes(rng, 2), np.array([7, 7]))) == 1


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
    extra = {-5 - i: h for i, h in enumerate(random_hashes(rng, 10))}
    index.add((hexed(h), cid) for cid, h in extra.items())  # still in the delta
    index.remove(list(model)[:100])
    model = {**dict(list(model.items())[100:]), **extra}
    index.save(tmp_path / "pdq.npz")
    loaded = PdqMihIndex.load(tmp_path / "pdq.npz")
    assert (loaded.signal_type, loaded.max_radius, len(loaded)) == ("pdq", 40, len(model))
    for q in probes(rng, model, 40):
        assert loaded.query(hexed(q), 40) == index.query(hexed(q), 40) == brute(model, q, 40)
    PdqMihIndex(signal_type="pdq2").save(tmp_path / "empty.npz")
    assert len(PdqMihIndex.load(tmp_path / "empty.npz")) == 0


def rewritten(path: Path, **arrays: np.ndarray) -> None:
    with np.load(path) as npz:
        kept = {name: npz[name] for name in npz.files}
    with path.open("wb") as out:
        np.savez(out, **{**kept, **arrays})


def npy(path: Path, array: np.ndarray) -> None:
    with path.open("wb") as out:
        np.save(out, array, allow_pickle=True)


DAMAGE: dict[str, Callable[[Path], object]] = {
    "truncated": lambda p: p.write_bytes(p.read_bytes()[:500]),
    "garbage": lambda p: p.write_bytes(b"\x93NUMPY not really" * 10),
    "missing": lambda p: p.unlink(),
    "npy": lambda p: npy(p, np.zeros(3)),
    "pickle": lambda p: npy(p, np.array([{}])),
    "shape": lambda p: rewritten(p, hashes=np.zeros((100, 31), np.uint8)),
    "version": lambda p: rewritten(p, header=np.frombuffer(b'{"format": "haechi.pdq_mih"}', "u1")),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_corrupt_snapshot_is_a_clear_error(
    rng: np.random.Generator, tmp_path: Path, damage: str
) -> None:
    path = tmp_path / "pdq.npz"
    built(rng, 100)[0].save(path)
    DAMAGE[damage](path)
    with pytest.raises(IndexSnapshotError, match=re.escape(path.name)):  # a ValueError
        PdqMihIndex.load(path)


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


def test_bad_radius_bytes_and_ids_are_refused(rng: np.random.Generator) -> None:
    index, _ = built(rng, 100, max_radius=20)
    q = "AB" * 32
    assert index.query(q, 20) == []  # upper-case hex is fine
    cases: list[tuple[Callable[[], object], type[Exception]]] = [
        (lambda: index.query(q, 21), ValueError),  # beyond the radius the index was built for
        (lambda: index.query_many([q], -1), ValueError),
        (lambda: PdqMihIndex(max_radius=200), ValueError),
        (lambda: index.query_bytes(np.zeros(31, dtype=np.uint8), 20), InvalidSignal),
        (lambda: index.add([(q, "7")]), TypeError),  # type: ignore[list-item]
        (lambda: index.add([(q, 1 << 63)]), ValueError),
    ]
    for call, error in cases:
        with pytest.raises(error):
            call()


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
    for thread in readers:
        thread.start()
    for i, h in enumerate(churn):  # adds trigger merges and rebuilds while readers run
        index.add([(hexed(h), 5_000_000 + i)])
        if i % 3 == 0:
            index.remove([5_000_000 + i - 1])
    done.set()
    for t in readers:
        t.join()
    assert errors == []
    assert len(index) == len(model) + len(churn) - len(range(3, len(churn), 3))
