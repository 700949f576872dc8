"""The contract every signal type passes: subclass `SignalTypeContract` and set `signal_type`.

Signal types are plugins whose names and hash strings are a wire format shared with other
clearinghouses, so they must all behave alike: a declared lowercase name, canonical hash strings,
a distance that is a metric-like function, sane thresholds and, for hashers, deterministic output
that validates. One suite, run once per plugin, is how a new signal type proves it fits.

Usage::

    class TestMySignal(SignalTypeContract):
        signal_type = MySignal
        examples = ("<valid hash>", "<another valid hash>")
"""

from __future__ import annotations

import re
from typing import Any, ClassVar, cast

import pytest

from haechi.domain.errors import InvalidSignal
from haechi.domain.signals import BytesHasher, HashOutput, SignalType

_NAME = re.compile(r"[a-z][a-z0-9_]*")


class SignalTypeContract:
    """Base class of the contract suite (not collected itself: its name has no `Test` prefix)."""

    signal_type: ClassVar[type[SignalType]]
    #: at least two distinct valid hashes, in canonical form
    examples: ClassVar[tuple[str, ...]]

    @pytest.fixture
    def sample_bytes(self, sample_png: bytes) -> bytes:
        """Bytes to hash when the signal type is a BytesHasher; override for non-image types."""
        return sample_png

    # -- declaration ---------------------------------------------------------------------------

    def test_name_is_declared_on_the_class(self) -> None:
        declared = vars(self.signal_type).get("name")
        assert isinstance(declared, str), "declare `name` as a plain string on the class itself"
        assert _NAME.fullmatch(declared), f"name {declared!r} must be a lowercase identifier"

    def test_thresholds_are_consistent(self) -> None:
        st = self.signal_type
        for value in (st.default_threshold, st.max_threshold):
            assert isinstance(value, int) and not isinstance(value, bool)
        assert 0 <= st.default_threshold <= st.max_threshold
        if st.min_quality is not None:
            assert 0 <= st.min_quality <= 100

    def test_examples_are_canonical_and_distinct(self) -> None:
        assert len(set(self.examples)) >= 2, "give at least two distinct examples"
        for example in self.examples:
            assert self.signal_type.validate(example) == example

    # -- validate ------------------------------------------------------------------------------

    def test_validate_is_idempotent(self) -> None:
        for example in self.examples:
            once = self.signal_type.validate(example)
            assert self.signal_type.validate(once) == once

    def test_validate_canonicalises_case_and_whitespace(self) -> None:
        for example in self.examples:
            canonical = self.signal_type.validate(example)
            assert self.signal_type.validate(example.upper()) == canonical
            assert self.signal_type.validate(f"  {example}\n") == canonical

    @pytest.mark.parametrize("garbage", ["", "   ", "not a hash", "\x00", "0x", "🙂" * 8])
    def test_validate_rejects_garbage(self, garbage: str) -> None:
        with pytest.raises(InvalidSignal):
            self.signal_type.validate(garbage)

    def test_validate_rejects_wrong_length(self) -> None:
        example = self.examples[0]
        for wrong in (example[:-1], example + example[-1], example[: len(example) // 2]):
            with pytest.raises(InvalidSignal):
                self.signal_type.validate(wrong)

    def test_validate_rejects_non_hex(self) -> None:
        example = self.examples[0]
        for bad in ("g" + example[1:], example[:-1] + "z", example[:-1] + " "):
            with pytest.raises(InvalidSignal):
                self.signal_type.validate(bad)

    @pytest.mark.parametrize("value", [None, 0, 1.5, b"00", ["00"], object()])
    def test_validate_rejects_non_strings(self, value: object) -> None:
        with pytest.raises(InvalidSignal):
            self.signal_type.validate(cast(Any, value))

    def test_validate_rejects_bytes_of_a_valid_hash(self) -> None:
        with pytest.raises(InvalidSignal):
            self.signal_type.validate(cast(Any, self.examples[0].encode()))

    # -- distance ------------------------------------------------------------------------------

    def test_distance_to_itself_is_zero(self) -> None:
        for example in self.examples:
            assert self.signal_type.distance(example, example) == 0
            assert self.signal_type.matches(example, example)

    def test_distance_is_symmetric_and_positive_between_distinct(self) -> None:
        for a in self.examples:
            for b in self.examples:
                forward = self.signal_type.distance(a, b)
                assert isinstance(forward, int) and forward >= 0
                assert forward == self.signal_type.distance(b, a)
                assert (forward == 0) == (a == b)

    def test_distance_ignores_case_and_whitespace(self) -> None:
        a, b = self.examples[0], self.examples[1]
        assert self.signal_type.distance(a.upper(), f" {b} ") == self.signal_type.distance(a, b)

    # -- hashing -------------------------------------------------------------------------------

    def _hasher(self) -> Any:
        if not isinstance(self.signal_type, BytesHasher):
            pytest.skip(f"{self.signal_type.name} does not hash bytes")
        return self.signal_type

    def test_hash_bytes_is_deterministic(self, sample_bytes: bytes) -> None:
        hasher = self._hasher()
        first, second = hasher.hash_bytes(sample_bytes), hasher.hash_bytes(sample_bytes)
        assert isinstance(first, HashOutput)
        assert first == second

    def test_hash_bytes_output_validates(self, sample_bytes: bytes) -> None:
        output = self._hasher().hash_bytes(sample_bytes)
        assert self.signal_type.validate(output.value) == output.value
        if output.quality is not None:
            assert isinstance(output.quality, int) and 0 <= output.quality <= 100
