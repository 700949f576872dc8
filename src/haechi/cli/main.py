"""The `haechi` command line (Typer). Errors map to exit codes in one place: `run`."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.progress import track

from haechi import bootstrap
from haechi.config import Settings
from haechi.domain.errors import (
    HaechiError,
    InvalidInput,
    MediaTooLarge,
    NotFound,
    UnsupportedMedia,
)
from haechi.services.lookup import LookupOptions
from haechi.services.matching import Hit

app = typer.Typer(help="haechi: hash banks and matching against deepfake sexual-abuse imagery.")
db_app = typer.Typer(help="Database migrations.")
app.add_typer(db_app, name="db")
err = Console(stderr=True)
T = TypeVar("T")

EXIT_CODES: list[tuple[type[HaechiError], int]] = [
    (NotFound, 3),
    (UnsupportedMedia, 4),
    (MediaTooLarge, 5),
    (InvalidInput, 2),
    (HaechiError, 1),
]


@contextmanager
def container(migrate_db: bool = True) -> Iterator[bootstrap.Container]:
    """Build the container, and turn haechi errors into a message and an exit code."""
    built: bootstrap.Container | None = None
    try:
        built = bootstrap.build(Settings(), migrate_db=migrate_db)
        yield built
    except HaechiError as e:
        err.print(f"[red]error:[/red] {e.message}")
        code = next(c for cls, c in EXIT_CODES if isinstance(e, cls))
        raise typer.Exit(code) from None
    finally:
        if built is not None:
            built.close()


def _progress(items: list[T], label: str) -> Iterator[T]:
    if len(items) > 1 and sys.stderr.isatty():
        return iter(track(items, description=label, console=err))
    return iter(items)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="bind address")] = None,
    port: Annotated[int | None, typer.Option()] = None,
    workers: Annotated[int, typer.Option(help="worker processes")] = 1,
) -> None:
    """Run the API server."""
    import uvicorn

    settings = Settings()
    with container():
        pass  # migrate once before workers start
    uvicorn.run(
        "haechi.bootstrap:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_level="info",
    )


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply migrations."""
    with container(migrate_db=False) as c:
        bootstrap.migrate_database(c, revision)


@db_app.command("downgrade")
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION ('base' for an empty database)."""
    with container(migrate_db=False) as c:
        bootstrap.migrate_database(c, revision, down=True)


def _read(path: Path, limit: int) -> bytes:
    if path.stat().st_size > limit:
        raise MediaTooLarge(f"{path}: larger than {limit} bytes")
    return path.read_bytes()


@app.command("hash")
def hash_files(
    files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False)],
    content_type: Annotated[str, typer.Option("--content-type", "-t")] = "photo",
    local: Annotated[
        bool, typer.Option("--local/--no-local", help="offline: no database, nothing leaves here")
    ] = True,
    vpdq: Annotated[
        bool, typer.Option("--vpdq", help="videos: also compute vPDQ here and now (slow)")
    ] = False,
) -> None:
    """Hash files; prints one JSON line per file. Unreadable files are reported and skipped."""
    settings = Settings()
    hashing = bootstrap.local_hashing(settings)
    limit = settings.video_max_bytes if vpdq else settings.max_upload_bytes
    failures = 0
    for path in _progress(files, "hashing"):
        try:
            result = hashing.hash_bytes(
                _read(path, limit), content_type=content_type, deferred=vpdq
            )
        except HaechiError as e:
            failures += 1
            typer.echo(json.dumps({"file": str(path), "error": e.message}))
            continue
        hashes = {k: v.value for k, v in result.hashes.items()}
        quality = {k: v.quality for k, v in result.hashes.items() if v.quality is not None}
        typer.echo(json.dumps({"file": str(path), "hashes": hashes, "quality": quality}))
    if failures:
        raise typer.Exit(4)


@app.command()
def match(
    file: Annotated[Path | None, typer.Argument(exists=True, dir_okay=False)] = None,
    hash_value: Annotated[str | None, typer.Option("--hash")] = None,
    signal_type: Annotated[str, typer.Option("--signal-type", "-s")] = "pdq",
    dihedral: bool = False,
) -> None:
    """Match a file or a hash against the banks; prints matches as JSON."""
    if (file is None) == (hash_value is None):
        err.print("give exactly one of FILE or --hash")
        raise typer.Exit(2)
    with container() as c:
        c.matcher.load()
        options = LookupOptions(bypass_coinflip=True, route="cli.match")
        if hash_value is not None:
            found = {signal_type: c.lookup.lookup_signal(signal_type, hash_value, options)}
        else:
            assert file is not None
            result = c.hashing.hash_bytes(
                _read(file, c.settings.max_upload_bytes), content_type="photo", dihedral=dihedral
            )
            variants = [h.value for h in result.dihedral] or None
            found = c.lookup.lookup_media(result, options, variants).matches
        payload = {st: [_hit(h) for h in hits] for st, hits in found.items()}
        typer.echo(json.dumps(payload))


def _hit(h: Hit) -> dict[str, object]:
    return {"bank": h.bank_name, "content_id": h.content_id, "distance": h.distance}


def _register_subcommands() -> None:
    from haechi.cli import banks, bench, demo, index, tenants

    app.add_typer(banks.app, name="bank")
    app.add_typer(index.app, name="index")
    app.add_typer(tenants.org_app, name="org")
    app.add_typer(tenants.user_app, name="user")
    app.add_typer(tenants.token_app, name="token")
    app.add_typer(tenants.audit_app, name="audit")
    app.command("bench")(bench.bench)
    app.add_typer(demo.app, name="demo")
    from haechi.cli import notices

    app.add_typer(notices.notice_app, name="notice")
    app.add_typer(notices.webhooks_app, name="webhooks")
    from haechi.cli import evidence

    app.add_typer(evidence.evidence_app, name="evidence")
    app.add_typer(evidence.hotline_app, name="hotline")
    from haechi.cli import rooms

    app.add_typer(rooms.rooms_app, name="rooms")
    app.add_typer(rooms.blocklist_app, name="blocklist")
    from haechi.cli import faces

    app.add_typer(faces.faces_app, name="faces")
    from haechi.cli import detections, jobs, scan

    app.add_typer(scan.scan_app, name="scan")
    app.add_typer(detections.app, name="detections")
    app.command("worker")(jobs.worker)
    app.add_typer(jobs.jobs_app, name="jobs")
    from haechi.cli import exchange

    app.add_typer(exchange.app, name="exchange")
    from haechi.cli import backup, connector, transparency

    app.add_typer(connector.connector_app, name="connector")
    backup.register(app)
    app.add_typer(transparency.transparency_app, name="transparency")


_register_subcommands()
