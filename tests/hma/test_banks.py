"""Bank curation (`/c/banks`, `/c/bank/<name>`): naming rules, create, show, update, delete."""

from __future__ import annotations

import httpx

from tests.hma.conftest import create_bank, error_message


def test_banks_empty_index(api: httpx.Client) -> None:
    response = api.get("/c/banks")
    assert response.status_code == 200
    assert response.json() == []


def test_banks_create(api: httpx.Client) -> None:
    for bad_name in ("01_TEST_BANK", "my_test_bank", "MY TEST BANK", "MY-BANK", ""):
        response = api.post("/c/banks", json={"name": bad_name})
        assert response.status_code == 400, bad_name
        error_message(response)

    response = api.post("/c/banks", json={"name": "MY_TEST_BANK_01"})
    assert response.status_code == 201
    assert response.json() == {"matching_enabled_ratio": 1.0, "name": "MY_TEST_BANK_01"}

    listed = api.get("/c/banks")
    assert listed.status_code == 200
    assert listed.json() == [response.json()]


def test_banks_create_duplicate_is_forbidden(api: httpx.Client) -> None:
    create_bank(api, "TAKEN")
    response = api.post("/c/banks", json={"name": "TAKEN"})
    assert response.status_code == 403
    error_message(response)
    assert len(api.get("/c/banks").json()) == 1


def test_banks_create_needs_a_name(api: httpx.Client) -> None:
    assert api.post("/c/banks", json={}).status_code == 422
    assert api.post("/c/banks", json={"enabled": True}).status_code == 422


def test_banks_create_with_enablement(api: httpx.Client) -> None:
    ratio = api.post("/c/banks", json={"name": "PARTIAL", "enabled_ratio": 0.25})
    assert ratio.status_code == 201
    assert ratio.json() == {"name": "PARTIAL", "matching_enabled_ratio": 0.25}

    # HMA ignores `enabled` here (its enabled_ratio defaults to 1.0 and wins); we honour it
    disabled = api.post("/c/banks", json={"name": "OFF", "enabled": False})
    assert disabled.status_code == 201
    assert disabled.json() == {"name": "OFF", "matching_enabled_ratio": 0.0}

    enabled = api.post("/c/banks", json={"name": "ON", "enabled": True})
    assert enabled.json() == {"name": "ON", "matching_enabled_ratio": 1.0}

    for bad_ratio in (1.5, -0.1):
        response = api.post("/c/banks", json={"name": "BAD_RATIO", "enabled_ratio": bad_ratio})
        assert response.status_code == 400, bad_ratio
        error_message(response)


def test_bank_show(api: httpx.Client) -> None:
    create_bank(api, "SHOWN")
    response = api.get("/c/bank/SHOWN")
    assert response.status_code == 200
    assert response.json() == {"name": "SHOWN", "matching_enabled_ratio": 1.0}

    missing = api.get("/c/bank/NOT_THERE")
    assert missing.status_code == 404
    assert "NOT_THERE" in error_message(missing)


def test_banks_update(api: httpx.Client) -> None:
    create_bank(api, "MY_TEST_BANK")

    invalid = api.put("/c/bank/MY_TEST_BANK", json={"name": "1_invalid_name"})
    assert invalid.status_code == 400
    error_message(invalid)

    renamed = api.put("/c/bank/MY_TEST_BANK", json={"name": "MY_TEST_BANK_RENAMED"})
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "MY_TEST_BANK_RENAMED"
    assert api.get("/c/bank/MY_TEST_BANK").status_code == 404

    disabled = api.put("/c/bank/MY_TEST_BANK_RENAMED", json={"enabled": False})
    assert disabled.status_code == 200
    assert disabled.json()["matching_enabled_ratio"] == 0

    halved = api.put("/c/bank/MY_TEST_BANK_RENAMED", json={"enabled_ratio": 0.5})
    assert halved.status_code == 200
    assert halved.json()["matching_enabled_ratio"] == 0.5

    listed = api.get("/c/banks")
    assert listed.status_code == 200
    assert listed.json() == [{"name": "MY_TEST_BANK_RENAMED", "matching_enabled_ratio": 0.5}]


def test_banks_update_errors(api: httpx.Client) -> None:
    missing = api.put("/c/bank/NOT_THERE", json={"enabled": True})
    assert missing.status_code == 404
    error_message(missing)

    create_bank(api, "FIRST")
    create_bank(api, "SECOND")
    clash = api.put("/c/bank/SECOND", json={"name": "FIRST"})
    assert clash.status_code == 403
    error_message(clash)

    out_of_range = api.put("/c/bank/SECOND", json={"enabled_ratio": 2})
    assert out_of_range.status_code == 400
    error_message(out_of_range)

    enabled = api.put("/c/bank/SECOND", json={"enabled": True})
    assert enabled.json() == {"name": "SECOND", "matching_enabled_ratio": 1.0}


def test_banks_delete(api: httpx.Client) -> None:
    create_bank(api, "MY_TEST_BANK")

    response = api.delete("/c/bank/MY_TEST_BANK")
    assert response.status_code == 200
    assert response.json() == {"message": "Done"}
    assert api.get("/c/bank/MY_TEST_BANK").status_code == 404
    assert api.get("/c/banks").json() == []

    # deleting a bank that does not exist also succeeds
    again = api.delete("/c/bank/MY_TEST_BANK")
    assert again.status_code == 200
    assert again.json() == {"message": "Done"}

    # and the name is free again
    create_bank(api, "MY_TEST_BANK")
