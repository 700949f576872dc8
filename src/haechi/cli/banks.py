"""`haechi bank …`: create, list, import and export banks from the command line."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from haechi.cli.main import container

app = typer.Typer(help="Manage hash banks.")


@app.command("create")
def create(
    name: str,
    pdq_threshold: Annotated[int | None, typer.Option(help="PDQ distance threshold")] = None,
    disabled: bool = False,
    description: str | None = None,
) -> None:
    """Create a bank (NAME is UPPER_WITH_UNDERSCORE)."""
    with container() as c:
        thresholds = {} if pdq_threshold is None else {"pdq": pdq_threshold}
        bank = c.banks.create_bank(
            name,
            matching_enabled_ratio=0.0 if disabled else 1.0,
            thresholds=thresholds,
            description=description,
        )
        typer.echo(json.dumps({"name": bank.name, "enabled": bank.enabled}))


@app.command("list")
def list_banks() -> None:
    """List banks with their item counts."""
    with container() as c:
        for bank in c.banks.list_banks():
            total = c.banks.page_content(bank.name, limit=1).total
            row = {"name": bank.name, "enabled": bank.enabled, "items": total}
            row["thresholds"] = bank.thresholds
            typer.echo(json.dumps(row))


@app.command("import")
def import_file(
    name: str,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    fmt: Annotated[str | None, typer.Option("--format", help="csv or json")] = None,
) -> None:
    """Import hashes from a CSV or JSON-lines FILE; all rows or none."""
    chosen = fmt or ("json" if file.suffix in (".json", ".jsonl", ".ndjson") else "csv")
    with container() as c:
        report = c.transfer.import_text(
            name, file.read_text(encoding="utf-8-sig"), fmt=chosen, source=f"cli:{file.name}"
        )
        typer.echo(json.dumps(dataclasses.asdict(report)))


@app.command("export")
def export(
    name: str,
    fmt: Annotated[str, typer.Option("--format", help="csv or json")] = "csv",
    out: Annotated[Path | None, typer.Option("--out", "-o")] = None,
) -> None:
    """Export a bank's hashes to stdout or --out."""
    with container() as c:
        c.banks.get_bank(name)
        stream = out.open("w", encoding="utf-8") if out else sys.stdout
        try:
            for chunk in c.transfer.export_text(name, fmt=fmt):
                stream.write(chunk)
        finally:
            if out:
                stream.close()
