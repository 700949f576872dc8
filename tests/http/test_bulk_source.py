"""Many pictures from one source: admitted, marked for the moderators, decided by them as always."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from haechi.config import Settings
from haechi.domain.cases import ItemStatus
from tests.conftest import LiveServer, make_settings
from tests.fixtures.cases import principal, seed
from tests.http.test_reports_api import token
from tests.http.test_review_ui import sign_in
from tests.http.test_victim_routes import picture, report

BADGE = "bulk source — verify before banking"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path, public_bulk_pictures_per_day=2)


def test_a_bulk_source_is_marked_in_the_queue_and_on_the_case(
    live_server: LiveServer, api: httpx.Client
) -> None:
    c = live_server.app.state.container
    seed(c)
    first = api.post("/victim/reports", json=report(picture("camera"), picture("coffee")))
    assert first.status_code == 201  # two pictures today: at the threshold, not past it
    second = api.post("/victim/reports", json=report(picture("chelsea")))
    assert second.status_code == 201 and "bulk" not in second.text  # the source is not told
    analyst = principal(c, "analyst@kcsc.example")
    marked = {s.case.number: s.bulk_source for s in c.review.queue(analyst)}
    assert marked == {first.json()["case_number"]: False, second.json()["case_number"]: True}
    view = c.review.case(analyst, second.json()["case_number"])
    assert [r.fields.bulk_source for r in view.reports] == [True]
    # a mark, not a decision: the item waits for a moderator like any other
    assert [(i.status, i.bank_content_id) for i in view.items] == [(ItemStatus.PENDING, None)]

    sign_in(api, "analyst@kcsc.example")
    queue = api.get("/ui/cases").text
    assert queue.count(BADGE) == 1
    assert BADGE in api.get(f"/ui/cases/{second.json()['case_number']}").text
    assert BADGE not in api.get(f"/ui/cases/{first.json()['case_number']}").text


def test_anonymous_api_reports_are_marked_too_but_organisations_never(
    live_server: LiveServer, api: httpx.Client
) -> None:
    c = live_server.app.state.container
    seed(c)
    urls = [{"kind": "url", "url": f"https://example.org/{n}"} for n in range(3)]
    body = {
        "reporter_kind": "public",
        "explanation": "Shared without consent.",
        "good_faith": True,
        "items": urls,
    }
    number = api.post("/api/v1/reports", json=body).json()["case_number"]
    analyst = principal(c, "analyst@kcsc.example")
    assert [r.fields.bulk_source for r in c.review.case(analyst, number).reports] == [True]
    flagger = token(live_server, "Flagger", "analyst")
    own = body | {"reporter_kind": "trusted_flagger"}
    theirs = api.post("/api/v1/reports", json=own, headers=flagger).json()["case_number"]
    flagger_view = c.review.case(principal(c, "flag@flagger.example"), theirs)
    assert [r.fields.bulk_source for r in flagger_view.reports] == [False]
