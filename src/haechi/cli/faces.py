"""`haechi faces …`: operator tasks of consented face matching (issue 7).

Enrolment itself happens in the victim-support analyst's screens and API (with the consent
record); the command line only runs the housekeeping that must work from cron or after a key
rotation, and says whether matching is available here.
"""

from __future__ import annotations

import json

import typer

from haechi.cli.main import container

faces_app = typer.Typer(help="Consented victim face matching: expiry, key rotation, status.")


@faces_app.command("status")
def status() -> None:
    """Whether face matching runs here (and why not)."""
    with container() as c:
        with c.uow() as uow:
            templates = uow.faces.count_templates()
        reason = c.faces.unavailable
    typer.echo(json.dumps({"enabled": reason is None, "reason": reason, "templates": templates}))


@faces_app.command("sweep")
def sweep() -> None:
    """End enrolments whose consent expired and delete their templates (audited)."""
    with container() as c:
        ended = c.faces.sweep_expired()
    typer.echo(json.dumps({"expired": ended}))


@faces_app.command("rekey")
def rekey() -> None:
    """Re-seal every template under the current HAECHI_FACE_TEMPLATE_KEY (keep the old key in
    HAECHI_FACE_TEMPLATE_PREVIOUS_KEYS until this has run)."""
    with container() as c:
        changed = c.faces.enrolment.rekey()
    typer.echo(json.dumps({"resealed": changed}))
