"""Shared pieces for the security tests: a seeded live server, tokens, and route enumeration."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from starlette.routing import Mount

from haechi.bootstrap import Container
from haechi.domain.tenancy import Role
from tests.fixtures.cases import bank_photo, hash_report, seed, upload_report

#: a static service token for HMA routes (the settings' api_tokens)
SERVICE_TOKEN = "fuzz-service-token-0123456789"


@dataclass(frozen=True)
class Route:
    method: str
    path: str


def seed_for_fuzz(c: Container) -> str:
    """Tenants, a bank with content, two reports; returns an all-roles regulator token."""
    seed(c)
    bank_photo(c, "astronaut")
    upload_report(c, "coffee")
    hash_report(c, {"md5": "0" * 32})
    return c.auth.create_token(org="KCSC", name="fuzz-admin", roles=frozenset(Role))


def app_routes(app: FastAPI) -> Iterator[Route]:
    """Every (method, path) the application answers, schema or not (mounts as one GET)."""
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        path = context.path
        if isinstance(route, Mount) or path is None:
            continue
        for method in sorted(getattr(route, "methods", None) or {"GET"}):
            if method != "HEAD":
                yield Route(method, path)


def concrete(path: str, value: str = "1") -> str:
    """A request path with every `{param}` (and `{param:converter}`) filled in."""
    return re.sub(r"\{[^}]+\}", value, path)
