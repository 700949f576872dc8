"""The hotline API: a case's thread, read receipts, attachments, and the evidence package.

Only organisations taking part in the case reach its thread; others get 404 as for a case that
does not exist. Messages are posted as JSON, or as multipart (fields `body`, `to_org`,
`reply_within_h` and any number of `file` parts) to carry attachments.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from haechi.domain.errors import InvalidInput, MediaTooLarge
from haechi.domain.hotline import MessageDraft
from haechi.domain.tenancy import Principal
from haechi.http.api.hotline_schemas import MessageCreate, MessagePublic, ReadBody, ThreadPublic
from haechi.http.context import AppServices
from haechi.http.deps import PrincipalDep, ServicesDep
from haechi.services.hotline import Upload

router = APIRouter(prefix="/api/v1/cases", tags=["hotline"])


@router.get("/{number}/messages", summary="The case's hotline thread, with receipts and clocks")
def thread(services: ServicesDep, principal: PrincipalDep, number: str) -> ThreadPublic:
    return ThreadPublic.of(services.hotline.threads.thread(principal, number))


@router.post("/{number}/messages", status_code=201, summary="Post a message (JSON or multipart)")
async def post(
    request: Request, services: ServicesDep, principal: PrincipalDep, number: str
) -> MessagePublic:
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        given, files = await _multipart(request, services.web.max_upload_bytes)
    else:
        given, files = _json_message(await request.body()), []
    return await run_in_threadpool(_post, services, principal, number, given, files)


def _post(
    services: AppServices,
    principal: Principal,
    number: str,
    given: MessageCreate,
    files: list[Upload],
) -> MessagePublic:
    to_org = services.auth.org(given.to_org) if given.to_org else None
    draft = MessageDraft(given.body, to_org.id if to_org else None, given.reply_within_h)
    message = services.hotline.threads.post(principal, number, draft, files)
    names = {o.id: o.name for o in services.auth.orgs()}
    return MessagePublic.of(message, names)


def _json_message(raw: bytes) -> MessageCreate:
    try:
        return MessageCreate.model_validate_json(raw)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise InvalidInput(f"a JSON message is needed ({problems})") from None


async def _multipart(request: Request, max_bytes: int) -> tuple[MessageCreate, list[Upload]]:
    form = await request.form(max_files=10, max_fields=10)
    try:
        files = []
        for _name, value in form.multi_items():
            if isinstance(value, UploadFile):
                data = await value.read(max_bytes + 1)
                if len(data) > max_bytes:
                    raise MediaTooLarge(f"attachment exceeds {max_bytes} bytes")
                kind = value.content_type or "application/octet-stream"
                files.append(Upload(value.filename or "attachment", kind, data))
        fields = {k: v for k, v in form.multi_items() if isinstance(v, str) and v}
    finally:
        await form.close()
    try:
        return MessageCreate.model_validate(fields), files
    except ValueError:
        raise InvalidInput("body is required; reply_within_h must be a number") from None


@router.post("/{number}/messages/read", summary="Record read receipts (all messages by default)")
def mark_read(
    services: ServicesDep,
    principal: PrincipalDep,
    number: str,
    body: Annotated[ReadBody | None, Body()] = None,
) -> dict[str, int]:
    ids = body.message_ids if body is not None else None
    return {"new": services.hotline.threads.mark_read(principal, number, ids)}


@router.get("/{number}/attachments/{sha256}", summary="A thread attachment (audited)")
def attachment(
    services: ServicesDep, principal: PrincipalDep, number: str, sha256: str
) -> Response:
    data, kind, _name = services.hotline.threads.attachment(principal, number, sha256)
    headers = {
        "Cache-Control": "no-store",
        "Content-Disposition": f'attachment; filename="{sha256}"',
    }
    return Response(data, media_type=kind, headers=headers)


@router.get("/{number}/evidence", summary="Download the signed evidence package (audited)")
def evidence(services: ServicesDep, principal: PrincipalDep, number: str) -> Response:
    data = services.hotline.evidence.export(principal, number)
    headers = {
        "Cache-Control": "no-store",
        "Content-Disposition": f'attachment; filename="{number}-evidence.zip"',
    }
    return Response(data, media_type="application/zip", headers=headers)
