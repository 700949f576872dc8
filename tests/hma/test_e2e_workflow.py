"""End to end, the way an HMA client drives the service: bank hashes or media, then match."""

from __future__ import annotations

import httpx

from tests.fixtures import images
from tests.hma.conftest import MediaServer, add_image_to_bank, create_bank, random_pdq

PDQ_THRESHOLD = 31


def _hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def test_add_hashes_and_find_match(api: httpx.Client) -> None:
    create_bank(api, "TEST_BANK")
    hashes = [random_pdq(seed) for seed in range(16)]
    no_match = "5" * 64
    # precondition: every hash is far from every other one, so each can only match itself
    for i, a in enumerate(hashes):
        assert _hamming(a, no_match) > PDQ_THRESHOLD
        assert all(_hamming(a, b) > PDQ_THRESHOLD for b in hashes[i + 1 :])

    for pdq in hashes:
        response = api.post("/c/bank/TEST_BANK/signal", json={"pdq": pdq})
        assert response.status_code == 200

    # the index has picked them all up
    response = api.get("/m/index/status?signal_type=pdq")
    assert response.status_code == 200
    build_info = response.json()["pdq"]
    assert build_info["present"] is True
    assert build_info["size"] == len(hashes)

    response = api.get(f"/m/lookup?signal_type=pdq&signal={hashes[-1]}")
    assert response.status_code == 200
    assert response.json() == {"TEST_BANK": [{"bank_content_id": 16, "distance": "0"}]}

    response = api.get(f"/m/lookup?signal_type=pdq&signal={no_match}")
    assert response.status_code == 200
    assert response.json() == {}


def test_bank_media_then_match_variants(api: httpx.Client, media: MediaServer) -> None:
    create_bank(api, "HOTLINE")
    banked = add_image_to_bank(api, media, "HOTLINE", "image1.jpg", expected_id=1)

    original = images.load("astronaut")
    variants = {
        "recompressed": images.recompressed(media.data("image1.jpg"), quality=60),
        "half size": images.encode(images.resized(original, 0.5), "JPEG", quality=85),
        "as png": images.encode(original, "PNG"),
    }
    for name, data in variants.items():
        response = api.post(
            "/m/lookup", files={"photo": ("variant", data, "application/octet-stream")}
        )
        assert response.status_code == 200, (name, response.text)
        found = response.json()
        # perceptually the same picture, byte-wise a different file
        assert list(found["pdq"]) == ["HOTLINE"], name
        (match,) = found["pdq"]["HOTLINE"]
        assert match["bank_content_id"] == 1
        assert 0 <= int(match["distance"]) <= PDQ_THRESHOLD, name
        assert found["md5"] == {}
        assert found["sha256"] == {}

    # a different photo does not match
    other = api.post("/m/lookup", files={"photo": ("other.jpg", media.data("image2.jpg"))})
    assert other.json() == {"pdq": {}, "md5": {}, "sha256": {}}

    # the banked hash itself is an exact hit
    exact = api.get("/m/lookup", params={"signal_type": "pdq", "signal": banked["pdq"]})
    assert exact.json() == {"HOTLINE": [{"bank_content_id": 1, "distance": "0"}]}

    # switching the bank off stops matches, switching it on brings them back
    variant = {"photo": ("variant.jpg", variants["recompressed"])}
    assert api.put("/c/bank/HOTLINE", json={"enabled": False}).status_code == 200
    assert api.post("/m/lookup", files=variant).json()["pdq"] == {}
    assert api.put("/c/bank/HOTLINE", json={"enabled": True}).status_code == 200
    assert list(api.post("/m/lookup", files=variant).json()["pdq"]) == ["HOTLINE"]

    # removing the content removes the match; the service stays healthy throughout
    assert api.delete("/c/bank/HOTLINE/content/1").json() == {"deleted": 1}
    assert api.post("/m/lookup", files=variant).json()["pdq"] == {}
    assert api.get("/status").text == "I-AM-ALIVE"
