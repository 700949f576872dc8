"""Credentials at rest and in logs, and the settings a production instance refuses."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from haechi.config import Settings
from haechi.domain.credentials import hash_token
from haechi.domain.tenancy import Role
from tests.conftest import LiveServer, make_settings
from tests.fixtures.cases import PASSWORD, seed

STRONG = "x" * 40
KEY = "MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE="  # base64 of 32 bytes


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path, open_access=False, api_tokens=[STRONG])


def _all_text(server: LiveServer) -> str:
    """Every value of every row of the credential and audit tables, as one string."""
    engine = server.app.state.container.engine
    with engine.connect() as conn:
        tables = ("api_token", "web_session", "app_user", "audit_entry")
        rows = [conn.execute(sa.text(f"SELECT * FROM {t}")).all() for t in tables]
    return "\n".join(repr(tuple(row)) for table in rows for row in table)


def test_tokens_sessions_and_passwords_are_stored_hashed(
    live_server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")  # every statement and parameters
    c = live_server.app.state.container
    seed(c)
    token = c.auth.create_token(org="KCSC", name="platform", roles=frozenset({Role.ANALYST}))
    with httpx.Client(base_url=live_server.url, timeout=30) as client:
        assert client.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"}).is_success
        wrong = {"email": "analyst@kcsc.example", "password": "wrong password, logged?"}
        assert client.post("/ui/login", data=wrong).status_code == 401
        ok = client.post("/ui/login", data={"email": "analyst@kcsc.example", "password": PASSWORD})
        session = ok.cookies["haechi_session"]
        assert client.get("/ui/").status_code == 200
    stored = _all_text(live_server)
    assert hash_token(token) in stored and hash_token(session) in stored
    # the server's records (the test's own HTTP client logs the cookies it receives)
    server_side = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    logged = "\n".join(r.getMessage() + repr(r.args) for r in server_side)
    assert "api_token" in logged, "SQL logging was captured"
    for secret in (token, session, PASSWORD, wrong["password"], STRONG):
        assert secret not in stored, "a credential is stored in plain text"
        assert secret not in logged, "a credential reached the logs"


def _production(tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "environment": "production",
        "open_access": False,
        "api_tokens": [STRONG],
        "webhook_secret_key": STRONG,
        "face_template_key": KEY,
    }
    values.update(overrides)
    return make_settings(tmp_path, **values)


def test_a_safe_production_configuration_is_accepted(tmp_path: Path) -> None:
    assert _production(tmp_path).environment == "production"


@pytest.mark.parametrize(
    ("override", "complaint"),
    [
        ({"open_access": True}, "open_access"),
        ({"api_tokens": []}, "token"),
        ({"api_tokens": [STRONG, "short"]}, "weak token"),
        ({"fetch_allow_private": True}, "private"),
        ({"webhook_secret_key": None}, "WEBHOOK_SECRET_KEY"),
        ({"webhook_secret_key": "too-short"}, "WEBHOOK_SECRET_KEY"),
        ({"face_template_key": None}, "FACE_TEMPLATE_KEY"),
    ],
)
def test_production_refuses_unsafe_settings(
    tmp_path: Path, override: dict[str, object], complaint: str
) -> None:
    with pytest.raises(ValueError, match=complaint):
        _production(tmp_path, **override)


def test_demo_data_cannot_be_loaded_into_production(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from haechi.cli.main import app

    env = {
        "HAECHI_ENVIRONMENT": "production",
        "HAECHI_OPEN_ACCESS": "false",
        "HAECHI_API_TOKENS": f'["{STRONG}"]',
        "HAECHI_WEBHOOK_SECRET_KEY": STRONG,
        "HAECHI_FACE_TEMPLATE_KEY": KEY,
        "HAECHI_DATABASE_URL": f"sqlite:///{tmp_path / 'prod.db'}",
        "HAECHI_BLOB_DIR": str(tmp_path / "blobs"),
    }
    result = CliRunner().invoke(app, ["demo", "load"], env=env)
    assert result.exit_code != 0
    assert "production" in (result.output + str(result.exception)).lower()
