"""The tenancy matrix of issue 3: every role x every case/notice/webhook/audit route x own tenant or
another tenant, against a live server with organisations' bearer tokens.

Two tenants, A and B, each a regulator with a platform it sends notices to, hold the same kinds of
data. A check calls a route on tenant A's resource with a token of one role, either from A (the
route's home organisation: the case owner, the notice's sender or addressee) or from the same kind
of organisation in B. The expectation comes from `domain.tenancy.GRANTS` alone:
- own tenant: 2xx when the role holds the route's permission, else 403;
- other tenant, a route on one of A's resources ("deny"): 403 or 404, and A's state is unchanged;
- other tenant, a route on the caller's own collection ("scoped"): as for the own tenant, and the
  answer holds none of A's data (A's case numbers, platform name, webhook URL).
Adding a route is one line in ROUTES.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx
import pytest

from haechi.bootstrap import Container
from haechi.domain.notices import ItemKind, NewItem, NoticeDraft
from haechi.domain.sla import resolve_policy
from haechi.domain.tenancy import GRANTS, Organisation, Permission, Principal, Role
from haechi.services.intake import ItemInput, ReportInput, Upload
from haechi.services.review import DecisionInput
from tests.conftest import LiveServer, make_settings
from tests.fixtures import images

P = Permission
Home = Literal["reg", "plat"]
ESCALATE = {"outcome": "escalate", "note": "needs a second look"}
NOTICE = {
    "platform": "{my_platform}",
    "legal_ground": "Sexual Violence Punishment Act, Art. 14-2",
    "items": [{"kind": "url", "value": "https://t.me/c/1/2"}],
    "case_id": "{case_id}",
}
REMOVED = {"outcomes": [{"item_id": "{notice_item}", "outcome": "removed"}]}
HOOK = {"url": "{my_hook_url}"}
STATEMENT = {
    "decision_visibility": ["DECISION_VISIBILITY_CONTENT_REMOVED"],
    "content_type": ["CONTENT_TYPE_IMAGE"],
    "illegal_content_legal_ground": "Sexual Violence Punishment Act, Art. 14-2",
    "illegal_content_explanation": "a sexual deepfake of a real person",
    "decision_facts": "the reporter's account and the picture",
}


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    permission: Permission
    home: Home = "reg"
    #: deny: another tenant gets 403/404 · scoped: another tenant acts on its own data only
    cross: Literal["deny", "scoped"] = "deny"
    body: dict[str, Any] | None = None
    #: the answer lists the tenant's data (own tenant: some of it; other tenant: none of A's)
    lists: bool = False
    #: a write that changes its target: each check gets a new target of its own
    fresh: bool = False

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.home}]"


ROUTES: list[Route] = [
    Route("GET", "/api/v1/cases", P.CASES_READ, cross="scoped", lists=True),
    Route("GET", "/api/v1/cases/{case}", P.CASES_READ),
    Route("GET", "/api/v1/cases/{case}/items/{media_item}/media", P.MEDIA_REVEAL),
    Route(
        "POST",
        "/api/v1/cases/{case}/items/{item}/decisions",
        P.DECISIONS_WRITE,
        body=ESCALATE,
        fresh=True,
    ),
    Route("GET", "/api/v1/cases/{case}/decisions/{decision}/statement", P.CASES_READ),
    Route("GET", "/api/v1/cases/{case}/detections", P.CASES_READ),
    Route("POST", "/api/v1/cases/{case}/detections", P.CASES_WRITE),
    Route("POST", "/api/v1/cases/{case}/share", P.CASES_WRITE, body={"org": "KNPA"}, fresh=True),
    Route("POST", "/api/v1/notices", P.NOTICES_SEND, body=NOTICE),
    Route("GET", "/api/v1/notices", P.NOTICES_READ, cross="scoped", lists=True),
    Route("GET", "/api/v1/notices", P.NOTICES_READ, "plat", cross="scoped", lists=True),
    Route("GET", "/api/v1/notices/{notice}", P.NOTICES_READ),
    Route("GET", "/api/v1/notices/{notice}", P.NOTICES_READ, "plat"),
    Route("POST", "/api/v1/notices/{notice}/acknowledge", P.NOTICES_RESPOND, "plat", fresh=True),
    Route(
        "POST",
        "/api/v1/notices/{notice}/outcomes",
        P.NOTICES_RESPOND,
        "plat",
        body=REMOVED,
        fresh=True,
    ),
    Route("GET", "/api/v1/notices/board", P.NOTICES_READ, cross="scoped", lists=True),
    Route("GET", "/api/v1/notices/board", P.NOTICES_READ, "plat", cross="scoped", lists=True),
    Route("POST", "/api/v1/webhooks", P.ORG_ADMIN, cross="scoped", body=HOOK),
    Route("GET", "/api/v1/webhooks", P.ORG_ADMIN, cross="scoped", lists=True),
    Route("POST", "/api/v1/webhooks/{hook}/rotate", P.ORG_ADMIN),
    Route("GET", "/api/v1/webhooks/{hook}/deliveries", P.ORG_ADMIN),
    Route("DELETE", "/api/v1/webhooks/{hook}", P.ORG_ADMIN, fresh=True),
    Route("GET", "/api/v1/audit", P.AUDIT_READ, cross="scoped", lists=True),
    Route("GET", "/api/v1/cases/{case_id}/room-graph", P.ROOMS_READ),
    Route("GET", "/api/v1/exchange/feed", P.EXCHANGE_READ, cross="scoped"),
    Route("GET", "/api/v1/exchange/feed", P.EXCHANGE_READ, "plat", cross="scoped"),
    Route("GET", "/api/v1/exchange/sources", P.EXCHANGE_ADMIN, cross="scoped"),
    Route("GET", "/api/v1/exchange/held", P.EXCHANGE_ADMIN, cross="scoped"),
]
TENANCY = ("own", "other")
CHECKED: list[str] = []


@dataclass
class Tenant:
    label: str
    orgs: dict[str, Organisation]
    #: placeholder values of this tenant's standing resources
    values: dict[str, Any] = field(default_factory=dict)
    tokens: dict[tuple[str, Role], str] = field(default_factory=dict)

    def admin(self, home: str) -> Principal:
        return Principal.of(self.orgs[home], frozenset({Role.ADMIN}), label=f"seed-{self.label}")


@dataclass
class World:
    server: LiveServer
    client: httpx.Client
    a: Tenant
    b: Tenant
    #: strings only tenant A's data contains
    a_markers: set[str]

    @property
    def c(self) -> Container:
        container: Container = self.server.app.state.container
        return container


def new_case(c: Container, t: Tenant, *, photo: bool = False) -> dict[str, Any]:
    items = [ItemInput(kind="url", url=f"https://t.me/{t.label}/1")]
    if photo:
        items.insert(0, ItemInput(kind="file", upload=Upload(images.png_bytes("coffee"), "c.png")))
    fields = {
        "reporter_kind": "regulator",
        "explanation": f"seen by tenant {t.label}",
        "good_faith": True,
        "platform": t.orgs["plat"].name.lower(),
    }
    receipt = c.intake.submit(ReportInput(fields, items), t.admin("reg"))
    view = c.review.case(t.admin("reg"), receipt.case_number)
    ids = [i.id for i in view.items]
    return {
        "case": receipt.case_number,
        "case_id": view.case.id,
        "item": ids[-1],
        "media_item": ids[0],
    }


def new_notice(c: Container, t: Tenant) -> dict[str, Any]:
    draft = NoticeDraft(
        platform=t.orgs["plat"].name,
        legal_ground=f"Art. 14-2 ({t.label})",
        policy=resolve_policy("kcsc_24h"),
        items=(NewItem(ItemKind.URL, f"https://t.me/{t.label}/9"),),
    )
    notice = c.notices.send(t.admin("reg"), draft)
    return {"notice": notice.id, "notice_item": notice.items[0].id}


def new_hook(c: Container, t: Tenant) -> dict[str, Any]:
    endpoint, _ = c.webhooks.register(t.admin("reg"), url=t.values["my_hook_url"], events=[])
    return {"hook": endpoint.id}


def seed_tenant(c: Container, label: str, reg: str, plat: str) -> Tenant:
    t = Tenant(
        label,
        {
            "reg": c.auth.create_org(reg, "regulator", "Asia/Seoul"),
            "plat": c.auth.create_org(plat, "platform", "UTC"),
        },
    )
    t.values = {"my_platform": plat, "my_hook_url": f"http://127.0.0.1:9/hooks/tenant-{label}"}
    t.values |= new_case(c, t, photo=True) | new_notice(c, t) | new_hook(c, t)
    confirm = DecisionInput(outcome="confirm_illegal", statement=STATEMENT)
    decision = c.review.decide(t.admin("reg"), t.values["case"], t.values["media_item"], confirm)
    t.values["decision"] = decision.id
    for home, role in itertools.product(("reg", "plat"), Role):
        name = t.orgs[home].name
        t.tokens[home, role] = c.auth.create_token(org=name, name=role, roles=frozenset({role}))
    return t


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    settings = make_settings(tmp_path_factory.mktemp("matrix"), fetch_allow_private=True)
    with LiveServer(settings) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        c: Container = server.app.state.container
        a = seed_tenant(c, "a", "KCSC", "Telegram")
        b = seed_tenant(c, "b", "Gyeongnam Hotline", "Signal")
        c.auth.create_org("KNPA", "police", "Asia/Seoul")
        yield World(server, client, a, b, {a.values["case"], "Telegram", "tenant-a"})


def fresh_values(w: World, route: Route) -> dict[str, Any]:
    """New resources of tenant A for a write that would otherwise spend the standing ones."""
    if "{hook}" in route.path:
        with w.c.uow() as uow:  # an organisation holds at most 10 endpoints: drop earlier ones
            for e in uow.webhooks.endpoints(w.a.orgs["reg"].id):
                if e.id != w.a.values["hook"]:
                    uow.webhooks.delete_endpoint(e.id)
        return new_hook(w.c, w.a)
    if "{notice}" in route.path:
        return new_notice(w.c, w.a)
    made = new_case(w.c, w.a)
    w.a_markers.add(made["case"])
    return made


def snapshot(w: World, values: dict[str, Any]) -> str:
    """Tenant A's state that a request could touch (not deliveries: a background job retries)."""
    with w.c.uow() as uow:
        case = uow.cases.get_case(values["case"])
        assert case is not None
        parts = [case, uow.cases.items(case.id), uow.cases.decisions(case.id)]
        parts += [uow.notices.get(values["notice"]), uow.webhooks.get_endpoint(values["hook"])]
    return repr(parts)


