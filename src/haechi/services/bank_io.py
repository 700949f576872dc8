"""Bulk import and export of a bank's hashes (CSV or JSON lines), hash-only by design.

Import validates every row before writing anything and then writes all rows in one transaction, so
a bad file is rejected whole with the line numbers at fault, and a good one never lands half-way.
Rows whose signals already exist in the bank are skipped, so re-importing a file is harmless.

CSV: a header naming signal types (`pdq`, `md5`, `sha256` ...) plus optional `note`,
`content_id`, `content_uri`; one row per item. JSON lines: `{"signals": {...}, "note": ...,
"metadata": {...}}` per line (a JSON array of those objects is accepted too).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from haechi.domain.errors import HaechiError, InvalidInput, NotFound
from haechi.services.banks import BankService
from haechi.services.ports import NewContent, UnitOfWorkFactory

META_COLUMNS = ("note", "content_id", "content_uri")
MAX_IMPORT_ROWS = 1_000_000
MAX_ERRORS_SHOWN = 20


@dataclass(frozen=True, slots=True)
class ImportReport:
    rows: int
    added: int
    skipped_duplicates: int


class BankTransfer:
    def __init__(
        self, *, uow_factory: UnitOfWorkFactory, banks: BankService, on_change: Callable[[], object]
    ) -> None:
        self._uow = uow_factory
        self._banks = banks
        self._on_change = on_change

    def import_text(
        self, bank_name: str, text: str, *, fmt: str, source: str | None = None
    ) -> ImportReport:
        parsed = list(self._parse(text, fmt))
        if len(parsed) > MAX_IMPORT_ROWS:
            raise InvalidInput(f"import is limited to {MAX_IMPORT_ROWS} rows")
        items, errors = self._validate(parsed, source)
        if errors:
            shown = "; ".join(errors[:MAX_ERRORS_SHOWN])
            more = (
                f" (+{len(errors) - MAX_ERRORS_SHOWN} more)"
                if len(errors) > MAX_ERRORS_SHOWN
                else ""
            )
            raise InvalidInput(f"import rejected, nothing written: {shown}{more}")
        added = skipped = 0
        with self._uow() as uow:
            bank = uow.banks.get_bank(bank_name)
            if bank is None:
                raise NotFound(f"bank '{bank_name}' not found")
            seen = uow.banks.existing_signals(bank.id)
            new = []
            for item in items:
                pairs = set(item.signals.items())
                if pairs & seen:
                    skipped += 1
                    continue
                seen |= pairs
                new.append(uow.banks.add_content(bank, item))
                added += 1
            self._banks.gate_in(uow, new, source)
        if added:
            self._on_change()
        return ImportReport(rows=len(items), added=added, skipped_duplicates=skipped)

    def _parse(self, text: str, fmt: str) -> Iterator[tuple[int, dict[str, Any]]]:
        if fmt == "csv":
            reader = csv.DictReader(io.StringIO(text))
            if not reader.fieldnames:
                raise InvalidInput("CSV import needs a header row")
            for line, row in enumerate(reader, start=2):
                signals = {k: v for k, v in row.items() if k not in META_COLUMNS and k and v}
                meta = {k: row[k] for k in ("content_id", "content_uri") if row.get(k)}
                yield (
                    line,
                    {"signals": signals, "note": row.get("note") or None, "metadata": meta or None},
                )
        elif fmt == "json":
            yield from self._parse_json(text)
        else:
            raise InvalidInput("format must be csv or json")

    def _parse_json(self, text: str) -> Iterator[tuple[int, dict[str, Any]]]:
        stripped = text.lstrip()
        if stripped.startswith("["):
            try:
                records = json.loads(stripped)
            except ValueError as e:
                raise InvalidInput(f"invalid JSON: {e}") from None
            yield from enumerate(records, start=1)
            return
        for line, raw in enumerate(text.splitlines(), start=1):
            if not raw.strip():
                continue
            try:
                yield line, json.loads(raw)
            except ValueError as e:
                raise InvalidInput(f"line {line}: invalid JSON: {e}") from None

    def _validate(
        self, parsed: list[tuple[int, Any]], source: str | None
    ) -> tuple[list[NewContent], list[str]]:
        items: list[NewContent] = []
        errors: list[str] = []
        for line, record in parsed:
            try:
                if not isinstance(record, dict) or not isinstance(record.get("signals"), dict):
                    raise InvalidInput("each record needs a 'signals' object")
                metadata = record.get("metadata")
                if metadata is not None and not isinstance(metadata, dict):
                    raise InvalidInput("metadata must be an object")
                items.append(
                    NewContent(
                        signals=self._banks.validate_signals(record["signals"]),
                        note=record.get("note"),
                        metadata=metadata,
                        source=source,
                    )
                )
            except HaechiError as e:
                errors.append(f"line {line}: {e.message}")
        return items, errors

    def export_rows(
        self, bank_name: str, *, include_withdrawn: bool = False
    ) -> Iterator[dict[str, Any]]:
        """Every item of the bank, in id order, as plain dicts (streamed page by page)."""
        after = 0
        while True:
            page = self._banks.page_content(
                bank_name, after_id=after, limit=1000, include_withdrawn=include_withdrawn
            )
            for item in page.items:
                yield {
                    "id": item.id,
                    "signals": item.signals,
                    "note": item.note,
                    "metadata": item.metadata,
                    "disable_until_ts": item.disable_until_ts,
                    "withdrawn": item.withdrawn,
                }
            if page.next_after is None:
                return
            after = page.next_after

    def export_text(self, bank_name: str, *, fmt: str) -> Iterator[str]:
        rows = self.export_rows(bank_name)
        if fmt == "json":
            for row in rows:
                yield json.dumps(row, sort_keys=True) + "\n"
            return
        if fmt != "csv":
            raise InvalidInput("format must be csv or json")
        columns = ["id", *self._banks.signal_names(), "note", "disable_until_ts"]
        yield ",".join(columns) + "\n"
        for row in rows:
            out = io.StringIO()
            values = {
                "id": row["id"],
                "note": row["note"] or "",
                "disable_until_ts": row["disable_until_ts"],
            }
            values.update(row["signals"])
            csv.writer(out, lineterminator="\n").writerow([values.get(c, "") for c in columns])
            yield out.getvalue()
