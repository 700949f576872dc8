"""Password guessing on the web sign-in is bounded per source and per account (issue 10)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from haechi.domain.tenancy import Role
from tests.conftest import LiveServer, make_settings

PASSWORD = "correct-horse-battery"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    with LiveServer(make_settings(tmp_path, login_failures_per_hour=3)) as live:
        auth = live.app.state.container.auth
        auth.create_org("KCSC", "regulator", "Asia/Seoul")
        auth.create_user(
            org="KCSC",
            email="analyst@kcsc.example",
            password=PASSWORD,
            roles=frozenset({Role.ANALYST}),
        )
        yield live


def _login(base: str, email: str, password: str) -> httpx.Response:
    data = {"email": email, "password": password}
    return httpx.post(f"{base}/ui/login", data=data, follow_redirects=False, timeout=30)


def test_failures_lock_the_account_and_source_for_the_hour_and_nothing_leaks(
    server: LiveServer,
) -> None:
    assert _login(server.url, "analyst@kcsc.example", PASSWORD).status_code == 303
    for _ in range(3):
        assert _login(server.url, "analyst@kcsc.example", "wrong-password-123").status_code == 401
    # the right password no longer helps: guessing is stopped before the password is checked
    locked = _login(server.url, "ANALYST@kcsc.example", PASSWORD)
    assert locked.status_code == 429
    assert "too many failed sign-ins" in locked.text
    assert "set-cookie" not in {k.lower() for k in locked.headers}
    # the same source guessing another account is refused too (per-source budget)
    assert _login(server.url, "other@kcsc.example", "wrong-password-123").status_code == 429


def test_successful_sign_ins_do_not_count(server: LiveServer) -> None:
    for _ in range(6):
        assert _login(server.url, "analyst@kcsc.example", PASSWORD).status_code == 303
