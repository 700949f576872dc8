"""Bearer tokens: required when open access is off; health checks stay public."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from haechi.config import Settings
from tests.conftest import make_settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path, open_access=False, api_tokens=["s3cret-token"])


@pytest.fixture
def anon(api: httpx.Client) -> Iterator[httpx.Client]:
    yield api


def test_routes_need_a_token(anon: httpx.Client) -> None:
    assert anon.get("/status").status_code == 200
    assert anon.get("/status/live").status_code == 200
    for method, path in [
        ("GET", "/c/banks"),
        ("GET", "/m/raw_lookup?signal=0&signal_type=pdq"),
        ("POST", "/c/banks"),
        ("GET", "/api/v1/banks"),
    ]:
        r = anon.request(method, path, json={"name": "X"})
        assert r.status_code == 401, path
        assert r.headers["www-authenticate"] == "Bearer"
    bad = anon.get("/c/banks", headers={"Authorization": "Bearer wrong"})
    assert bad.status_code == 401


def test_a_valid_token_works(anon: httpx.Client) -> None:
    headers = {"Authorization": "Bearer s3cret-token"}
    assert anon.post("/c/banks", json={"name": "X"}, headers=headers).status_code == 201
    assert anon.get("/c/banks", headers=headers).json() == [
        {"name": "X", "matching_enabled_ratio": 1.0}
    ]


def test_production_refuses_unsafe_settings(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="open_access"):
        make_settings(tmp_path, environment="production")
    with pytest.raises(ValueError, match="token"):
        make_settings(tmp_path, environment="production", open_access=False)
    with pytest.raises(ValueError, match="private"):
        make_settings(
            tmp_path,
            environment="production",
            open_access=False,
            api_tokens=["t"],
            fetch_allow_private=True,
        )
