"""`haechi index …`: write the matcher snapshot replicas start from (no pickle, see adapters)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from haechi.adapters.index.matcher_snapshot import DirectorySnapshotStore
from haechi.cli.main import container

app = typer.Typer(help="Matching index snapshots.")


@app.command("snapshot")
def snapshot(
    directory: Annotated[
        Path | None, typer.Option("--dir", help="defaults to HAECHI_INDEX_SNAPSHOT_DIR")
    ] = None,
) -> None:
    """Build the index from the database (or the previous snapshot) and save it."""
    with container() as c:
        target = directory or c.settings.index_snapshot_dir
        if target is None:
            raise typer.BadParameter("give --dir or set HAECHI_INDEX_SNAPSHOT_DIR")
        store = DirectorySnapshotStore(target)
        c.matcher.load(store)
        seq = c.matcher.save_snapshot(store)
        sizes = {name: s.size for name, s in c.matcher.status().items()}
        typer.echo(json.dumps({"dir": str(target), "seq": seq, "sizes": sizes}))
