"""`haechi detections`: which detectors run here, and scoring media reported before they did.

Detector scores are signals for human review; nothing here decides or removes anything.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from haechi.cli.main import container

app = typer.Typer(help="Detectors that route reported media to human review (issue 7).")


@app.command("list")
def list_detectors() -> None:
    """One JSON line per detector: running ones with their version, missing ones with the reason."""
    with container() as c:
        for d in c.detection.registry.all():
            line = {"name": d.name, "version": d.version, "input_kinds": sorted(d.input_kinds)}
            typer.echo(json.dumps(line | {"running": True}, ensure_ascii=False))
        for name, reason in c.detection.registry.missing.items():
            typer.echo(json.dumps({"name": name, "running": False, "reason": reason}))


@app.command("backfill")
def backfill(
    limit: Annotated[int, typer.Option(min=1, max=100_000, help="items at most")] = 1000,
    run: Annotated[bool, typer.Option(help="run the queued jobs here and now")] = False,
) -> None:
    """Queue detection for media items of open cases that no detector has scored yet."""
    with container() as c:
        queued = c.detection.service.backfill(limit=limit)
        typer.echo(f"queued {queued} item(s) for detection")
        if run and queued:
            ran = c.jobs.run_until_idle(timeout_s=3600, kinds=["detect.items"])
            typer.echo(f"ran {ran} detection job(s)")
