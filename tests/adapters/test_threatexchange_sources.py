"""StopNCII, NCMEC and ThreatExchange sources through the threatexchange package's exchange APIs,
against recorded responses in each API's documented format (the `responses` library answers every
request: no network). Received hashes land in a bank with provenance; withdrawals stop matching."""

from __future__ import annotations

import json
import time
import types
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from threatexchange.exchanges.impl import ncmec_api

from haechi.bootstrap import Container
from haechi.domain.errors import UnsafeUrl
from haechi.domain.federation import ImportState
from haechi.domain.tenancy import Principal, Role
from haechi.services.federation_poll import PollService
from haechi.services.federation_sources import SourceInput

PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
MD5 = "d41d8cd98f00b204e9800998ecf8427e"
STOPNCII = "https://api.stopncii.org/v1"
NCMEC = "https://hashsharing.ncmec.org/npo/v2/entries"
GRAPH = "https://graph.facebook.com/v26.0/303636684709969/threat_updates/"


@pytest.fixture
def poller(container: Container) -> PollService:
    """The container's own poller: the clients bootstrap wires (imported on first use)."""
    container.auth.create_org("PLATFORM", "platform")
    container.banks.create_bank("STOPNCII")
    return container.federation.poller


def _subscribe(
    c: Container, kind: str, token: str, config: dict[str, Any] | None = None, url: str = ""
) -> None:
    admin = Principal.of(c.auth.org("PLATFORM"), frozenset({Role.ADMIN}), label="test")
    spec = SourceInput(
        name=kind, kind=kind, url=url, bank="STOPNCII", trust_mode="auto", token=token,
        config=config,
    )  # fmt: skip
    c.federation.sources.add(admin, spec)


def _matches(c: Container, signal_type: str, value: str) -> bool:
    return bool(c.matcher.query(signal_type, value))


def _record(kind: str, value: str, status: str, **extra: Any) -> dict[str, Any]:
    return {
        "lastModtimestamp": 1_700_000_050,
        "signalType": kind,
        "hashValue": value,
        "hashStatus": status,
        "caseNumbers": {"KR-2024-0001": status},
        "CSPFeedbacks": [],
        **extra,
    }


def _stopncii_page(records: list[dict[str, Any]], next_ts: int) -> dict[str, Any]:
    return {
        "count": len(records),
        "nextPageToken": None,
        "nextSetTimestamp": next_ts,
        "hasMoreRecords": False,
        "hashRecords": records,
    }


@responses.activate
def test_stopncii_hashes_arrive_and_a_withdrawn_one_stops_matching(
    container: Container, poller: PollService
) -> None:
    feedbacks = [{"feedbackValue": "Blocked", "tags": [], "source": "OtherCSP"}]
    first = _stopncii_page(
        [
            _record("ImagePDQ", PDQ, "Active"),
            _record("VideoMD5", MD5, "Received", CSPFeedbacks=feedbacks),
            _record("VideoTMK", "ab" * 16, "Active"),  # not a signal haechi matches: skipped
        ],
        1_700_000_100,
    )
    responses.get(f"{STOPNCII}/FetchHashes", json=first)
    _subscribe(
        container, "stopncii", "fetch-key,subscription-key", {"feedback_function_key": "fb-key"}
    )
    report = poller.poll("stopncii")
    assert (report.added, report.skipped, report.checkpoint) == (2, 0, "1700000100")
    call = responses.calls[0].request
    assert call.headers["x-functions-key"] == "fetch-key"
    assert call.headers["Ocp-Apim-Subscription-Key"] == "subscription-key"
    assert _matches(container, "pdq", PDQ) and _matches(container, "md5", MD5)

    # later: the victim withdrew her case; the record comes back with hashStatus Withdrawn
    responses.replace(
        responses.GET,
        f"{STOPNCII}/FetchHashes",
        json=_stopncii_page([_record("ImagePDQ", PDQ, "Withdrawn")], 1_700_000_200),
    )
    report = poller.poll("stopncii")
    query = parse_qs(urlsplit(responses.calls[-1].request.url or "").query)
    assert query["startTimestamp"] == ["1700000100"]  # resumed from the checkpoint
    assert report.retracted == 1
    assert not _matches(container, "pdq", PDQ) and _matches(container, "md5", MD5)

    # feedback goes back as StopNCII CSP feedback
    with container.uow() as uow:
        md5_import = uow.federation.find_import(1, f"VideoMD5:{MD5}")
    assert md5_import is not None and md5_import.state is ImportState.ACTIVE
    admin = Principal.of(container.auth.org("PLATFORM"), frozenset({Role.ADMIN}), label="t")
    container.federation.sources.feedback(admin, md5_import.id, "blocked")
    responses.post(f"{STOPNCII}/SubmitFeedback", json={})
    assert poller.flush_feedback(md5_import.source_id) == 1
    body = responses.calls[-1].request.body
    sent = json.loads(body if isinstance(body, bytes | str) else b"{}")
    assert sent == {
        "count": 1,
        "hashFeedbacks": [{"tags": [], "feedbackValue": "Blocked", "hashValue": MD5}],
    }
    assert responses.calls[-1].request.headers["x-functions-key"] == "fb-key"


