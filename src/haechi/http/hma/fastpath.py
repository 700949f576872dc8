"""The lookup-by-hash hot path, served without FastAPI's per-request machinery.

Platforms call `GET /m/lookup?signal_type=…&signal=…` for every upload, so its overhead is the
service's capacity. This ASGI middleware answers exactly the plain forms of `/m/lookup` (by hash)
and `/m/raw_lookup` with the same functions the FastAPI routes use — same auth, same JSON, same
errors — and passes every other request (URL lookups, odd parameters, validation errors) through
to FastAPI, which also keeps documenting these routes in the OpenAPI schema.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from haechi.domain.errors import HaechiError
from haechi.http import errors
from haechi.http.context import AppServices
from haechi.http.deps import require_caller
from haechi.http.fastjson import FastJSONResponse
from haechi.http.hma.matching import lookup_payload, raw_lookup_payload

_BOOLS = {
    "true": True,
    "1": True,
    "yes": True,
    "on": True,
    "false": False,
    "0": False,
    "no": False,
    "off": False,
}
_PATHS = frozenset({"/m/lookup", "/m/raw_lookup"})


class HotLookups:
    def __init__(self, app: ASGIApp, services: AppServices) -> None:
        self.app = app
        self.services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"] in _PATHS:
            request = Request(scope, receive)
            response = self._answer(request)
            if response is not None:
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _answer(self, request: Request) -> Response | None:
        """A response, or None to let FastAPI handle the request."""
        q = request.query_params
        signal, signal_type = q.get("signal"), q.get("signal_type")
        flag = "include_distance" if request.url.path == "/m/raw_lookup" else "bypass_coinflip"
        flag_value = _BOOLS.get(q.get(flag, "false").lower())
        if not signal or not signal_type or "url" in q or flag_value is None:
            return None
        if request.url.path == "/m/lookup" and q.get("dihedral", "false").lower() not in _BOOLS:
            return None
        try:
            caller = require_caller(request, self.services)
            if request.url.path == "/m/raw_lookup":
                payload = raw_lookup_payload(
                    self.services, signal_type, signal, q.get("banks"), flag_value
                )
            else:
                payload = lookup_payload(
                    self.services,
                    caller,
                    signal_type,
                    signal,
                    banks=q.get("banks"),
                    seed=q.get("seed"),
                    bypass_coinflip=flag_value,
                )
        except HaechiError as e:
            headers = {"WWW-Authenticate": "Bearer"} if errors.status_for(e) == 401 else None
            return JSONResponse(
                errors.body(request, e.message, type(e).__name__), errors.status_for(e), headers
            )
        return FastJSONResponse(payload)
