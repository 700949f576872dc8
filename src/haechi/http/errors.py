"""One place that maps haechi's error tree to HTTP status codes and JSON bodies.

HMA routes answer `{"message": ...}` exactly as HMA does; haechi's own `/api/v1` routes add the
error's type name under `error` so clients can branch on it. The web UI (`/ui/...`) answers with
pages in its own layout instead (http.ui.error_page).
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from haechi.domain import errors as e
from haechi.http.ui.error_page import is_ui, ui_error

STATUS: list[tuple[type[e.HaechiError], int]] = [
    (e.UnsupportedMedia, 415),
    (e.InvalidInput, 400),
    (e.MediaTooLarge, 413),
    (e.NotFound, 404),
    (e.Conflict, 409),
    (e.FetchFailed, 400),
    (e.Unauthorized, 401),
    (e.Forbidden, 403),
    (e.NotReady, 503),
    (e.RateLimited, 429),
]


def status_for(error: e.HaechiError) -> int:
    for cls, code in STATUS:
        if isinstance(error, cls):
            return code
    return 500


def body(request: Request, message: str, kind: str) -> dict[str, str]:
    if request.url.path.startswith("/api/"):
        return {"message": message, "error": kind}
    return {"message": message}


def install(app: FastAPI) -> None:
    async def on_haechi(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, e.HaechiError)
        if is_ui(request):
            return await ui_error(request, status_for(exc), exc.message)
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, e.Unauthorized) else None
        return JSONResponse(
            body(request, exc.message, type(exc).__name__), status_for(exc), headers=headers
        )

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        parts = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("query", "body"))
            parts.append(f"{where}: {err.get('msg', 'invalid')}" if where else err.get("msg", ""))
        if is_ui(request):
            return await ui_error(request, 422, "; ".join(parts))
        return JSONResponse(body(request, "; ".join(parts), "ValidationError"), 422)

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if is_ui(request):
            return await ui_error(request, exc.status_code, str(exc.detail), exc.headers)
        return JSONResponse(
            body(request, str(exc.detail), "HTTPError"), exc.status_code, headers=exc.headers
        )

    async def on_overflow(request: Request, exc: Exception) -> Response:
        # a number past what the database stores (SQLite: 64-bit) in an id, offset or limit
        if is_ui(request):
            return await ui_error(request, 400, "a number is out of range")
        return JSONResponse(body(request, "a number is out of range", "InvalidInput"), 400)

    app.add_exception_handler(e.HaechiError, on_haechi)
    app.add_exception_handler(OverflowError, on_overflow)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
