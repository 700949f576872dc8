"""The notices web UI for each role: the regulator's form and board, the platform's inbox with
acknowledge and per-item outcome forms, and nothing for anyone else."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from haechi.domain.tenancy import Role
from tests.conftest import LiveServer
from tests.fixtures.notices import PDQ

PASSWORD = "a long password"
USERS = {
    "analyst@kcsc.example": ("KCSC", Role.ANALYST),
    "agent@telegram.example": ("Telegram", Role.PLATFORM_AGENT),
    "agent@signal.example": ("Signal", Role.PLATFORM_AGENT),
    "cop@police.example": ("KNPA", Role.INVESTIGATOR),
}


def seed(live_server: LiveServer) -> None:
    auth = live_server.app.state.container.auth
    auth.create_org("KCSC", "regulator", "Asia/Seoul")
    auth.create_org("Telegram", "platform", "UTC")
    auth.create_org("Signal", "platform", "America/New_York")
    auth.create_org("KNPA", "police", "Asia/Seoul")
    for email, (org, role) in USERS.items():
        auth.create_user(org=org, email=email, password=PASSWORD, roles=frozenset({role}))


OPEN: list[httpx.Client] = []


@pytest.fixture(autouse=True)
def close_clients() -> Iterator[None]:
    yield
    while OPEN:
        OPEN.pop().close()


def sign_in(live_server: LiveServer, email: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=live_server.url, timeout=30, follow_redirects=False)
    OPEN.append(client)
    r = client.post("/ui/login", data={"email": email, "password": PASSWORD})
    assert r.status_code == 303, r.text
    home = client.get("/ui/")
    csrf = re.search(r'name="csrf" value="([^"]+)"', home.text)
    assert csrf is not None
    return client, csrf.group(1)


def test_regulator_sends_platform_answers_board_shows_it(live_server: LiveServer) -> None:
    seed(live_server)
    reg, reg_csrf = sign_in(live_server, "analyst@kcsc.example")
    assert (
        'href="/ui/notices"' in reg.get("/ui/").text and 'href="/ui/board"' in reg.get("/ui/").text
    )
    form = reg.get("/ui/notices/new")
    assert form.status_code == 200 and '<option value="Telegram"' in form.text
    assert '<option value="KNPA"' not in form.text
    fields = {
        "csrf": reg_csrf,
        "platform": "Telegram",
        "policy": "kcsc_24h",
        "legal_ground": "Art. 14-2",
        "hashes": f"pdq:{PDQ}\n",
        "urls": "https://t.me/room/1\nhttps://t.me/room/2",
        "rooms": "https://t.me/room",
    }
    bad = reg.post("/ui/notices/new", data=fields | {"hashes": "pdq:nothex"})
    assert (
        bad.status_code == 400 and "hexadecimal" in bad.text and "https://t.me/room/2" in bad.text
    )
    assert reg.post("/ui/notices/new", data=fields | {"csrf": "wrong"}).status_code == 403
    sent = reg.post("/ui/notices/new", data=fields)
    assert sent.status_code == 303
    page = reg.get(sent.headers["location"])
    assert page.status_code == 200 and "due in 59 min" in page.text and "KST" in page.text
    assert "Acknowledge</button>" not in page.text  # the sender cannot answer
    nid = int(sent.headers["location"].rsplit("/", 1)[1])

    agent, csrf = sign_in(live_server, "agent@telegram.example")
    inbox = agent.get("/ui/notices")
    assert inbox.status_code == 200 and f'href="/ui/notices/{nid}"' in inbox.text
    assert "New notice" not in inbox.text
    assert agent.get("/ui/notices/new").status_code == 403
    detail = agent.get(f"/ui/notices/{nid}")
    assert "Acknowledge</button>" in detail.text and "UTC" in detail.text
    item_ids = [int(i) for i in re.findall(r'name="outcome_(\d+)"', detail.text)]
    assert len(item_ids) == 4
    assert agent.post(f"/ui/notices/{nid}/acknowledge", data={"csrf": csrf}).status_code == 303
    refused = {"csrf": csrf, f"outcome_{item_ids[0]}": "refused"}
    r = agent.post(f"/ui/notices/{nid}/outcomes", data=refused)
    assert r.status_code == 400 and "refusal needs a reason" in r.text
    answers = {"csrf": csrf} | {f"outcome_{i}": "removed" for i in item_ids}
    assert agent.post(f"/ui/notices/{nid}/outcomes", data=answers).status_code == 303
    assert "acted" in agent.get(f"/ui/notices/{nid}").text

    board = reg.get("/ui/board")
    assert board.status_code == 200 and "4 of 4 removed" in board.text
    assert 'hx-trigger="every 5s"' in board.text and "<html" in board.text
    fragment = reg.get("/ui/board", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert fragment.text.lstrip().startswith("{#") is False and 'id="board"' in fragment.text


def test_other_tenants_and_roles_see_nothing(live_server: LiveServer) -> None:
    seed(live_server)
    reg, csrf = sign_in(live_server, "analyst@kcsc.example")
    fields = {"csrf": csrf, "platform": "Telegram", "legal_ground": "x", "urls": "https://t.me/a/1"}
    nid = reg.post("/ui/notices/new", data=fields).headers["location"].rsplit("/", 1)[1]

    other, other_csrf = sign_in(live_server, "agent@signal.example")
    assert f"/ui/notices/{nid}" not in other.get("/ui/notices").text
    assert other.get(f"/ui/notices/{nid}").status_code == 404
    assert (
        other.post(f"/ui/notices/{nid}/acknowledge", data={"csrf": other_csrf}).status_code == 404
    )
    assert "0 of" not in other.get("/ui/board").text

    cop, _ = sign_in(live_server, "cop@police.example")
    assert 'href="/ui/notices"' not in cop.get("/ui/").text
    assert cop.get("/ui/notices").status_code == 403
    assert cop.get("/ui/board").status_code == 403

    anonymous = httpx.Client(base_url=live_server.url, follow_redirects=False)
    OPEN.append(anonymous)
    assert anonymous.get("/ui/notices").headers["location"] == "/ui/login"
