"""`haechi notice list` and `haechi webhooks deliver`: notices at a glance, webhooks from a worker.

`notice list` reads as an auditor of the named organisation (so it sees exactly what that
organisation sees, and the read is audited as `cli`). `webhooks deliver` sends what is due once,
or keeps running (`--loop`) as a separate worker when the server's own thread is switched off
(`HAECHI_WEBHOOK_DELIVER_INTERVAL_S=0`).
"""

from __future__ import annotations

import json
import threading
from typing import Annotated

import typer

from haechi.cli.main import container
from haechi.domain.tenancy import Principal, Role
from haechi.jobs.webhook_delivery import deliver_once, run_deliverer

notice_app = typer.Typer(help="Takedown notices.")
webhooks_app = typer.Typer(help="Signed webhooks.")


@notice_app.command("list")
def notice_list(
    org: Annotated[str, typer.Option(help="the organisation whose notices to list")],
    open_only: Annotated[bool, typer.Option("--open", help="only notices not acted on")] = False,
    limit: int = 100,
) -> None:
    """One JSON line per notice the organisation sent or received, newest first."""
    with container() as c:
        viewer = Principal.of(c.auth.org(org), frozenset({Role.AUDITOR}), label="cli")
        for n in c.notices.list_notices(viewer, open_only=open_only, limit=limit):
            line = {
                "id": n.id,
                "from": n.from_org,
                "to": n.to_org,
                "stage": n.stage.value,
                "policy": n.policy.name,
                "items": len(n.items),
                "answered": n.answered,
                "sent_at": n.sent_at,
                "ack_due_at": n.ack_due_at,
                "act_due_at": n.act_due_at,
            }
            typer.echo(json.dumps(line))


@webhooks_app.command("deliver")
def webhooks_deliver(
    loop: Annotated[bool, typer.Option("--loop", help="keep running until interrupted")] = False,
    interval: Annotated[float, typer.Option(help="seconds between rounds with --loop")] = 2.0,
) -> None:
    """Raise due SLA escalations and send due webhooks (retries included); prints JSON."""
    with container() as c:
        if loop:
            stop = threading.Event()
            try:
                run_deliverer(
                    c.webhooks,
                    interval_s=interval,
                    stop=stop,
                    wake=c.webhook_wake,
                    sweep=c.notices.escalate_overdue,
                )
            except KeyboardInterrupt:
                stop.set()
            return
        escalated = c.notices.escalate_overdue()
        run = deliver_once(c.webhooks)
        counts = {"escalated": escalated, "delivered": run.delivered}
        typer.echo(json.dumps(counts | {"retrying": run.retrying, "failed": run.failed}))
