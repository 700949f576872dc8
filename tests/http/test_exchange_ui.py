"""The exchange page: a regulator sees the feedback on its shared hashes (misfire rate); any
organisation's exchange admin approves or rejects held hashes in bulk, with the session's CSRF."""

from __future__ import annotations

import re

import httpx

from haechi.domain.federation import SourceKind
from haechi.domain.tenancy import Role
from haechi.services.federation_poll import PollService
from haechi.services.federation_sources import SourceInput
from haechi.services.ports import NewContent
from haechi.services.ports_federation import RemotePage
from tests.conftest import LiveServer
from tests.fixtures.cases import BANK, PASSWORD, principal, seed
from tests.fixtures.exchange import ScriptedClient, ScriptedSource, add, md5


def sign_in(server: LiveServer, email: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=server.url, timeout=30)
    assert client.post("/ui/login", data={"email": email, "password": PASSWORD}).status_code == 303
    page = client.get("/ui/exchange")
    assert page.status_code == 200, page.text
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    return client, token.group(1) if token else ""


def test_feedback_table_and_bulk_review(live_server: LiveServer) -> None:
    c = live_server.app.state.container
    seed(c)
    regulator = principal(c, "analyst@kcsc.example")
    c.federation.publisher.grant(regulator, org_name="Telegram", bank_name=BANK)
    shared = c.banks.add_content(BANK, NewContent(signals={"md5": md5(7)})).id
    telegram = principal(c, "agent@tg.example")
    c.federation.publisher.feed(telegram, since=None)
    c.federation.publisher.receive_feedback(telegram, [(str(shared), "false_positive")])

    # the flagger subscribes to some source in review mode and receives three hashes
    flagger = principal(c, "flag@flagger.example")
    c.banks.create_bank("FROM_PEER")
    c.federation.sources.add(
        flagger,
        SourceInput(name="peer", kind="haechi", url="https://peer.example", bank="FROM_PEER"),
    )
    script = ScriptedSource([RemotePage([add(1), add(2), add(3)], "hx1.3", more=False)])
    poller = PollService(
        uow_factory=c.uow, banks=c.banks, sources=c.federation.sources,
        clients={SourceKind.HAECHI: ScriptedClient(script)}, default_flood_per_hour=10,
    )  # fmt: skip
    poller.poll("peer")

    kcsc, _ = sign_in(live_server, "analyst@kcsc.example")
    try:
        page = kcsc.get("/ui/exchange").text
        assert "Feedback on shared hashes" in page and "100 %" in page
        assert "No bank write is held." in page  # flood control of direct writes is off here
        assert "Nothing is held." in page  # the flagger's held hashes are not KCSC's
    finally:
        kcsc.close()

    flag, csrf = sign_in(live_server, "flag@flagger.example")
    try:
        page = flag.get("/ui/exchange").text
        assert "Feedback on shared hashes" not in page  # not a publisher
        ids = re.findall(r'name="ids" value="(\d+)"', page)
        assert len(ids) == 3
        refused = flag.post("/ui/exchange/held", data={"ids": ids[:2], "action": "approve"})
        assert refused.status_code == 403  # no CSRF token
        done = flag.post(
            "/ui/exchange/held", data={"ids": ids[:2], "action": "approve", "csrf": csrf}
        )
        assert done.status_code == 303
        assert len(re.findall(r'name="ids"', flag.get("/ui/exchange").text)) == 1
    finally:
        flag.close()
    assert c.matcher.query("md5", md5(1)) and not c.matcher.query("md5", md5(3))
    assert Role.PLATFORM_AGENT not in flagger.roles
