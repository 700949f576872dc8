"""Errors of the web UI as pages in the UI's own layout, not as JSON.

`/ui/...` answers a refusal or a missing page with a short Korean and English explanation, the
error's message and a link back (to the section the page belongs to, or home). Signing in is
not an error page: a request without a session goes to the sign-in page (htmx requests get an
`HX-Redirect`, so a polling fragment never swaps the sign-in form into a table). The API, the
HMA routes and the victims' page keep answering JSON (http.errors).
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from haechi.domain.errors import HaechiError
from haechi.domain.tenancy import Principal
from haechi.http.context import AppServices
from haechi.http.deps import find_principal
from haechi.http.ui.shell import NAV, render

LOGIN = "/ui/login"
#: status -> (Korean, English) headline; the error's own message is shown below it
HEADLINES: dict[int, tuple[str, str]] = {
    400: ("요청을 처리할 수 없습니다", "The request could not be processed"),
    403: ("접근 권한이 없습니다", "You do not have access to this page"),
    404: ("페이지를 찾을 수 없습니다", "Not found, or not visible to your organisation"),
    405: ("허용되지 않는 요청입니다", "This page does not accept that request"),
    409: ("다른 변경과 충돌했습니다", "This conflicts with another change"),
    413: ("파일이 너무 큽니다", "The upload is too large"),
    415: ("지원하지 않는 파일 형식입니다", "This file type is not supported"),
    422: ("입력값을 확인해 주세요", "Some fields are missing or wrong"),
    429: ("요청이 너무 많습니다", "Too many requests; wait a moment and try again"),
    503: ("일시적으로 사용할 수 없습니다", "Not available right now"),
}
_FALLBACK = ("오류가 발생했습니다", "Something went wrong")


def is_ui(request: Request) -> bool:
    path = request.url.path
    return path == "/ui" or path.startswith("/ui/")


def _principal(request: Request, services: AppServices) -> Principal | None:
    try:
        return find_principal(request, services)
    except HaechiError:
        return None


def back_link(path: str, principal: Principal | None) -> tuple[str, str]:
    """(href, label): the menu section the failed page belongs to, else home or sign-in."""
    if principal is None:
        if path.startswith("/ui/report"):
            return "/ui/report", "신고 양식 · Report form"
        return LOGIN, "로그인 · Sign in"
    shown = [n for n in NAV if n.shown_to(principal) and path.startswith(n.href + "/")]
    if shown:
        best = max(shown, key=lambda n: len(n.href))
        return best.href, f"{best.label}"
    return "/ui/", "처음으로 · Home"


def _page(request: Request, status: int, message: str) -> HTMLResponse:
    services: AppServices = request.app.state.services
    principal = _principal(request, services)
    korean, english = HEADLINES.get(status, _FALLBACK)
    href, label = back_link(request.url.path, principal)
    page = render(
        request, services, "error.html", principal,
        status=status, korean=korean, english=english, message=message,
        back_href=href, back_label=label,
    )  # fmt: skip
    page.status_code = status
    return page


def _bare(status: int, message: str) -> HTMLResponse:
    """Without the layout (the database behind the layout failed too)."""
    korean, english = HEADLINES.get(status, _FALLBACK)
    body = (
        f"<!doctype html><meta charset=utf-8><title>{status}</title><h1>{korean} · {english}</h1>"
        f'<p>{escape(message)}</p><p><a href="/ui/">haechi</a></p>'
    )
    return HTMLResponse(body, status)


async def ui_error(
    request: Request, status: int, message: str, headers: Mapping[str, str] | None = None
) -> Response:
    """The answer to a failed `/ui/...` request."""
    if status == 401:
        if request.headers.get("hx-request") == "true":
            return Response(status_code=401, headers={"HX-Redirect": LOGIN})
        return RedirectResponse(LOGIN, status_code=303)
    try:
        page = await run_in_threadpool(_page, request, status, message)
    except Exception:  # the layout reads the database, which may be what failed
        page = _bare(status, message)
    if headers:
        page.headers.update(headers)
    return page
