"""`haechi backup OUT`, `haechi backup verify FILE` and `haechi restore FILE` (issue 10)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from haechi.bootstrap import backup as backups
from haechi.config import Settings
from haechi.domain.errors import HaechiError

INCLUDE_KEYS_HELP = "also archive the private keys (evidence signing, blocklists, face templates)"


def _fail(e: HaechiError) -> typer.Exit:
    typer.echo(f"error: {e.message}", err=True)
    return typer.Exit(2)


def backup(
    target: Annotated[str, typer.Argument(help="archive to write (.tar.gz), or `verify`")],
    archive: Annotated[Path | None, typer.Argument(help="with `verify`: the archive")] = None,
    include_keys: Annotated[bool, typer.Option(help=INCLUDE_KEYS_HELP)] = False,
) -> None:
    """Write a verifiable backup while the server runs (`haechi backup verify FILE` checks one)."""
    if target == "verify":
        if archive is None:
            raise typer.BadParameter("name the archive: haechi backup verify FILE")
        try:
            manifest = backups.verify(archive)
        except HaechiError as e:
            raise _fail(e) from None
        rows = sum(manifest["tables"].values())
        typer.echo(json.dumps({"ok": True, "rows": rows, "files": len(manifest["files"])}))
        return
    if archive is not None:
        raise typer.BadParameter("one archive to write")
    summary = backups.backup(Settings(), Path(target), include_keys=include_keys)
    typer.echo(
        json.dumps(
            {
                "archive": str(summary.path),
                "bytes": summary.size_bytes,
                "seconds": round(summary.seconds, 3),
                "rows": summary.rows,
                "tables": summary.tables,
                "blobs": summary.blobs,
                "includes_keys": summary.includes_keys,
            }
        )
    )
    if not include_keys:
        typer.echo("note: private keys are not in the archive; keep them separately", err=True)


def restore(
    archive: Annotated[Path, typer.Argument(help="a backup made by `haechi backup`")],
    force: Annotated[bool, typer.Option(help="replace the data of a non-empty database")] = False,
) -> None:
    """Restore into an empty database, then check row counts and the audit chain, and re-index."""
    try:
        summary = backups.restore(Settings(), archive, force=force)
    except HaechiError as e:
        raise _fail(e) from None
    typer.echo(
        json.dumps(
            {
                "ok": True,
                "rows": summary.rows,
                "blobs": summary.blobs,
                "audit_entries": summary.audit_entries,
                "indexed_hashes": summary.indexed,
                "seconds": round(summary.seconds, 3),
            }
        )
    )


def register(app: typer.Typer) -> None:
    app.command("backup")(backup)
    app.command("restore")(restore)
