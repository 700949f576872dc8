"""Bank content (`/c/bank/<name>/content`, `/signal`, `/content/<id>`): add, show, edit, delete."""

from __future__ import annotations

import time

import httpx

from tests.hma.conftest import (
    MediaServer,
    add_image_to_bank,
    add_signals,
    add_url_content,
    create_bank,
    error_message,
    random_pdq,
)

ONE_YEAR_S = 365 * 24 * 3600


def _added_id(response: httpx.Response) -> int:
    assert response.status_code == 200, response.text
    content_id = response.json()["id"]
    assert isinstance(content_id, int)
    return content_id


# -- adding ---------------------------------------------------------------------------------------
def test_banks_add_content(api: httpx.Client, media: MediaServer) -> None:
    create_bank(api, "NEW_BANK")
    add_image_to_bank(api, media, "NEW_BANK", "image1.jpg", expected_id=1)
    add_image_to_bank(api, media, "NEW_BANK", "image2.jpg", expected_id=2)


def test_banks_add_content_by_upload(api: httpx.Client, media: MediaServer) -> None:
    create_bank(api, "UPLOADS")
    data = media.data("image1.jpg")
    response = api.post(
        "/c/bank/UPLOADS/content", files={"photo": ("image1.jpg", data, "image/jpeg")}
    )
    assert response.status_code == 200, response.text
    hashed = api.post("/h/hash", files={"photo": ("image1.jpg", data)}).json()
    assert response.json() == {"id": 1, "signals": hashed}


def test_banks_add_content_errors(api: httpx.Client, media: MediaServer) -> None:
    url = media.url("image1.jpg")
    missing = add_url_content(api, "NO_SUCH_BANK", url)
    assert missing.status_code == 404
    assert "NO_SUCH_BANK" in error_message(missing)

    create_bank(api, "NEW_BANK")
    nothing = api.post("/c/bank/NEW_BANK/content")
    assert nothing.status_code == 400
    assert error_message(nothing) == "Neither `url` nor multipart file upload was received"

    unsafe = add_url_content(api, "NEW_BANK", "file:///etc/passwd")
    assert unsafe.status_code == 400
    error_message(unsafe)
    assert api.get("/c/bank/NEW_BANK/content/1").status_code == 404


def test_banks_add_signal(api: httpx.Client) -> None:
    create_bank(api, "HASHES")
    pdq = random_pdq(1)
    response = api.post("/c/bank/HASHES/signal", json={"pdq": pdq})
    assert response.status_code == 200
    assert response.json() == {"id": 1, "signals": {"pdq": pdq}}

    # HMA's examples bank `video_md5`; our exact file digest is called `md5`
    md5 = "0123456789abcdef0123456789abcdef"
    assert add_signals(api, "HASHES", {"md5": md5}) == 2
    both = {"pdq": random_pdq(2), "sha256": "ab" * 32}
    assert add_signals(api, "HASHES", both) == 3


def test_banks_add_signal_errors(api: httpx.Client) -> None:
    missing = api.post("/c/bank/NO_SUCH_BANK/signal", json={"pdq": random_pdq(1)})
    assert missing.status_code == 404
    error_message(missing)

    create_bank(api, "HASHES")
    for body in (
        {"pdq": "banana"},
        {"pdq": "0" * 63},
        {"md5": random_pdq(1)},
        {"video_md5": "0123456789abcdef0123456789abcdef"},
        {},
        {"note": "only a note"},
        [random_pdq(1)],
    ):
        response = api.post("/c/bank/HASHES/signal", json=body)
        assert response.status_code == 400, body
        error_message(response)
    assert api.get("/c/bank/HASHES/content/1").status_code == 404


# -- showing --------------------------------------------------------------------------------------
def test_bank_get_content(api: httpx.Client, media: MediaServer) -> None:
    create_bank(api, "TEST_BANK_GET")
    content_id = _added_id(add_url_content(api, "TEST_BANK_GET", media.url("image1.jpg")))

    response = api.get(f"/c/bank/TEST_BANK_GET/content/{content_id}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"] == content_id
    assert set(body) == {"id", "disable_until_ts", "original_media_uri", "bank"}
    assert body["disable_until_ts"] == 1  # HMA's "enabled" marker
    assert body["bank"] == {"name": "TEST_BANK_GET", "matching_enabled_ratio": 1.0}


