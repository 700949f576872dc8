"""StopNCII, NCMEC and Meta ThreatExchange sources, through the `threatexchange` package's
exchange APIs (install with `pip install 'haechi[exchanges]'`).

Each client turns the package's updates into haechi's `RemoteItem`s (add/retract by a stable
remote id) and its checkpoint into an opaque string. Signal names are mapped to haechi's
(`pdq`, `md5`); other signal types are skipped. A withdrawn or deleted StopNCII hash, a deleted
NCMEC entry and a ThreatExchange tombstone become retractions, so they stop matching.

StopNCII: threatexchange 1.2.17's `_get_delta_mapping` compares the hash *value* with the case
status enum (never equal), so its `fetch_iter` never reports a withdrawn hash as deleted; this
client therefore reads `hashStatus` from the package's own `StopNCIIAPI.fetch_hashes_iter`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from haechi.domain.errors import FetchFailed, HaechiError, InvalidInput
from haechi.domain.federation import FeedOp, Verdict
from haechi.services.ports_federation import (
    Credentials,
    OutgoingFeedback,
    RemoteItem,
    RemotePage,
)

try:
    import requests
    from threatexchange.exchanges.clients.fb_threatexchange.api import ThreatExchangeAPI
    from threatexchange.exchanges.clients.ncmec import hash_api as ncmec_hash
    from threatexchange.exchanges.clients.stopncii import api as stopncii
    from threatexchange.exchanges.impl import fb_threatexchange_api as fbte
    from threatexchange.exchanges.impl import ncmec_api
    from threatexchange.exchanges.impl.stop_ncii_api import StopNCIICheckpoint
    from threatexchange.signal_type.md5 import VideoMD5Signal
    from threatexchange.signal_type.pdq.signal import PdqSignal
except ImportError as e:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "StopNCII/NCMEC/ThreatExchange sources need: pip install 'haechi[exchanges]'"
    ) from e

#: a check of a base URL override (the SSRF guard); raises UnsafeUrl
UrlCheck = Callable[[str], object]

_STOPNCII_TYPES = {"ImagePDQ": "pdq", "VideoMD5": "md5"}
_NCMEC_FINGERPRINTS = {"pdq": "pdq", "md5": "md5"}
_TE_TYPES = {"HASH_PDQ": "pdq", "HASH_MD5": "md5"}


def _guarded(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except requests.RequestException as e:
        raise FetchFailed(f"exchange API request failed: {type(e).__name__}") from None


class StopNCIIClient:
    """Token: `fetch_function_key,subscription_key`; config `feedback_function_key` to send
    feedback; url: a base URL override (blank for https://api.stopncii.org/v1)."""

    def __init__(self, check_url: UrlCheck) -> None:
        self._check = check_url

    def _api(self, creds: Credentials) -> stopncii.StopNCIIAPI:
        fetch_key, _, subscription = (creds.token or "").partition(",")
        if not fetch_key or not subscription:
            raise InvalidInput("StopNCII token must be 'fetch_function_key,subscription_key'")
        if creds.url:
            self._check(creds.url)
        extra = {}
        if creds.config.get("feedback_function_key"):
            extra[stopncii.StopNCIIEndpoint.SubmitFeedback] = creds.config["feedback_function_key"]
        return stopncii.StopNCIIAPI(
            subscription,
            fetch_key,
            additional_function_keys=extra,
            base_url_override=creds.url or None,
        )

    def pages(self, creds: Credentials, checkpoint: str | None) -> Iterator[RemotePage]:
        client = self._api(creds)
        start = int(checkpoint) if checkpoint else stopncii.StopNCIIAPI.DEFAULT_START_TIME
        results = iter(client.fetch_hashes_iter(start_timestamp=start))
        while (result := _guarded(lambda: next(results, None))) is not None:
            items = [item for r in result.hashRecords if (item := _stopncii_item(r)) is not None]
            cp = StopNCIICheckpoint.from_stopncii_fetch(result)
            yield RemotePage(items, str(cp.update_time), bool(result.hasMoreRecords))

    def send_feedback(self, creds: Credentials, items: Sequence[OutgoingFeedback]) -> None:
        if not creds.config.get("feedback_function_key"):
            raise HaechiError("set config.feedback_function_key to send StopNCII feedback")
        batch = {}
        for item in items:
            kind, _, value = item.remote_id.partition(":")
            positive = item.verdict in (Verdict.CONFIRMED, Verdict.BLOCKED)
            verdict = stopncii.StopNCIICSPFeedbackValue.Blocked
            if not positive:
                verdict = stopncii.StopNCIICSPFeedbackValue.NotBlocked
            batch[stopncii.StopNCIISignalType(kind), value] = stopncii.StopNCIICSPFeedback(verdict)
        client = self._api(creds)
        _guarded(lambda: client.submit_feedbacks(batch))


def _stopncii_item(record: stopncii.StopNCIIHashRecord) -> RemoteItem | None:
    name = _STOPNCII_TYPES.get(record.signalType.value)
    if name is None:
        return None
    gone = record.hashStatus in (
        stopncii.StopNCIICaseStatus.Withdrawn,
        stopncii.StopNCIICaseStatus.Deleted,
    )
    return RemoteItem(
        remote_id=f"{record.signalType.value}:{record.hashValue}",
        op=FeedOp.RETRACT if gone else FeedOp.ADD,
        signals={name: record.hashValue},
    )


class NCMECClient:
    """Token: `user:password`; config `environment` (an NCMECEnvironment name, e.g. NGO) and
    optional `only_esp_ids`."""

    def pages(self, creds: Credentials, checkpoint: str | None) -> Iterator[RemotePage]:
        user, _, password = (creds.token or "").partition(":")
        try:
            env = ncmec_hash.NCMECEnvironment[str(creds.config.get("environment", "NGO"))]
        except KeyError:
            raise InvalidInput("config.environment must name an NCMEC environment") from None
        only = {int(i) for i in creds.config.get("only_esp_ids", [])}
        collab = ncmec_api.NCMECCollabConfig(name="haechi", environment=env, only_esp_ids=only)
        exchange = ncmec_api.NCMECSignalExchangeAPI(collab, user, password)
        deltas = iter(
            exchange.fetch_iter([PdqSignal, VideoMD5Signal], _ncmec_checkpoint(checkpoint))
        )
        while (delta := _guarded(lambda: next(deltas, None))) is not None:
            items = [
                item
                for key, entry in delta.updates.items()
                if (not only or entry.member_id in only)
                and (item := _ncmec_item(key, entry)) is not None
            ]
            yield RemotePage(items, _ncmec_checkpoint_str(delta.checkpoint), more=True)

    def send_feedback(self, creds: Credentials, items: Sequence[OutgoingFeedback]) -> None:
        raise HaechiError("NCMEC feedback is not sent through haechi; use NCMEC's own tools")


def _ncmec_item(key: str, entry: Any) -> RemoteItem | None:
    if entry.deleted:
        return RemoteItem(remote_id=key, op=FeedOp.RETRACT, signals={})
    signals = {
        _NCMEC_FINGERPRINTS[k]: v for k, v in entry.fingerprints.items() if k in _NCMEC_FINGERPRINTS
    }
    return RemoteItem(remote_id=key, op=FeedOp.ADD, signals=signals) if signals else None


def _ncmec_checkpoint(value: str | None) -> Any:
    if not value:
        return None
    doc = json.loads(value)
    paging = None
    if doc.get("paging"):
        paging = ncmec_api._NCMECPagingInfo(**doc["paging"])
    return ncmec_api.NCMECCheckpoint(int(doc["ts"]), paging)


def _ncmec_checkpoint_str(cp: Any) -> str:
    paging = cp.paging_info
    doc: dict[str, Any] = {"ts": cp.get_entries_max_ts, "paging": None}
    if paging is not None:
        doc["paging"] = {
            "paging_url": paging.paging_url,
            "paging_end_ts": paging.paging_end_ts,
            "paging_url_ts": paging.paging_url_ts,
        }
    return json.dumps(doc, sort_keys=True)


class ThreatExchangeClient:
    """Token: the app access token `app_id|secret`; config `privacy_group` (its id); url: an
    endpoint override (blank for graph.facebook.com)."""

    def __init__(self, check_url: UrlCheck) -> None:
        self._check = check_url

    def pages(self, creds: Credentials, checkpoint: str | None) -> Iterator[RemotePage]:
        if creds.url:
            self._check(creds.url)
        if not str(creds.config.get("privacy_group", "")).isdigit():
            raise InvalidInput("config.privacy_group must be the privacy group's id")
        client = ThreatExchangeAPI(creds.token or "", endpoint_override=creds.url or None)
        collab = fbte.FBThreatExchangeCollabConfig(
            name="haechi", privacy_group=int(creds.config["privacy_group"])
        )
        exchange = fbte.FBThreatExchangeSignalExchangeAPI(client, collab)
        start = fbte.FBThreatExchangeCheckpoint(int(checkpoint)) if checkpoint else None
        deltas = iter(exchange.fetch_iter([], start))
        while (delta := _guarded(lambda: next(deltas, None))) is not None:
            items = [
                RemoteItem(
                    remote_id=f"{kind}:{indicator}",
                    op=FeedOp.ADD if record is not None else FeedOp.RETRACT,
                    signals={_TE_TYPES[kind]: indicator} if record is not None else {},
                )
                for (kind, indicator), record in delta.updates.items()
                if kind in _TE_TYPES
            ]
            yield RemotePage(items, str(delta.checkpoint.update_time), more=True)

    def send_feedback(self, creds: Credentials, items: Sequence[OutgoingFeedback]) -> None:
        raise HaechiError("ThreatExchange reactions are not sent through haechi yet")
