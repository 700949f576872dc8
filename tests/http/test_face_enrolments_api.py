"""The face-enrolment API over a real server: enrol with consent (multipart), list without
embeddings, withdraw; who may; bad input answered 4xx; no route searches for a face."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from haechi.bootstrap import Container
from haechi.domain.tenancy import Principal, Role
from haechi.http.ui import face_enrolments as ui_face_enrolments
from tests.conftest import LiveServer
from tests.fixtures import faces, images
from tests.fixtures.cases import PASSWORD, seed

pytest.importorskip("dlib", reason="needs the faces extra")

BASE = "/api/v1/face-enrolments"
CONSENT_PDF = b"%PDF-1.4 consent form signed by the victim (test bytes)"


@pytest.fixture
def c(live_server: LiveServer) -> Iterator[Container]:
    container: Container = live_server.app.state.container
    seed(container)
    container.auth.create_org("Haebaragi Centre", "victim_support", "Asia/Seoul")
    yield container


def _client(c: Container, url: str, org: str, role: Role) -> httpx.Client:
    token = c.auth.create_token(org=org, name=f"{org}-{role}", roles=frozenset({role}))
    return httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60)


def _form(**overrides: str) -> dict[str, str]:
    expiry = (datetime.now(UTC) + timedelta(days=365)).date().isoformat()
    form = {
        "subject_ref": "HB-2026-0042",
        "consent_method": "signed_form",
        "purpose": "Find new copies of the deepfakes of her reported to us, for review.",
        "expires_at": expiry,
    }
    form.update(overrides)
    return form


def _files(*photos: bytes) -> list[tuple[str, tuple[str, bytes, str]]]:
    files = [("photo", (f"p{i}.png", p, "image/png")) for i, p in enumerate(photos)]
    return [*files, ("consent_document", ("consent.pdf", CONSENT_PDF, "application/pdf"))]


def test_enrol_list_withdraw(c: Container, live_server: LiveServer) -> None:
    with _client(c, live_server.url, "Haebaragi Centre", Role.ANALYST) as centre:
        made = centre.post(BASE, data=_form(), files=_files(images.png_bytes("astronaut")))
        assert made.status_code == 201, made.text
        body = made.json()
        assert body["status"] == "active" and body["templates"] == 1
        assert body["consent"]["document_sha256"] == hashlib.sha256(CONSENT_PDF).hexdigest()
        listed = centre.get(BASE).json()
        assert [e["id"] for e in listed] == [body["id"]]
        assert "embedding" not in repr(listed) and "ciphertext" not in repr(listed)
        gone = centre.post(f"{BASE}/{body['id']}/withdraw", json={"reason": "her request"})
        assert gone.status_code == 200, gone.text
        assert gone.json()["status"] == "withdrawn" and gone.json()["templates"] == 0
        assert centre.get(BASE, params={"active": "true"}).json() == []
    with c.uow() as uow:
        actions = [e.action for e in uow.audit.entries(after_seq=0, limit=1000)]
    assert "face.enrol" in actions and "face.withdraw" in actions


def test_bad_input_is_refused_with_a_clear_message(c: Container, live_server: LiveServer) -> None:
    astronaut = images.png_bytes("astronaut")
    with _client(c, live_server.url, "Haebaragi Centre", Role.ANALYST) as centre:
        cases = [
            (_form(expires_at="next year"), _files(astronaut), "ISO 8601"),
            (_form(purpose=""), _files(astronaut), "required: purpose"),
            (_form(), _files(faces.no_face()), "no clear face"),
            (_form(), _files(faces.two_faces()), "2 faces"),
            (_form(), _files(b"not an image"), "photo 1 (p0.png)"),
            (_form(), _files(), "1 to 10 photos"),
        ]
        for data, files, message in cases:
            answer = centre.post(BASE, data=data, files=files)
            assert 400 <= answer.status_code < 500, answer.text
            assert message in answer.text
        assert centre.post(f"{BASE}/999/withdraw").status_code == 404
        assert centre.get(BASE).json() == []


def test_only_victim_support_analysts(c: Container, live_server: LiveServer) -> None:
    anonymous = httpx.post(f"{live_server.url}{BASE}", data=_form(), timeout=30)
    assert anonymous.status_code == 401
    for org, role in (("KCSC", Role.ANALYST), ("Telegram", Role.ADMIN), ("KCSC", Role.AUDITOR)):
        with _client(c, live_server.url, org, role) as other:
            answer = other.post(BASE, data=_form(), files=_files(images.png_bytes("astronaut")))
            assert answer.status_code == 403, (org, role, answer.text)
            assert other.get(BASE).status_code == 403


def test_no_route_searches_for_a_face(c: Container, live_server: LiveServer) -> None:
    """Purpose limitation: the API has no endpoint that takes a face and looks for it."""
    paths = httpx.get(f"{live_server.url}/openapi.json", timeout=30).json()["paths"]
    face_paths = {p: sorted(m) for p, m in paths.items() if "face" in p}
    assert face_paths == {
        BASE: ["get", "post"],
        BASE + "/{enrolment_id}": ["get"],
        BASE + "/{enrolment_id}/withdraw": ["post"],
    }
    ui = {(r.path, m) for r in ui_face_enrolments.router.routes for m in r.methods}  # type: ignore[attr-defined]
    assert ui == {
        ("/ui/face-enrolments", "GET"),
        ("/ui/face-enrolments", "POST"),
        ("/ui/face-enrolments/{enrolment_id:int}/withdraw", "POST"),
    }


def test_the_analysts_page_enrols_lists_and_withdraws(
    c: Container, live_server: LiveServer
) -> None:
    c.auth.create_user(
        org="Haebaragi Centre", email="va@centre.example", password=PASSWORD,
        roles=frozenset({Role.ANALYST}),
    )  # fmt: skip
    with httpx.Client(base_url=live_server.url, timeout=60) as ui:
        signed = ui.post("/ui/login", data={"email": "va@centre.example", "password": PASSWORD})
        assert signed.status_code == 303
        page = ui.get("/ui/face-enrolments")
        assert page.status_code == 200 and "Face enrolments" in ui.get("/ui/").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf is not None
        form = {**_form(), "csrf": csrf.group(1)}
        refused = ui.post("/ui/face-enrolments", data=form, files=_files(faces.no_face()))
        assert refused.status_code == 400 and "no clear face" in refused.text
        assert ui.post("/ui/face-enrolments", data=_form(), files=_files()).status_code == 403
        made = ui.post(
            "/ui/face-enrolments", data=form, files=_files(images.png_bytes("astronaut"))
        )
        assert made.status_code == 303, made.text
        listed = ui.get("/ui/face-enrolments").text
        assert "HB-2026-0042" in listed and "Withdraw and delete" in listed
        (enrolment,) = c.faces.enrolment.enrolments(cases_principal(c))
        gone = ui.post(
            f"/ui/face-enrolments/{enrolment.id}/withdraw",
            data={"csrf": csrf.group(1), "reason": "her call"},
        )
        assert gone.status_code == 303
        assert "Withdraw and delete" not in ui.get("/ui/face-enrolments").text
    assert c.faces.enrolment.enrolments(cases_principal(c))[0].template_count == 0


def cases_principal(c: Container) -> Principal:
    from tests.fixtures.cases import principal

    return principal(c, "va@centre.example")
