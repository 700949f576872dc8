"""Blocklists over the API: regulators add and lift entries; ISPs and platforms poll the signed
exports (`GET /api/v1/blocklists/<name>.txt|csv|rpz`) with `If-None-Match` and get 304 until the
list changes.

Each export carries `ETag`, `Last-Modified`, `X-Haechi-Serial`, and a detached Ed25519 signature
of the exact body in `X-Haechi-Signature` (base64; also at `<name>.<fmt>.sig`), made with the key
published at `/api/v1/blocklists/public-key` (named by `X-Haechi-Key-Id`, the SHA-256 of the raw
public key). Verify it with any Ed25519 library, or `openssl pkeyutl -verify -rawin`.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response

from haechi.domain.blocklists import Format
from haechi.domain.errors import NotFound
from haechi.domain.tenancy import Principal
from haechi.http.api.room_schemas import BlocklistPublic, EntryIn, EntryPublic, RemovalIn
from haechi.http.context import AppServices
from haechi.http.deps import PrincipalDep, ServicesDep
from haechi.services.blocklists import NewEntry, Rendered

router = APIRouter(prefix="/api/v1/blocklists", tags=["blocklists"])


@router.get("", summary="Blocklists and where to fetch each format")
def lists(services: ServicesDep, principal: PrincipalDep) -> list[BlocklistPublic]:
    return [BlocklistPublic.of(b) for b in services.rooms.blocklists.lists(principal)]


@router.get("/public-key", summary="The Ed25519 public key (PEM) that signs every export")
def public_key(services: ServicesDep) -> Response:
    key_id, pem = services.rooms.blocklists.public_key()
    return Response(pem, media_type="application/x-pem-file", headers={"x-haechi-key-id": key_id})


@router.get("/{name}/entries", summary="Every entry of a list, lifted ones included")
def entries(services: ServicesDep, principal: PrincipalDep, name: str) -> list[EntryPublic]:
    snap = services.rooms.blocklists.snapshot(principal, name)
    now = time.time()
    return [EntryPublic.of(e, now) for e in (*snap.active, *snap.removed)]


@router.post("/{name}/entries", status_code=201, summary="Add a URL or domain to a list")
def add_entry(
    services: ServicesDep, principal: PrincipalDep, name: str, body: EntryIn
) -> EntryPublic:
    when = body.effective_from.timestamp() if body.effective_from else None
    entry = NewEntry(name, body.kind, body.value, body.reason, body.case_id, body.room_id, when)
    return EntryPublic.of(services.rooms.blocklists.add(principal, entry), time.time())


@router.post(
    "/{name}/cases/{case_id:int}",
    status_code=201,
    summary="Add the invite links of a case's rooms that spread confirmed material",
)
def add_case_rooms(
    services: ServicesDep, principal: PrincipalDep, name: str, case_id: int
) -> list[EntryPublic]:
    added = services.rooms.blocklists.add_case_rooms(principal, name, case_id)
    now = time.time()
    return [EntryPublic.of(e, now) for e in added]


@router.post("/entries/{entry_id:int}/remove", summary="Lift an entry (it moves to removals)")
def remove_entry(
    services: ServicesDep, principal: PrincipalDep, entry_id: int, body: RemovalIn
) -> EntryPublic:
    entry = services.rooms.blocklists.remove(principal, entry_id, body.reason)
    return EntryPublic.of(entry, time.time())


def _split(filename: str) -> tuple[str, Format, bool]:
    stem, sig = (filename[:-4], True) if filename.endswith(".sig") else (filename, False)
    name, _, ext = stem.rpartition(".")
    try:
        return name, Format(ext), sig
    except ValueError:
        raise NotFound(f"no such export: {filename[:80]} (use .txt, .csv or .rpz)") from None


def _render(services: AppServices, principal: Principal, filename: str) -> tuple[Rendered, bool]:
    name, fmt, sig = _split(filename)
    return services.rooms.blocklists.render(principal, name, fmt), sig


def _not_modified(request: Request, rendered: Rendered) -> bool:
    tags = [t.strip() for t in request.headers.get("if-none-match", "").split(",")]
    if tags != [""]:
        return rendered.etag in tags or "*" in tags
    since = request.headers.get("if-modified-since")
    if since:
        try:
            moment = parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
        return int(rendered.last_modified) <= moment.timestamp()
    return False


@router.get("/{filename}", summary="A list as text, CSV or RPZ (signed; ETag / If-None-Match)")
def export(
    request: Request, services: ServicesDep, principal: PrincipalDep, filename: str
) -> Response:
    rendered, sig = _render(services, principal, filename)
    headers = {
        "etag": rendered.etag,
        "last-modified": format_datetime(
            datetime.fromtimestamp(rendered.last_modified, UTC), usegmt=True
        ),
        "cache-control": "private, no-cache",
        "x-haechi-serial": str(rendered.serial),
        "x-haechi-key-id": rendered.key_id,
        "x-haechi-signature": rendered.signature,
    }
    if sig:
        return PlainTextResponse(rendered.signature + "\n", headers=headers)
    if _not_modified(request, rendered):
        return Response(status_code=304, headers=headers)
    return Response(rendered.body, media_type=rendered.media_type, headers=headers)
