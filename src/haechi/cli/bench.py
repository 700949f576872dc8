"""`haechi bench`: a quick self-check of this machine's matching speed, for sizing a deployment.

The side-by-side comparison with the `threatexchange` peer lives in `benchmarks/` (`make bench`).
"""

from __future__ import annotations

import json
import time
from typing import Annotated

import numpy as np
import typer

from haechi.adapters.index.pdq_mih import PdqMihIndex


def bench(
    size: Annotated[int, typer.Option(help="random PDQ hashes in the index")] = 200_000,
    queries: Annotated[int, typer.Option()] = 1000,
    radius: Annotated[int, typer.Option()] = 31,
) -> None:
    """Build a PDQ index of random hashes and time exact lookups at RADIUS."""
    rng = np.random.default_rng(7)
    hashes = rng.integers(0, 256, size=(size, 32), dtype=np.uint8)
    started = time.perf_counter()
    index = PdqMihIndex.build(hashes, np.arange(size, dtype=np.int64), max_radius=radius)
    built = time.perf_counter() - started
    probes = [bytes(h).hex() for h in hashes[rng.integers(0, size, queries)]]
    started = time.perf_counter()
    found = sum(len(index.query(p, radius)) for p in probes)
    elapsed = time.perf_counter() - started
    typer.echo(
        json.dumps(
            {
                "index_size": size,
                "build_s": round(built, 3),
                "queries": queries,
                "queries_per_s": round(queries / elapsed, 1),
                "matches": found,
            }
        )
    )
