"""Public report intake (`/api/v1/reports`): anyone may report; a case number and PIN come back.

`POST /api/v1/reports` takes JSON (hash-only, URL and chat-link items) or multipart/form-data with
the same JSON in a `report` field plus up to 20 files in `file` fields. Without a bearer token the
report is anonymous (a victim or the public); with an organisation's token it is that
organisation's report, and the answer adds the match evidence. Cookies are ignored here, so a web
session can never be made to file a report. Anonymous reports, status checks and withdrawals pass
the same abuse guard as the victim page (`services.public_guard`: one budget per source across
`/api/v1/reports`, `/ui/report` and `/victim`); the whole body is capped by the app's upload limit.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from haechi.domain.errors import InvalidInput, MediaTooLarge, Unauthorized
from haechi.domain.reports import MAX_ITEMS
from haechi.domain.tenancy import Principal
from haechi.http.api.case_schemas import (
    MatchPublic,
    PinBody,
    ReceiptPublic,
    ReportCreate,
    StatusPublic,
)
from haechi.http.context import AppServices
from haechi.http.deps import ServicesDep, find_principal
from haechi.services.intake import ItemInput, Receipt, ReportInput, Upload

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])


def _submitter(request: Request, services: AppServices) -> Principal | None:
    if not request.headers.get("authorization", "").lower().startswith("bearer "):
        return None
    principal = find_principal(request, services)
    if principal is None:
        raise Unauthorized("invalid bearer token")
    return principal


def client_address(request: Request) -> str | None:
    """The address the public guard counts by (the proxy's, behind one: limit there too)."""
    return request.client.host if request.client else None


def report_input(body: ReportCreate, uploads: list[Upload]) -> ReportInput:
    raw = body.model_dump(exclude={"items", "recipient"})
    raw["channel"] = raw.get("channel") or "api"
    items = [
        ItemInput(kind=i.kind, url=i.url, chat_link=i.chat_link, signals=i.signals)
        for i in body.items
    ]
    items += [ItemInput(kind="file", upload=u) for u in uploads]
    return ReportInput(fields=raw, items=items, recipient=body.recipient)


async def _multipart(request: Request, max_bytes: int) -> tuple[ReportCreate, list[Upload]]:
    form = await request.form(max_files=MAX_ITEMS, max_fields=10)
    try:
        raw = form.get("report")
        body = parse_report(raw if isinstance(raw, str) else "{}")
        uploads: list[Upload] = []
        for name, value in form.multi_items():
            if not isinstance(value, UploadFile):
                continue
            if name != "file":
                raise InvalidInput("upload files in fields named 'file'")
            data = await value.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise MediaTooLarge(f"a file exceeds {max_bytes} bytes")
            uploads.append(Upload(data, value.filename or ""))
    finally:
        await form.close()
    return body, uploads


def parse_report(text: str) -> ReportCreate:
    try:
        return ReportCreate.model_validate(json.loads(text))
    except (json.JSONDecodeError, ValidationError) as e:
        raise InvalidInput(f"the report is not valid: {_first_error(e)}") from None


def _first_error(e: Exception) -> str:
    if isinstance(e, ValidationError):
        err = e.errors()[0]
        where = ".".join(str(p) for p in err.get("loc", ()))
        return f"{where}: {err.get('msg', 'invalid')}" if where else str(err.get("msg"))
    return "malformed JSON"


def receipt_public(receipt: Receipt, principal: Principal | None) -> ReceiptPublic:
    out = ReceiptPublic(
        case_number=receipt.case_number, pin=receipt.pin, items=len(receipt.evidence)
    )
    if principal is not None:
        out.attached = receipt.attached
        out.matches = [[MatchPublic.of(e) for e in item] for item in receipt.evidence]
    return out


@router.post("", status_code=201, summary="Report content (JSON, or multipart with files)")
async def submit(request: Request, services: ServicesDep) -> ReceiptPublic:
    principal = await run_in_threadpool(_submitter, request, services)
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        body, uploads = await _multipart(request, services.web.max_upload_bytes)
    elif content_type.startswith("application/json"):
        body, uploads = parse_report((await request.body()).decode("utf-8", "replace")), []
    else:
        raise InvalidInput("send application/json, or multipart/form-data with a 'report' field")
    report = report_input(body, uploads)
    if principal is None:
        bulk = services.public_guard.admit_report(client_address(request), len(report.items))
        report = replace(report, bulk_source=bulk)
    receipt = await run_in_threadpool(services.intake.submit, report, principal)
    return receipt_public(receipt, principal)


@router.get("/status", summary="A report's status, by case number and PIN")
def status_by_query(
    request: Request,
    services: ServicesDep,
    case_number: Annotated[str, Query()],
    pin: Annotated[str, Query(description="prefer POST: a PIN in a URL may end up in logs")],
) -> StatusPublic:
    services.public_guard.admit_check(client_address(request))
    return StatusPublic.of(services.reporter.status(case_number, pin))


@router.post("/status", summary="A report's status, by case number and PIN (in the body)")
def status_by_body(request: Request, services: ServicesDep, body: PinBody) -> StatusPublic:
    services.public_guard.admit_check(client_address(request))
    return StatusPublic.of(services.reporter.status(body.case_number, body.pin))


@router.post("/withdraw", summary="Withdraw a report (and, for a victim, what was banked from it)")
def withdraw(request: Request, services: ServicesDep, body: PinBody) -> StatusPublic:
    services.public_guard.admit_check(client_address(request))
    return StatusPublic.of(services.reporter.withdraw(body.case_number, body.pin))
