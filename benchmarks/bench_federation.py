"""Time from a hash confirmed on instance A to a match on instance B (two haechi servers on
127.0.0.1, separate SQLite databases, B subscribed to A's signed feed with `auto` trust).

Two figures: with B's own scheduler and job worker polling every `--interval` seconds (what an
operator gets: about half the interval on average, plus the pipeline), and with B polled at once
after the confirm (the pipeline alone: A's feed translation, signed page, B's apply and refresh).
No peer: HMA has no instance-to-instance exchange to compare with.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from benchmarks._common import free_port, wait_for_status, write_result
from haechi import bootstrap
from haechi.config import Settings
from haechi.domain.tenancy import Principal, Role


class _Live:
    def __init__(self, directory: Path, **settings: Any) -> None:
        directory.mkdir()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        values = {
            "environment": "test",
            "database_url": f"sqlite:///{directory / 'haechi.db'}",
            "blob_dir": directory / "blobs",
            "evidence_key_path": directory / "key.pem",
            "fetch_allow_private": True,
            "jobs_poll_s": 0.1,
            **settings,
        }
        self.app = bootstrap.create_app(Settings(**values))
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> _Live:
        self.thread.start()
        wait_for_status(self.url, timeout_s=30)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def _pair(a: _Live, b: _Live, interval: float) -> None:
    ca, cb = a.app.state.container, b.app.state.container
    ca.auth.create_org("KCSC", "regulator")
    ca.auth.create_org("PlatformB", "platform")
    feed_token = ca.auth.create_token(
        org="PlatformB", name="feed", roles=frozenset({Role.PLATFORM_AGENT})
    )
    ca.banks.create_bank("NATIONAL")
    admin_a = ca.auth.create_token(org="KCSC", name="a", roles=frozenset({Role.ADMIN}))
    cb.auth.create_org("PlatformB", "platform")
    admin_b = cb.auth.create_token(org="PlatformB", name="b", roles=frozenset({Role.ADMIN}))
    cb.banks.create_bank("FROM_KCSC")
    with httpx.Client(base_url=a.url, headers={"Authorization": f"Bearer {admin_a}"}) as api_a:
        api_a.post("/api/v1/exchange/grants", json={"org": "PlatformB", "bank": "NATIONAL"})
        key = api_a.get("/api/v1/exchange/key").text
    source = {
        "name": "kcsc", "kind": "haechi", "url": a.url, "bank": "FROM_KCSC",
        "trust_mode": "auto", "poll_interval_s": interval, "token": feed_token,
        "public_key_pem": key,
    }  # fmt: skip
    with httpx.Client(base_url=b.url, headers={"Authorization": f"Bearer {admin_b}"}) as api_b:
        api_b.post("/api/v1/exchange/sources", json=source).raise_for_status()


def _trial(a: _Live, b: _Live, value: str, *, poll_now: bool) -> float:
    with httpx.Client(base_url=a.url, timeout=10) as api_a, httpx.Client(base_url=b.url) as hma_b:
        started = time.perf_counter()
        api_a.post("/api/v1/banks/NATIONAL/content", json={"signals": {"pdq": value}})
        if poll_now:
            b.app.state.container.federation.poller.poll("kcsc")
        while not hma_b.get("/m/lookup", params={"signal_type": "pdq", "signal": value}).json():
            if time.perf_counter() - started > 30:
                raise RuntimeError("hash never matched on B")
            time.sleep(0.02)
        return time.perf_counter() - started


def _admin(container: Any) -> Principal:
    return Principal.of(container.auth.org("PlatformB"), frozenset({Role.ADMIN}), label="bench")


def _summary(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "median_s": statistics.median(ordered),
        "p95_s": ordered[int(0.95 * (len(ordered) - 1))],
        "max_s": ordered[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--interval", type=float, default=1.0)
    args = parser.parse_args()
    rng = random.Random(9)
    # A never polls; B's scheduler and job worker poll A for the scheduled figure
    with (
        tempfile.TemporaryDirectory() as tmp,
        _Live(Path(tmp) / "a", exchange_schedule_s=0) as a,
        _Live(Path(tmp) / "b", exchange_schedule_s=0.2) as b,
    ):
        _pair(a, b, args.interval)
        scheduled = []
        for _ in range(args.trials):
            time.sleep(rng.uniform(0, args.interval))  # confirm at any phase of B's poll cycle
            scheduled.append(_trial(a, b, f"{rng.getrandbits(256):064x}", poll_now=False))
        # the scheduler off (the source disabled), B polled right after each confirm
        cb = b.app.state.container
        cb.federation.sources.update(_admin(cb), "kcsc", enabled=False)
        time.sleep(args.interval + 0.5)  # let a queued scheduled poll finish
        polled = [
            _trial(a, b, f"{rng.getrandbits(256):064x}", poll_now=True) for _ in range(args.trials)
        ]
    result = {
        "trials": args.trials,
        "poll_interval_s": args.interval,
        "scheduled": _summary(scheduled),
        "poll_at_once": _summary(polled),
    }
    write_result("federation", result)
    s, p = result["scheduled"], result["poll_at_once"]
    print(
        f"A confirm -> B match, B polling every {args.interval:g} s: median {s['median_s']:.2f} s, "
        f"p95 {s['p95_s']:.2f} s, max {s['max_s']:.2f} s\n"
        f"A confirm -> B match, B polled at once (pipeline alone): median "
        f"{p['median_s'] * 1000:.0f} ms, p95 {p['p95_s'] * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