def fill(template: Any, values: dict[str, Any]) -> Any:
    if isinstance(template, dict):
        return {k: fill(v, values) for k, v in template.items()}
    if isinstance(template, list):
        return [fill(v, values) for v in template]
    if isinstance(template, str) and template.startswith("{") and template.endswith("}"):
        return values[template[1:-1]]
    return template


def leaked(markers: set[str], text: str, asked: str = "") -> list[str]:
    """A's markers in `text`, except those the caller put in its own request (error messages
    may repeat what was asked for)."""
    return sorted(m for m in markers if m in text and m not in asked)


@pytest.mark.parametrize("tenancy", TENANCY)
@pytest.mark.parametrize("role", list(Role), ids=str)
@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_matrix(world: World, route: Route, role: Role, tenancy: str) -> None:
    caller = world.a if tenancy == "own" else world.b
    target = dict(world.a.values) | (fresh_values(world, route) if route.fresh else {})
    values = target | {k: v for k, v in caller.values.items() if k.startswith("my_")}
    before = snapshot(world, target) if tenancy == "other" else ""
    token = caller.tokens[route.home, role]
    path, body = route.path.format(**values), fill(route.body, values)
    r = world.client.request(
        route.method, path, headers={"Authorization": f"Bearer {token}"}, json=body
    )
    allowed = route.permission in GRANTS[role]
    said = f"{route} as {role} of tenant {caller.label} -> {r.status_code} {r.text[:300]}"
    CHECKED.append(said)
    if tenancy == "other" and route.cross == "deny":
        assert r.status_code in (403, 404), said
        assert snapshot(world, target) == before, f"tenant A's data changed: {said}"
    elif allowed:
        assert 200 <= r.status_code < 300, said
    else:
        assert r.status_code == 403, said
    if tenancy == "other":
        assert not leaked(world.a_markers, r.text, f"{path} {body}"), f"A's data leaked: {said}"
        assert route.cross == "deny" or snapshot(world, target) == before, said
    elif allowed and route.lists:
        assert leaked(world.a_markers, r.text), f"own data missing: {said}"


def test_matrix_size(capsys: pytest.CaptureFixture[str]) -> None:
    """Runs after the matrix (pytest keeps file order) and says how much of it ran."""
    total = len(ROUTES) * len(Role) * len(TENANCY)
    with capsys.disabled():
        print(
            f"\ntenancy matrix: {len(CHECKED)} of {total} combinations checked "
            f"({len(ROUTES)} routes x {len(Role)} roles x {len(TENANCY)} tenancies)"
        )
    assert len(CHECKED) <= total
