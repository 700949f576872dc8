"""Bulk import/export: all-or-nothing, duplicates skipped, round trip."""

from __future__ import annotations

import json

import pytest

from haechi.bootstrap import Container
from haechi.domain.errors import InvalidInput, NotFound

A = "a" * 64
B = "b" * 64
MD5 = "0" * 32


def test_csv_import_then_export_round_trip(container: Container) -> None:
    container.banks.create_bank("B")
    text = f"pdq,md5,note\n{A},{MD5},first\n{B},,second\n"
    report = container.transfer.import_text("B", text, fmt="csv")
    assert (report.rows, report.added, report.skipped_duplicates) == (2, 2, 0)
    again = container.transfer.import_text("B", text, fmt="csv")
    assert (again.added, again.skipped_duplicates) == (0, 2)
    exported = "".join(container.transfer.export_text("B", fmt="csv")).splitlines()
    assert exported[0].startswith("id,")
    assert any(A in line and MD5 in line and "first" in line for line in exported[1:])
    assert len(exported) == 3


def test_json_lines_import_and_export(container: Container) -> None:
    container.banks.create_bank("B")
    lines = [
        json.dumps({"signals": {"pdq": A}, "note": "n", "metadata": {"content_id": "x"}}),
        json.dumps({"signals": {"sha256": "c" * 64}}),
    ]
    report = container.transfer.import_text("B", "\n".join(lines), fmt="json")
    assert report.added == 2
    rows = [json.loads(x) for x in container.transfer.export_text("B", fmt="json")]
    assert [r["signals"] for r in rows] == [{"pdq": A}, {"sha256": "c" * 64}]


def test_one_bad_row_rejects_the_whole_file(container: Container) -> None:
    container.banks.create_bank("B")
    text = f"pdq\n{A}\nnot-a-hash\n{B}\n"
    with pytest.raises(InvalidInput, match="line 3"):
        container.transfer.import_text("B", text, fmt="csv")
    assert container.banks.page_content("B").total == 0


@pytest.mark.parametrize(
    ("text", "fmt"),
    [("", "csv"), ("[not json", "json"), ('{"signals": 3}', "json"), ("x", "xml")],
)
def test_malformed_imports_are_refused(container: Container, text: str, fmt: str) -> None:
    container.banks.create_bank("B")
    with pytest.raises(InvalidInput):
        container.transfer.import_text("B", text, fmt=fmt)


def test_import_into_unknown_bank(container: Container) -> None:
    with pytest.raises(NotFound):
        container.transfer.import_text("NOPE", f"pdq\n{A}\n", fmt="csv")
