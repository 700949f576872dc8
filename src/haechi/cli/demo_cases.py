"""Demo reports for `haechi demo load`, so a fresh instance's review queue is not empty.

Benign sample photos only (scikit-image's astronaut and coffee) stand in for reported pictures.
The astronaut is also in the DEMO_BENIGN bank, so its report shows match evidence and sorts first.
"""

from __future__ import annotations

from collections.abc import Callable

from haechi.bootstrap import Container
from haechi.domain.tenancy import Principal, Role
from haechi.services.intake import ItemInput, ReportInput, Upload

DEMO_ROOM = "https://t.me/haechi_demo_room"


def _reports(photos: dict[str, bytes]) -> list[ReportInput]:
    note = "Demo report: a benign sample photo stands in for a reported picture."
    victim = ReportInput(
        fields={
            "reporter_kind": "victim",
            "channel": "web",
            "platform": "telegram",
            "room": DEMO_ROOM,
            "explanation": note,
            "good_faith": True,
        },
        items=[ItemInput(kind="file", upload=Upload(photos["astronaut"], "astronaut.png"))],
    )
    public = ReportInput(
        fields={
            "reporter_kind": "public",
            "channel": "web",
            "platform": "telegram",
            "room": DEMO_ROOM,
            "exact_location": "https://t.me/haechi_demo_room/42",
            "explanation": note + " Also a message link and a URL.",
            "good_faith": True,
        },
        items=[
            ItemInput(kind="file", upload=Upload(photos["coffee"], "coffee.png")),
            ItemInput(kind="chat_link", chat_link="https://t.me/haechi_demo_room/42"),
            ItemInput(kind="url", url="https://example.org/demo/coffee.jpg"),
        ],
    )
    return [victim, public]


def load_reports(c: Container, photos: Callable[[], dict[str, bytes]]) -> list[dict[str, str]]:
    """File the demo reports with KCSC unless it has cases already; returns case numbers and
    PINs (development only: a real PIN is never printed)."""
    kcsc = c.auth.org("KCSC")
    viewer = Principal.of(kcsc, frozenset({Role.ADMIN}), label="demo")
    if c.review.queue(viewer, limit=1, include_closed=True):
        return []
    c.matcher.load()  # so the demo report shows its match against DEMO_BENIGN
    receipts = [c.intake.submit(report) for report in _reports(photos())]
    return [{"case_number": r.case_number, "pin": r.pin} for r in receipts]
