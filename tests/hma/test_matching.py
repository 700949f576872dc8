"""Matching (`/m/raw_lookup`, `/m/lookup`): per signal type, by URL and upload, filtered by bank.

HMA seeds these tests from its static sample exchange (bank "SAMPLE", one example per signal type);
we have no exchanges, so the same bank is filled through `/c/bank/SAMPLE/signal`.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

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

#: one banked example per signal type (HMA: pdq and video_md5; ours: pdq, md5, sha256)
SAMPLES = {
    "pdq": random_pdq(100),
    "md5": "d41d8cd98f00b204e9800998ecf8427e",
    "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
}
SHARED_PDQ = random_pdq(200)


@pytest.fixture
def sample_bank(api: httpx.Client) -> dict[str, int]:
    """Bank SAMPLE holding one item per signal type; returns signal type -> content id."""
    create_bank(api, "SAMPLE")
    return {name: add_signals(api, "SAMPLE", {name: value}) for name, value in SAMPLES.items()}


@pytest.fixture
def multi_bank(api: httpx.Client) -> dict[str, int]:
    """BANK_A, BANK_B and BANK_C each holding the same PDQ hash; returns bank -> content id."""
    ids = {}
    for bank in ("BANK_A", "BANK_B", "BANK_C"):
        create_bank(api, bank)
        ids[bank] = add_signals(api, bank, {"pdq": SHARED_PDQ})
    return ids


def _raw(api: httpx.Client, **params: str | bool) -> list[Any]:
    response = api.get("/m/raw_lookup", params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"matches"}
    matches: list[Any] = body["matches"]
    return matches


def _lookup(api: httpx.Client, **params: str | bool) -> dict[str, Any]:
    response = api.get("/m/lookup", params=params)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def _check_with_distance(matches: list[Any]) -> None:
    for match in matches:
        assert isinstance(match, dict)
        assert set(match) == {"bank_content_id", "distance"}
        assert isinstance(match["bank_content_id"], int)
        assert isinstance(match["distance"], str)


# -- per signal type ------------------------------------------------------------------------------
def test_raw_lookups(api: httpx.Client, sample_bank: dict[str, int]) -> None:
    listed = {entry["name"] for entry in api.get("/c/signal_type").json()}
    assert listed == SIGNAL_TYPES
    for signal_type, value in SAMPLES.items():
        plain = _raw(api, signal=value, signal_type=signal_type)
        assert plain == [sample_bank[signal_type]], signal_type

        with_distance = _raw(api, signal=value, signal_type=signal_type, include_distance=True)
        assert len(with_distance) == len(plain)
        _check_with_distance(with_distance)
        assert with_distance == [{"bank_content_id": sample_bank[signal_type], "distance": "0"}]


def test_lookups(api: httpx.Client, sample_bank: dict[str, int]) -> None:
    for signal_type, value in SAMPLES.items():
        found = _lookup(api, signal=value, signal_type=signal_type)
        assert list(found) == ["SAMPLE"], signal_type
        assert len(found["SAMPLE"]) > 0
        _check_with_distance(found["SAMPLE"])
        assert found["SAMPLE"] == [{"bank_content_id": sample_bank[signal_type], "distance": "0"}]


def test_pdq_lookup_within_threshold(api: httpx.Client, sample_bank: dict[str, int]) -> None:
    near = flip_bits(SAMPLES["pdq"], 7)
    found = _lookup(api, signal=near, signal_type="pdq")
    assert found == {"SAMPLE": [{"bank_content_id": sample_bank["pdq"], "distance": "7"}]}
    assert _lookup(api, signal=flip_bits(SAMPLES["pdq"], 40), signal_type="pdq") == {}
    # exact digests match only themselves
    other_md5 = "d41d8cd98f00b204e9800998ecf8427f"
    assert _raw(api, signal=other_md5, signal_type="md5") == []


# -- bank filters ---------------------------------------------------------------------------------
def test_raw_lookup_with_bank_filter(api: httpx.Client, multi_bank: dict[str, int]) -> None:
    query = {"signal": SHARED_PDQ, "signal_type": "pdq"}
    assert sorted(_raw(api, **query)) == sorted(multi_bank.values())
    assert _raw(api, **query, banks="BANK_A") == [multi_bank["BANK_A"]]
    assert len(_raw(api, **query, banks="BANK_A,BANK_B")) == 2
    assert _raw(api, **query, banks="NON_EXISTENT_BANK") == []


def test_raw_lookup_with_distance_and_bank_filter(
    api: httpx.Client, multi_bank: dict[str, int]
) -> None:
    matches = _raw(
        api, signal=SHARED_PDQ, signal_type="pdq", include_distance=True, banks="BANK_A,BANK_B"
    )
    assert len(matches) == 2
    _check_with_distance(matches)
    assert {m["bank_content_id"] for m in matches} == {
        multi_bank["BANK_A"],
        multi_bank["BANK_B"],
    }


def test_lookup_with_bank_filter(api: httpx.Client, multi_bank: dict[str, int]) -> None:
    query = {"signal": SHARED_PDQ, "signal_type": "pdq"}
    assert set(_lookup(api, **query)) == {"BANK_A", "BANK_B", "BANK_C"}

    only_a = _lookup(api, **query, banks="BANK_A")
    assert list(only_a) == ["BANK_A"]
    assert only_a["BANK_A"] == [{"bank_content_id": multi_bank["BANK_A"], "distance": "0"}]

    assert set(_lookup(api, **query, banks="BANK_A,BANK_C")) == {"BANK_A", "BANK_C"}
    assert _lookup(api, **query, banks="NON_EXISTENT_BANK") == {}


# -- hashing on the way in ------------------------------------------------------------------------
def test_banks_add_hash_index(api: httpx.Client, media: MediaServer) -> None:
    create_bank(api, "NEW_BANK")
    image1 = add_image_to_bank(api, media, "NEW_BANK", "image1.jpg", expected_id=1)
    create_bank(api, "NEW_BANK_2")
    image2 = add_image_to_bank(api, media, "NEW_BANK", "image2.jpg", expected_id=2)

    for signals, content_id in ((image1, 1), (image2, 2)):
        response = api.get("/m/raw_lookup", params={"signal_type": "pdq", "signal": signals["pdq"]})
        assert response.status_code == 200
        assert response.json() == {"matches": [content_id]}


def test_lookup_success(api: httpx.Client, media: MediaServer) -> None:
    create_bank(api, "TEST_BANK")
    add_image_to_bank(api, media, "TEST_BANK", "image1.jpg", expected_id=1)
    exact = {"TEST_BANK": [{"bank_content_id": 1, "distance": "0"}]}

    by_url = _lookup(api, url=media.url("image1.jpg"))
    assert by_url == {"pdq": exact, "md5": exact, "sha256": exact}
    # naming a signal type drops the outer level
    assert _lookup(api, url=media.url("image1.jpg"), signal_type="pdq") == exact
    assert _lookup(api, url=media.url("image2.jpg"), signal_type="pdq") == {}
    only_pdq = _lookup(api, url=media.url("image1.jpg"), types="pdq")
    assert only_pdq == {"pdq": exact}

    data = media.data("image1.jpg")
    as_photo = api.post("/m/lookup", files={"photo": ("image1.jpg", data, "image/jpeg")})
    assert as_photo.status_code == 200, as_photo.text
    assert as_photo.json() == {"pdq": exact, "md5": exact, "sha256": exact}
    elsewhere = api.post(
        "/m/lookup", params={"banks": "OTHER_BANK"}, files={"photo": ("image1.jpg", data)}
    )
    assert elsewhere.json() == {"pdq": {}, "md5": {}, "sha256": {}}

    # not really a video, but the file digests (HMA: video_md5; ours: md5) match all the same
    as_video = api.post("/m/lookup", files={"video": ("image1.jpg", data, "image/jpeg")})
    assert as_video.status_code == 200, as_video.text
    assert as_video.json() == {"md5": exact, "sha256": exact}


# -- bad requests ---------------------------------------------------------------------------------
def test_lookup_bad_requests(api: httpx.Client) -> None:
    for params in ({}, {"signal": SHARED_PDQ}, {"signal_type": "pdq"}):
        response = api.get("/m/lookup", params=params)
        assert response.status_code == 400, params
        assert error_message(response) == "Either url or both signal and signal_type are required"

    for params in (
        {"signal": SHARED_PDQ, "signal_type": "video_md5"},
        {"signal": "banana", "signal_type": "pdq"},
        {"signal": SHARED_PDQ, "signal_type": "md5"},
    ):
        for path in ("/m/lookup", "/m/raw_lookup"):
            response = api.get(path, params=params)
            assert response.status_code == 400, (path, params)
            error_message(response)

    for params in ({}, {"signal": SHARED_PDQ}, {"signal_type": "pdq"}):
        assert api.get("/m/raw_lookup", params=params).status_code == 422, params

    no_file = api.post("/m/lookup")
    assert no_file.status_code == 400
    error_message(no_file)