def test_bank_get_content_404(api: httpx.Client) -> None:
    no_bank = api.get("/c/bank/TEST_BANK_GET/content/1")
    assert no_bank.status_code == 404
    error_message(no_bank)

    create_bank(api, "TEST_BANK_GET")
    no_content = api.get("/c/bank/TEST_BANK_GET/content/1")
    assert no_content.status_code == 404
    error_message(no_content)

    # content is found through its own bank only (HMA looks the id up in any bank)
    create_bank(api, "OTHER_BANK")
    other_id = add_signals(api, "OTHER_BANK", {"pdq": random_pdq(1)})
    assert api.get(f"/c/bank/TEST_BANK_GET/content/{other_id}").status_code == 404
    assert api.get("/c/bank/TEST_BANK_GET/content/not-a-number").status_code == 422


def test_bank_get_content_with_signals(api: httpx.Client, media: MediaServer) -> None:
    create_bank(api, "TEST_BANK_GET_SIGS")
    added = add_url_content(api, "TEST_BANK_GET_SIGS", media.url("image1.jpg"))
    content_id = _added_id(added)
    path = f"/c/bank/TEST_BANK_GET_SIGS/content/{content_id}"

    plain = api.get(path)
    assert plain.status_code == 200
    assert plain.json()["id"] == content_id
    assert "signals" not in plain.json()

    with_signals = api.get(path, params={"include_signals": "true"})
    assert with_signals.status_code == 200
    assert with_signals.json()["id"] == content_id
    assert with_signals.json()["signals"] == added.json()["signals"]


# -- updating -------------------------------------------------------------------------------------
def test_bank_update_content(api: httpx.Client, media: MediaServer) -> None:
    create_bank(api, "TEST_BANK_UPDATE")
    content_id = _added_id(add_url_content(api, "TEST_BANK_UPDATE", media.url("image1.jpg")))
    path = f"/c/bank/TEST_BANK_UPDATE/content/{content_id}"

    disable_until = int(time.time()) + ONE_YEAR_S
    response = api.put(path, json={"disable_until_ts": disable_until})
    assert response.status_code == 200, response.text
    assert response.json()["disable_until_ts"] == disable_until
    assert response.json()["id"] == content_id
    assert api.get(path).json()["disable_until_ts"] == disable_until

    # HMA's magic values: 1 re-enables, 0 disables indefinitely
    assert api.put(path, json={"disable_until_ts": 0}).json()["disable_until_ts"] == 0
    assert api.put(path, json={"disable_until_ts": 1}).json()["disable_until_ts"] == 1


def test_bank_update_content_400(api: httpx.Client, media: MediaServer) -> None:
    create_bank(api, "TEST_BANK_UPDATE")
    content_id = _added_id(add_url_content(api, "TEST_BANK_UPDATE", media.url("image1.jpg")))
    path = f"/c/bank/TEST_BANK_UPDATE/content/{content_id}"

    for value in (9999999999, -5, "banana"):
        response = api.put(path, json={"disable_until_ts": value})
        assert response.status_code == 400, value
        error_message(response)
    assert api.get(path).json()["disable_until_ts"] == 1


def test_bank_update_content_404(api: httpx.Client) -> None:
    assert api.put("/c/bank/NOPE/content/1", json={"note": "x"}).status_code == 404
    create_bank(api, "TEST_BANK_UPDATE")
    missing = api.put("/c/bank/TEST_BANK_UPDATE/content/1", json={"note": "x"})
    assert missing.status_code == 404
    error_message(missing)


# -- deleting -------------------------------------------------------------------------------------
def test_banks_delete_content(api: httpx.Client, media: MediaServer) -> None:
    create_bank(api, "NEW_BANK")
    add_image_to_bank(api, media, "NEW_BANK", "image1.jpg", expected_id=1)

    response = api.delete("/c/bank/NEW_BANK/content/1")
    assert response.status_code == 200
    assert response.json() == {"deleted": 1}
    assert api.get("/c/bank/NEW_BANK/content/1").status_code == 404

    again = api.delete("/c/bank/NEW_BANK/content/1")
    assert again.status_code == 200
    assert again.json() == {"deleted": 0}

    no_bank = api.delete("/c/bank/NO_SUCH_BANK/content/1")
    assert no_bank.status_code == 404
    error_message(no_bank)
