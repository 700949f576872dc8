"""`haechi transparency report`: an organisation's transparency report for a period, to a file.

The command acts as an auditor of the named organisation (label `cli`), so the report is exactly
the one that organisation would get over the API, and making it is audited.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from haechi.bootstrap.transparency import build_transparency
from haechi.cli.main import container
from haechi.domain.tenancy import Principal, Role
from haechi.domain.transparency import Period
from haechi.services.transparency import FORMATS, check_format

transparency_app = typer.Typer(help="Transparency reports.")


@transparency_app.command("report")
def report(
    org: Annotated[str, typer.Option(help="the organisation the report is about")],
    start: Annotated[str, typer.Option("--from", help="first day, YYYY-MM-DD (UTC)")],
    end: Annotated[str, typer.Option("--to", help="day after the last, YYYY-MM-DD (UTC)")],
    out: Annotated[Path, typer.Option(help="file to write")],
    fmt: Annotated[str, typer.Option("--format", help=" | ".join(FORMATS))] = "json",
) -> None:
    """Write the report; prints the file name and its size."""
    with container() as c:
        fmt = check_format(fmt)
        period = Period.parse(start, end)
        viewer = Principal.of(c.auth.org(org), frozenset({Role.AUDITOR}), label="cli")
        rendered = build_transparency(c.engine, c.uow).render(
            viewer, org=None, period=period, fmt=fmt
        )
        out.write_bytes(rendered.data)
        typer.echo(f"{out} ({len(rendered.data)} bytes, {rendered.media_type})")
