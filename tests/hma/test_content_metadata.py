"""User metadata and notes on banked content, sent as JSON or as multipart form fields."""

from __future__ import annotations

import json

import httpx

from tests.hma.conftest import (
    MediaServer,
    add_url_content,
    collect_leaks,
    create_bank,
    error_message,
    random_pdq,
)

METADATA = {
    "content_id": "case-0042",
    "content_uri": "https://example.org/items/42",
    "json": {"source": "hotline", "nested": {"reviewed": True}},
}


def _added_id(response: httpx.Response) -> int:
    assert response.status_code == 200, response.text
    content_id = response.json()["id"]
    assert isinstance(content_id, int)
    return content_id


# -- metadata -------------------------------------------------------------------------------------
def test_banks_add_metadata(api: httpx.Client, media: MediaServer) -> None:
    create_bank(api, "NEW_BANK")
    url = media.url("image1.jpg")

    for bad in ({"invalid_metadata": 5}, "just a string", ["a", "list"], {"json": "not a dict"}):
        response = add_url_content(api, "NEW_BANK", url, {"metadata": bad})
        assert response.status_code == 400, bad
        error_message(response)

    ok = add_url_content(api, "NEW_BANK", url, {"metadata": {"content_id": "1", "json": {"a": {}}}})
    assert ok.status_code == 200, ok.text
    assert set(ok.json()) == {"id", "signals"}


def test_bank_get_content_returns_stored_metadata(api: httpx.Client, media: MediaServer) -> None:
    create_bank(api, "TEST_BANK_METADATA")
    added = add_url_content(
        api, "TEST_BANK_METADATA", media.url("image1.jpg"), {"metadata": METADATA}
    )
    content_id = _added_id(added)

    response = api.get(f"/c/bank/TEST_BANK_METADATA/content/{content_id}")
    assert response.status_code == 200, response.text
    stored = response.json()["metadata"]
    assert stored["content_id"] == METADATA["content_id"]
    assert stored["content_uri"] == METADATA["content_uri"]
    assert stored["json"] == METADATA["json"]


def test_bank_get_content_include_metadata_false(api: httpx.Client, media: MediaServer) -> None:
    create_bank(api, "TEST_BANK_NO_METADATA")
    body = {"metadata": {"content_id": "id1", "content_uri": "https://example.org/1"}}
    content_id = _added_id(
        add_url_content(api, "TEST_BANK_NO_METADATA", media.url("image1.jpg"), body)
    )

    path = f"/c/bank/TEST_BANK_NO_METADATA/content/{content_id}"
    hidden = api.get(path, params={"include_metadata": "false"})
    assert hidden.status_code == 200, hidden.text
    assert "metadata" not in hidden.json()
    assert "metadata" in api.get(path).json()


def test_bank_get_content_without_metadata_omitted(api: httpx.Client, media: MediaServer) -> None:
    create_bank(api, "TEST_BANK_NO_META")
    content_id = _added_id(add_url_content(api, "TEST_BANK_NO_META", media.url("image1.jpg")))
    response = api.get(f"/c/bank/TEST_BANK_NO_META/content/{content_id}")
    assert response.status_code == 200, response.text
    assert "metadata" not in response.json()


def test_upload_with_metadata_and_note_form_fields(api: httpx.Client, media: MediaServer) -> None:
    create_bank(api, "UPLOADS")
    image = ("image1.jpg", media.data("image1.jpg"), "image/jpeg")
    form = {"metadata": json.dumps(METADATA), "note": "uploaded by reviewer 7"}
    response = api.post("/c/bank/UPLOADS/content", data=form, files={"photo": image})
    content_id = _added_id(response)

    shown = api.get(f"/c/bank/UPLOADS/content/{content_id}").json()
    assert shown["note"] == "uploaded by reviewer 7"
    assert shown["metadata"]["content_id"] == METADATA["content_id"]
    assert shown["metadata"]["json"] == METADATA["json"]

    broken = api.post(
        "/c/bank/UPLOADS/content", data={"metadata": "{not json"}, files={"photo": image}
    )
    assert broken.status_code == 400
    assert error_message(broken) == "metadata form field must be valid JSON"
    collect_leaks()


# -- notes ----------------------------------------------------------------------------------------
def test_bank_add_content_with_note(api: httpx.Client, media: MediaServer) -> None:
    create_bank(api, "TEST_BANK_NOTE")
    body = {"note": "Reported by user X"}
    content_id = _added_id(add_url_content(api, "TEST_BANK_NOTE", media.url("image1.jpg"), body))

    response = api.get(f"/c/bank/TEST_BANK_NOTE/content/{content_id}")
    assert response.status_code == 200, response.text
    assert response.json()["note"] == "Reported by user X"


def test_bank_add_content_without_note_omitted(api: httpx.Client, media: MediaServer) -> None:
    create_bank(api, "TEST_BANK_NO_NOTE")
    content_id = _added_id(add_url_content(api, "TEST_BANK_NO_NOTE", media.url("image1.jpg")))
    response = api.get(f"/c/bank/TEST_BANK_NO_NOTE/content/{content_id}")
    assert response.status_code == 200, response.text
    assert "note" not in response.json()


def test_bank_update_content_note(api: httpx.Client, media: MediaServer) -> None:
    create_bank(api, "TEST_BANK_NOTE_UPDATE")
    content_id = _added_id(add_url_content(api, "TEST_BANK_NOTE_UPDATE", media.url("image1.jpg")))
    path = f"/c/bank/TEST_BANK_NOTE_UPDATE/content/{content_id}"

    for note in ("Initial note", "Updated note"):
        response = api.put(path, json={"note": note})
        assert response.status_code == 200, response.text
        assert api.get(path).json()["note"] == note

    # an empty note clears it
    assert api.put(path, json={"note": ""}).status_code == 200
    assert "note" not in api.get(path).json()

    too_long = api.put(path, json={"note": "x" * 256})
    assert too_long.status_code == 400
    error_message(too_long)


def test_bank_add_note_too_long(api: httpx.Client, media: MediaServer) -> None:
    create_bank(api, "TEST_BANK_NOTE_LONG")
    url = media.url("image1.jpg")
    too_long = add_url_content(api, "TEST_BANK_NOTE_LONG", url, {"note": "x" * 256})
    assert too_long.status_code == 400
    error_message(too_long)
    not_text = add_url_content(api, "TEST_BANK_NOTE_LONG", url, {"note": 12})
    assert not_text.status_code == 400

    longest = add_url_content(api, "TEST_BANK_NOTE_LONG", url, {"note": "x" * 255})
    assert longest.status_code == 200, longest.text


def test_bank_add_hash_with_note(api: httpx.Client) -> None:
    create_bank(api, "TEST_BANK_HASH_NOTE")
    pdq = random_pdq(3)
    response = api.post(
        "/c/bank/TEST_BANK_HASH_NOTE/signal", json={"pdq": pdq, "note": "Hash from campaign ABC"}
    )
    content_id = _added_id(response)
    # the note is not a signal
    assert response.json()["signals"] == {"pdq": pdq}

    shown = api.get(f"/c/bank/TEST_BANK_HASH_NOTE/content/{content_id}")
    assert shown.status_code == 200, shown.text
    assert shown.json()["note"] == "Hash from campaign ABC"

    too_long = api.post("/c/bank/TEST_BANK_HASH_NOTE/signal", json={"pdq": pdq, "note": "y" * 256})
    assert too_long.status_code == 400
