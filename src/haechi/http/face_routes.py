"""Every route of consented face enrolment (issue 7) in one router: the API and the UI page.
None of them takes a face to search for (docs/face-matching.md)."""

from __future__ import annotations

from fastapi import APIRouter

from haechi.http.api import face_enrolments
from haechi.http.ui import face_enrolments as ui_face_enrolments

router = APIRouter()
for module in (face_enrolments, ui_face_enrolments):
    router.include_router(module.router)
