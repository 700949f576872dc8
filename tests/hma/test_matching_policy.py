"""Who may match (bank enablement, HMA's coinflip, disabled content), `/m/compare`, index status."""

from __future__ import annotations

import random
import time
from typing import Any

import httpx

from tests.hma.conftest import (
    SIGNAL_TYPES,
    MediaServer,
    add_image_to_bank,
    add_signals,
    create_bank,
    error_message,
    flip_bits,
    random_pdq,
)

PDQ = random_pdq(300)


def _lookup(api: httpx.Client, **params: str) -> dict[str, Any]:
    response = api.get("/m/lookup", params={"signal": PDQ, "signal_type": "pdq", **params})
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def _raw_ids(api: httpx.Client) -> list[int]:
    response = api.get("/m/raw_lookup", params={"signal": PDQ, "signal_type": "pdq"})
    assert response.status_code == 200, response.text
    ids: list[int] = response.json()["matches"]
    return ids


def _seed(*, at_most: float | None = None, above: float | None = None) -> str:
    """A `seed` whose coinflip (HMA: `random.Random(seed).random()`) falls on the wanted side."""
    for n in range(1000):
        flip = random.Random(f"seed-{n}").random()
        if (at_most is None or flip <= at_most) and (above is None or flip > above):
            return f"seed-{n}"
    raise AssertionError("no such seed")


# -- enablement -----------------------------------------------------------------------------------
def test_disabled_bank_only_matches_raw(api: httpx.Client) -> None:
    create_bank(api, "QUIET")
    content_id = add_signals(api, "QUIET", {"pdq": PDQ})
    assert _lookup(api) == {"QUIET": [{"bank_content_id": content_id, "distance": "0"}]}

    assert api.put("/c/bank/QUIET", json={"enabled": False}).status_code == 200
    assert _lookup(api) == {}
    # raw_lookup does not check enablement
    assert _raw_ids(api) == [content_id]

    assert api.put("/c/bank/QUIET", json={"enabled": True}).status_code == 200
    assert list(_lookup(api)) == ["QUIET"]


def test_partial_bank_follows_seeded_coinflip(api: httpx.Client, media: MediaServer) -> None:
    create_bank(api, "HALF")
    add_signals(api, "HALF", {"pdq": PDQ})
    assert api.put("/c/bank/HALF", json={"enabled_ratio": 0.5}).status_code == 200

    lucky, unlucky = _seed(at_most=0.5), _seed(above=0.5)
    for _ in range(3):  # the same seed always decides the same way
        assert list(_lookup(api, seed=lucky)) == ["HALF"]
        assert _lookup(api, seed=unlucky) == {}

    # an upload lookup may skip the coinflip altogether
    add_image_to_bank(api, media, "HALF", "image1.jpg", expected_id=2)
    image = {"photo": ("image1.jpg", media.data("image1.jpg"), "image/jpeg")}
    unlucky_upload = api.post("/m/lookup", params={"seed": unlucky}, files=image)
    assert unlucky_upload.status_code == 200, unlucky_upload.text
    assert unlucky_upload.json()["pdq"] == {}
    bypass = api.post("/m/lookup", params={"seed": unlucky, "bypass_coinflip": "true"}, files=image)
    assert bypass.status_code == 200, bypass.text
    assert list(bypass.json()["pdq"]) == ["HALF"]

    # HMA's bypass also reaches banks switched off entirely; haechi deliberately does not
    assert api.put("/c/bank/HALF", json={"enabled": False}).status_code == 200
    off = api.post("/m/lookup", params={"bypass_coinflip": "true"}, files=image)
    assert off.json() == {"pdq": {}, "md5": {}, "sha256": {}}


def test_disabled_content_only_matches_raw(api: httpx.Client) -> None:
    create_bank(api, "BANK")
    content_id = add_signals(api, "BANK", {"pdq": PDQ})
    path = f"/c/bank/BANK/content/{content_id}"

    later = int(time.time()) + 3600
    assert api.put(path, json={"disable_until_ts": later}).status_code == 200
    assert _lookup(api) == {}
    assert _raw_ids(api) == [content_id]

    assert api.put(path, json={"disable_until_ts": 0}).status_code == 200
    assert _lookup(api) == {}

    assert api.put(path, json={"disable_until_ts": 1}).status_code == 200
    assert list(_lookup(api)) == ["BANK"]


def test_deleted_content_and_bank_stop_matching(api: httpx.Client) -> None:
    create_bank(api, "GONE")
    first = add_signals(api, "GONE", {"pdq": PDQ})
    second = add_signals(api, "GONE", {"pdq": flip_bits(PDQ, 3)})
    assert _raw_ids(api) == [first, second]

    assert api.delete(f"/c/bank/GONE/content/{first}").json() == {"deleted": 1}
    assert _raw_ids(api) == [second]
    assert api.delete("/c/bank/GONE").json() == {"message": "Done"}
    assert _raw_ids(api) == []
    assert _lookup(api) == {}


# -- /m/compare -----------------------------------------------------------------------------------
def test_compare_hashes(api: httpx.Client) -> None:
    near = flip_bits(PDQ, 9)
    response = api.post("/m/compare", json={"pdq": [PDQ, near]})
    assert response.status_code == 200, response.text
    assert response.json() == {"pdq": [True, {"distance": 9}]}

    far = flip_bits(PDQ, 64)
    assert api.post("/m/compare", json={"pdq": [PDQ, far]}).json() == {
        "pdq": [False, {"distance": 64}]
    }


def test_compare_hashes_malformed(api: httpx.Client) -> None:
    for bad in (
        ["banana"],  # not an object
        {"pdq": "banana"},  # values must be lists
        {"pdq": []},  # ... of exactly two hashes
        {"pdq": [PDQ]},
        {"pdq": [PDQ, PDQ, PDQ]},
        {"pdq": ["banana", "banana"]},  # ... that parse
        {"video_md5": [PDQ, PDQ]},  # ... of a configured signal type
    ):
        response = api.post("/m/compare", json=bad)
        assert response.status_code == 400, bad
        error_message(response)


# -- /m/index/status ------------------------------------------------------------------------------
def test_index_status(api: httpx.Client) -> None:
    response = api.get("/m/index/status")
    assert response.status_code == 200
    everything = response.json()
    assert set(everything) == SIGNAL_TYPES
    for status in everything.values():
        assert set(status) == {"present", "built_to", "size"}
        assert status["present"] is True
        assert status["size"] == 0

    create_bank(api, "BANK")
    add_signals(api, "BANK", {"pdq": PDQ, "md5": "0" * 32})
    only_pdq = api.get("/m/index/status", params={"signal_type": "pdq"})
    assert only_pdq.status_code == 200
    assert set(only_pdq.json()) == {"pdq"}
    assert only_pdq.json()["pdq"]["size"] == 1
    assert isinstance(only_pdq.json()["pdq"]["built_to"], int)

    unknown = api.get("/m/index/status", params={"signal_type": "video_md5"})
    assert unknown.status_code == 400
    error_message(unknown)
