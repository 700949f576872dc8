"""Evidence packages: everything known about a case, exported as a signed, self-checking archive.

Only organisations that can see the case (owner, or shared with) export it. The export is audited
in the same unit of work that reads the data, and that audit entry ends the package's audit
segment, so the package records its own custody (see `domain.evidence` for the format and what
verification checks). Reported media are never included, only their hashes; hotline attachments
are, by SHA-256.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from haechi.domain.audit import AuditEntry
from haechi.domain.cases import Case, parse_case_number
from haechi.domain.errors import NotFound
from haechi.domain.evidence import (
    EXPORT_ACTION,
    SEGMENT,
    build_zip,
    content_digest,
    entry_dict,
    manifest_for,
    to_json,
)
from haechi.domain.tenancy import Permission, Principal
from haechi.services.audit import record
from haechi.services.ports import UnitOfWork, UnitOfWorkFactory
from haechi.services.ports_cases import BlobStore
from haechi.services.ports_hotline import Signer

_PAGE = 5000
MAX_MATCH_EVENTS = 10_000


class EvidenceService:
    def __init__(self, *, uow_factory: UnitOfWorkFactory, blobs: BlobStore, signer: Signer) -> None:
        self._uow = uow_factory
        self._blobs = blobs
        self._signer = signer

    def public_key_pem(self) -> bytes:
        return self._signer.public_key_pem()

    def export(self, principal: Principal, number: str) -> bytes:
        """The signed zip; the export is audited as `evidence.export` inside it."""
        principal.require(Permission.CASES_READ)
        with self._uow() as uow:
            case = uow.cases.get_case(parse_case_number(number))
            if case is None or not case.visible_to(principal.org_id):
                raise NotFound(f"case {number} not found")
            files, resources = self._collect(uow, case)
            digest, package = content_digest(files), uuid.uuid4().hex
            entry = record(
                uow,
                principal,
                EXPORT_ACTION,
                "case",
                case.number,
                package=package,
                content_digest=digest,
                key_id=self._signer.key_id,
            )
            files[SEGMENT] = to_json(_segment(uow, resources, entry))
            org = uow.tenancy.get_org(principal.org_id)
        custody = {
            "actor": entry.actor,
            "org_id": entry.org_id,
            "org": org.name if org else None,
            "at": entry.at,
            "audit_seq": entry.seq,
            "audit_hash": entry.hash,
        }
        manifest = manifest_for(
            files,
            case=case.number,
            package_id=package,
            content_digest=digest,
            key_id=self._signer.key_id,
            custody=custody,
        )
        return build_zip(files, manifest, self._signer.sign(manifest))

    def _collect(
        self, uow: UnitOfWork, case: Case
    ) -> tuple[dict[str, bytes], set[tuple[str, str]]]:
        items = uow.cases.items(case.id)
        notices = [n for i in uow.hotline.notice_ids_for_case(case.id) if (n := uow.notices.get(i))]
        requests = uow.le_requests.list_for_case(case.id)
        messages = uow.hotline.messages(case.id)
        content_ids = {i.bank_content_id for i in items if i.bank_content_id is not None}
        content_ids |= {e.content_id for i in items for e in i.evidence}
        files: dict[str, bytes] = {
            "case.json": to_json(_case(case, uow)),
            "items.json": to_json([_item(i) for i in items]),
            "match_events.json": to_json(
                uow.hotline.match_events_for(sorted(content_ids), limit=MAX_MATCH_EVENTS)
            ),
            "decisions.json": to_json(uow.cases.decisions(case.id)),
            "notices.json": to_json(notices),
            "le_requests.json": to_json(requests),
            "messages.json": to_json(messages),
            "receipts.json": to_json(uow.hotline.receipts(case.id)),
        }
        for ref in {a.sha256 for m in messages for a in m.attachments}:
            files[f"attachments/{ref}"] = self._blobs.get(ref)
        resources = {("case", case.number)}
        resources |= {("notice", str(n.id)) for n in notices}
        resources |= {("le_request", str(r.id)) for r in requests}
        return files, resources


def _case(case: Case, uow: UnitOfWork) -> dict[str, Any]:
    """The case and where its reports came from; never reporters' contact details or PINs."""
    reports = uow.cases.reports(case.id)
    return {
        "number": case.number,
        "status": case.status.value,
        "owner_org_id": case.owner_org_id,
        "shared_with": sorted(case.shared_with),
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "reports": [
            {
                "id": r.id,
                "reporter_kind": r.fields.reporter_kind.value,
                "channel": r.fields.channel.value,
                "platform": r.fields.platform,
                "room": r.fields.room,
                "exact_location": r.fields.exact_location,
                "status": r.status.value,
                "created_at": r.created_at,
            }
            for r in reports
        ],
    }


def _item(item: Any) -> dict[str, Any]:
    return {
        "id": item.id,
        "report_id": item.report_id,
        "kind": item.kind.value,
        "status": item.status.value,
        "created_at": item.created_at,
        "url": item.url,
        "chat_link": item.chat_link,
        "signals": item.signals,
        "media_sha256": item.media_key,
        "match_evidence": [e.as_dict() for e in item.evidence],
        "bank_content_id": item.bank_content_id,
    }


def _segment(
    uow: UnitOfWork, resources: set[tuple[str, str]], export: AuditEntry
) -> dict[str, Any]:
    """Entries about the case's resources in full, and links from the first of them to `export`."""
    entries: list[dict[str, Any]] = []
    links: list[tuple[int, str, str]] = []
    after = 0
    while after < export.seq:
        page: Sequence[AuditEntry] = uow.audit.entries(after_seq=after, limit=_PAGE)
        if not page:
            break
        for entry in page:
            if entry.seq > export.seq:
                break
            if (entry.resource_type, entry.resource_id) in resources:
                entries.append(entry_dict(entry))
            if entries:
                links.append((entry.seq, entry.prev_hash, entry.hash))
        after = page[-1].seq
    return {"entries": entries, "links": links}