@responses.activate
def test_stopncii_errors_are_recorded_and_nothing_is_half_applied(
    container: Container, poller: PollService
) -> None:
    responses.get(f"{STOPNCII}/FetchHashes", status=401, json={"message": "bad key"})
    _subscribe(container, "stopncii", "wrong,keys")
    with pytest.raises(Exception, match="exchange API request failed"):
        poller.poll("stopncii")
    admin = Principal.of(container.auth.org("PLATFORM"), frozenset({Role.ADMIN}), label="t")
    source = container.federation.sources.get(admin, "stopncii")
    assert source.checkpoint is None and "HTTPError" in (source.last_error or "")


def _ncmec_xml(entries: str, max_ts: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<queryResult xmlns="https://hashsharing.ncmec.org/npo/v2">'
        f'<images count="1" maxTimestamp="{max_ts}">{entries}</images>'
        "<paging/></queryResult>"
    )


IMAGE = (
    "<image><id>e-1</id><member id='42'>Example ESP</member><classification>A1</classification>"
    f"<fingerprints><md5>{MD5}</md5><sha1>da39a3ee5e6b4b0d3255bfef95601890afd80709</sha1>"
    f"<pdq>{PDQ}</pdq></fingerprints></image>"
)
DELETED = "<deletedImage><id>e-1</id><member id='42'>Example ESP</member></deletedImage>"


@responses.activate
def test_ncmec_entries_arrive_and_a_deleted_entry_stops_matching(
    container: Container, poller: PollService, monkeypatch: pytest.MonkeyPatch
) -> None:
    responses.get(NCMEC, body=_ncmec_xml(IMAGE, "2024-01-01T00:00:00Z"))
    _subscribe(container, "ncmec", "user:password", {"environment": "NGO"})
    report = poller.poll("ncmec")
    assert report.added == 1
    assert _matches(container, "pdq", PDQ) and _matches(container, "md5", MD5)
    checkpoint = json.loads(report.checkpoint or "{}")
    assert time.time() - 60 < checkpoint["ts"] <= time.time()
    assert str(responses.calls[0].request.headers["Authorization"]).startswith("Basic ")

    # an hour later (NCMEC fetches the time range since the last checkpoint)
    later = types.SimpleNamespace(time=lambda: time.time() + 3600)
    monkeypatch.setattr(ncmec_api, "time", later)
    responses.replace(responses.GET, NCMEC, body=_ncmec_xml(DELETED, "2024-01-02T00:00:00Z"))
    assert poller.poll("ncmec").retracted == 1
    assert not _matches(container, "pdq", PDQ) and not _matches(container, "md5", MD5)


def _te_update(value: str, *, deleted: bool, updated: int) -> dict[str, Any]:
    update: dict[str, Any] = {
        "id": "5001",
        "indicator": value,
        "type": "HASH_PDQ",
        "last_updated": updated,
        "should_delete": deleted,
    }
    if not deleted:
        update["descriptors"] = {
            "data": [
                {"id": "6001", "owner": {"id": "1234"}, "status": "MALICIOUS", "tags": ["ncii"]}
            ]
        }
    return update


@responses.activate
def test_threatexchange_updates_and_tombstones(container: Container, poller: PollService) -> None:
    responses.get(GRAPH, json={"data": [_te_update(PDQ, deleted=False, updated=1_700_000_000)]})
    _subscribe(container, "threatexchange", "1234|app-secret", {"privacy_group": 303636684709969})
    report = poller.poll("threatexchange")
    assert (report.added, report.checkpoint) == (1, "1700000000")
    assert _matches(container, "pdq", PDQ)
    responses.replace(
        responses.GET, GRAPH, json={"data": [_te_update(PDQ, deleted=True, updated=1_700_000_500)]}
    )
    report = poller.poll("threatexchange")
    query = parse_qs(urlsplit(responses.calls[-1].request.url or "").query)
    assert query["start_time"] == ["1700000000"]
    assert report.retracted == 1 and not _matches(container, "pdq", PDQ)


@responses.activate
def test_a_base_url_override_goes_through_the_ssrf_guard(
    container: Container, poller: PollService
) -> None:
    _subscribe(container, "stopncii", "k,s", url="http://127.0.0.1:9/v1")
    with pytest.raises(UnsafeUrl):
        poller.poll("stopncii")
    assert len(responses.calls) == 0
