"""Pure rules: bank names, ratios, notes, HMA's disable_until_ts semantics, the coinflip."""

from __future__ import annotations

import pytest

from haechi.domain.banks import (
    BankContent,
    coinflip_allows,
    disable_ts_allows,
    validate_bank_name,
    validate_note,
    validate_ratio,
)
from haechi.domain.errors import InvalidInput
from haechi.domain.signals import hamming_hex


@pytest.mark.parametrize("name", ["A", "KCSC_NATIONAL", "_X1", "B2B"])
def test_good_bank_names(name: str) -> None:
    assert validate_bank_name(name) == name


@pytest.mark.parametrize("name", ["", "lower", "1ABC", "A-B", "A B", None, 3, "A" * 129])
def test_bad_bank_names(name: object) -> None:
    with pytest.raises(InvalidInput):
        validate_bank_name(name)


@pytest.mark.parametrize("value", [-0.1, 1.1, "1", True, None])
def test_bad_ratios(value: object) -> None:
    with pytest.raises(InvalidInput):
        validate_ratio(value)


def test_notes() -> None:
    assert validate_note("") is None
    assert validate_note("x" * 255) == "x" * 255
    with pytest.raises(InvalidInput):
        validate_note("x" * 256)
    with pytest.raises(InvalidInput):
        validate_note(5)


def test_disable_until_semantics() -> None:
    assert disable_ts_allows(1, now=100.0)
    assert not disable_ts_allows(0, now=100.0)
    assert not disable_ts_allows(150, now=100.0)
    assert disable_ts_allows(150, now=150.0)
    item = BankContent(id=1, bank_id=1, bank_name="B", withdrawn=True)
    assert not item.enabled_at(0)


def test_coinflip_and_hamming() -> None:
    assert coinflip_allows(1.0, 0.999)
    assert not coinflip_allows(0.0, 0.0001)
    assert not coinflip_allows(0.0, 0.0), "a disabled bank stays disabled under bypass_coinflip"
    assert coinflip_allows(0.5, 0.5)
    assert hamming_hex("f" * 64, "0" * 64) == 256
    assert hamming_hex("0f", "00") == 4
