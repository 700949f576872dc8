"""Import and export the threatexchange CLI's dataset formats, so banks move to and from
`threatexchange` installations (and HMA deployments fed by it) without custom scripts.

Formats (as `threatexchange dataset` prints them, and as its local-file exchange reads them):
- `csv`: `threatexchange dataset -P --csv` — header `signal_type,signal_str,collab,category,tags`.
  Rows whose category is NEGATIVE_CLASS (someone's "this is not abuse") are not imported.
- `simple`: `threatexchange dataset -P -S` and the local-file exchange — one `<type> <signal>` per
  line (anything after the signal, as `dataset -P` prints, is ignored).
threatexchange's `video_md5` is haechi's `md5`; other types pass through when haechi knows them.
Import goes through `BankTransfer` (validated whole, all or nothing, duplicates skipped).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from haechi.domain.errors import InvalidInput
from haechi.services.bank_io import BankTransfer, ImportReport

TE_TO_HAECHI = {"video_md5": "md5"}
HAECHI_TO_TE = {"md5": "video_md5"}
CSV_HEADER = ("signal_type", "signal_str", "collab", "category", "tags")
NEGATIVE = "NEGATIVE_CLASS"
SOURCE = "threatexchange-cli"


class TeDataset:
    def __init__(self, *, transfer: BankTransfer) -> None:
        self._transfer = transfer

    def import_text(self, bank: str, text: str, *, fmt: str) -> ImportReport:
        records = list(_records(text, fmt))
        if not records:
            raise InvalidInput("the file holds no signals")
        body = "\n".join(json.dumps(r) for r in records)
        return self._transfer.import_text(bank, body, fmt="json", source=SOURCE)

    def export_text(self, bank: str, *, fmt: str) -> Iterator[str]:
        if fmt not in ("csv", "simple"):
            raise InvalidInput("format must be csv or simple")
        if fmt == "csv":
            yield ",".join(CSV_HEADER) + "\r\n"
        for row in self._transfer.export_rows(bank):
            for name, value in sorted(row["signals"].items()):
                te_name = HAECHI_TO_TE.get(name, name)
                if fmt == "simple":
                    yield f"{te_name} {value}\n"
                    continue
                out = io.StringIO()
                csv.writer(out).writerow([te_name, value, bank, "POSITIVE_CLASS", ""])
                yield out.getvalue()


def _records(text: str, fmt: str) -> Iterator[dict[str, Any]]:
    if fmt == "csv":
        yield from _csv_records(text)
    elif fmt == "simple":
        yield from _simple_records(text)
    else:
        raise InvalidInput("format must be csv or simple")


def _csv_records(text: str) -> Iterator[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not {"signal_type", "signal_str"} <= set(reader.fieldnames):
        raise InvalidInput("CSV needs the header signal_type,signal_str,collab,category,tags")
    for row in reader:
        if (row.get("category") or "").strip() == NEGATIVE:
            continue
        kind, value = (row.get("signal_type") or "").strip(), (row.get("signal_str") or "").strip()
        if not kind and not value:
            continue
        meta: dict[str, Any] = {k: row[k] for k in ("collab", "category") if row.get(k)}
        tags = (row.get("tags") or "").split()
        if tags:
            meta["tags"] = tags
        yield {"signals": {TE_TO_HAECHI.get(kind, kind): value}, "metadata": meta or None}


def _simple_records(text: str) -> Iterator[dict[str, Any]]:
    for line in text.splitlines():
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        if len(parts) < 2:
            raise InvalidInput(f"expected '<signal type> <signal>', got {line[:80]!r}")
        yield {"signals": {TE_TO_HAECHI.get(parts[0], parts[0]): parts[1]}}
