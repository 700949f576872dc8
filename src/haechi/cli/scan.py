"""`haechi scan SOURCE` and `haechi scan status [RUN]`: bulk scans of a media store.

`haechi scan /srv/media` hashes every file under the directory (or `s3://bucket/prefix`, with the
usual AWS_* variables, AWS_ENDPOINT_URL for an S3-compatible store), matches the hashes against
the banks and records match events with the scan as the caller. Run it again on the same source,
or with `--resume RUN`, after an interruption: finished files are not hashed again. Progress goes
to stderr; the summary is one JSON line on stdout.
"""

from __future__ import annotations

import json
import time
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from typer.core import TyperGroup

from haechi.bootstrap import scan as scan_parts
from haechi.cli.main import container, err
from haechi.domain.errors import InvalidInput
from haechi.domain.scans import ScanRun
from haechi.services.scan import ScanProgress, ScanRequest


class _DefaultToRun(TyperGroup):
    """`haechi scan SOURCE ...` means `haechi scan run SOURCE ...`; `status` stays a command."""

    # Any: Typer vendors its own click, whose Context is not public API
    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


class Engine(StrEnum):
    local = "local"
    ray = "ray"


scan_app = typer.Typer(
    cls=_DefaultToRun,
    no_args_is_help=True,
    help="Bulk scans: hash and match every file of a directory tree or bucket, resumably. "
    "`haechi scan SOURCE` is short for `haechi scan run SOURCE`.",
)


@scan_app.command("run")
def run(
    source: Annotated[
        str | None, typer.Argument(help="directory, file:// or s3://bucket/prefix URL")
    ] = None,
    engine: Annotated[Engine, typer.Option(help="local: in-process; ray: Ray Data")] = Engine.local,
    resume: Annotated[int | None, typer.Option(help="continue this run")] = None,
    new: Annotated[bool, typer.Option("--new", help="start afresh even if unfinished")] = False,
    force: Annotated[
        bool, typer.Option("--force", help="resume even if its process looks alive")
    ] = False,
    batch: Annotated[int | None, typer.Option(min=1, help="files per commit")] = None,
    workers: Annotated[int | None, typer.Option(min=1, help="local engine threads")] = None,
) -> None:
    """Scan SOURCE (or continue its unfinished run); prints a JSON summary."""
    with container() as c:
        if source is None:
            if resume is None:
                raise InvalidInput("give SOURCE, or --resume RUN")
            source = c.scans.get(resume).source
        c.matcher.load(c.snapshots())
        request = ScanRequest(
            source=scan_parts.media_source(source),
            engine=scan_parts.scan_engine(c.settings, engine.value, workers=workers),
            resume=resume,
            fresh=new,
            force=force,
            batch_size=batch or c.settings.scan_batch_size,
            requester="cli",
        )
        bar = _Bar()
        started = time.monotonic()
        with bar.progress:
            finished = c.scans.run(request, on_progress=bar.update)
        _report(finished, bar.last, time.monotonic() - started)


@scan_app.command("status")
def status(
    run_id: Annotated[int | None, typer.Argument(metavar="[RUN]", help="one run in detail")] = None,
    files: Annotated[
        str | None, typer.Option(help="also list files: 'matched' or 'failed'")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 100,
) -> None:
    """Recent scan runs (one JSON line each), or RUN with its matched or failed files."""
    if files not in (None, "matched", "failed"):
        raise typer.BadParameter("--files takes 'matched' or 'failed'")
    with container() as c:
        if run_id is None:
            for one in c.scans.list_runs(limit=limit):
                typer.echo(json.dumps(_run_json(one)))
            return
        typer.echo(json.dumps(_run_json(c.scans.get(run_id))))
        if files is None:
            return
        for f in c.scans.files(
            run_id, matched_only=files == "matched", failed_only=files == "failed", limit=limit
        ):
            hits = [{"bank": h.bank, "content_id": h.content_id, "signal_type": h.signal_type,
                     "distance": h.distance} for h in f.hits]  # fmt: skip
            line = {"path": f.path, "status": f.status.value, "hits": hits, "error": f.error}
            typer.echo(json.dumps(line))


class _Bar:
    """A rich progress bar on stderr (silent when stderr is not a terminal)."""

    def __init__(self) -> None:
        self.progress = Progress(
            TextColumn("scanning"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[matched]} matched, {task.fields[failed]} failed"),
            TimeRemainingColumn(),
            console=err,
            disable=not err.is_terminal,
        )
        self._task = self.progress.add_task("scan", total=None, matched=0, failed=0)
        self.last: ScanProgress | None = None

    def update(self, p: ScanProgress) -> None:
        self.last = p
        self.progress.update(
            self._task,
            total=p.total,
            completed=p.already_done + p.done,
            matched=p.matched,
            failed=p.failed,
        )


def _report(run: ScanRun, last: ScanProgress | None, elapsed: float) -> None:
    summary = _summary(run, last, elapsed)
    err.print(
        f"scan run {run.id}: {summary['files']} files ({summary['already_done']} done before), "
        f"{run.files_matched} matched, {run.files_failed} failed, {run.files_skipped} not media, "
        f"{summary['files_per_s']} files/s"
    )
    typer.echo(json.dumps(summary))


def _summary(run: ScanRun, last: ScanProgress | None, elapsed: float) -> dict[str, Any]:
    done_now = last.done if last else 0
    return {
        "run": run.id,
        "source": run.source,
        "engine": run.engine,
        "files": run.files_total,
        "already_done": last.already_done if last else 0,
        "scanned": done_now,
        "matched": run.files_matched,
        "failed": run.files_failed,
        "skipped": run.files_skipped,
        "rescanned": run.rescanned,
        "seconds": round(elapsed, 3),
        "files_per_s": round(done_now / elapsed, 1) if elapsed > 0 else 0.0,
    }


def _run_json(run: ScanRun) -> dict[str, Any]:
    return {
        "run": run.id,
        "source": run.source,
        "engine": run.engine,
        "status": run.status.value,
        "files": run.files_total,
        "done": run.files_done,
        "matched": run.files_matched,
        "failed": run.files_failed,
        "skipped": run.files_skipped,
        "rescanned": run.rescanned,
        "resumes": run.resumes,
        "files_per_s": round(run.files_per_s, 1),
        "started_at": run.started_at,
        "updated_at": run.updated_at,
        "finished_at": run.finished_at,
    }
