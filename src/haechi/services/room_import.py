"""Imports of analysts' chat exports: CSV, observation JSON, or a Telegram Desktop export.

All or nothing: the whole file is parsed and checked first, and every malformed row is named
(up to 20) in one error before anything is written; then all observations are applied in one
unit of work.

Accepted shapes:
- JSON: one observation object (the connector contract), a list of them, or
  `{"observations": [...]}`;
- JSON exported by Telegram Desktop (`{"name", "type", "id", "messages": [...]}`): messages become
  posts, `from_id` the account, text entities are joined; an analyst may add `"hashes"` to a
  message (`[{"signal_type": "pdq", "value": "…"}]`);
- CSV with a header: `platform, room_id, room_title, invite_link, member_count, observed_at,
  post_id, posted_at, account_id, account_handle, text, signal_type, hash` (one row per post or
  per posted hash; rows of one room are grouped; `observed_at` defaults to the latest post).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from haechi.domain.errors import HaechiError, InvalidInput
from haechi.domain.room_observations import (
    Observation,
    ObservedAccount,
    ObservedPost,
    parse_instant,
)
from haechi.domain.tenancy import Permission, Principal
from haechi.services.audit import record
from haechi.services.rooms import ObservationResult, RoomService

MAX_ERRORS = 20
CSV_COLUMNS = ("platform", "room_id", "post_id", "posted_at")
_TELEGRAM_GROUPS = ("private_supergroup", "public_supergroup", "private_channel", "public_channel")


class Problems:
    def __init__(self) -> None:
        self.found: list[str] = []

    def add(self, where: str, error: HaechiError | str) -> None:
        self.found.append(f"{where}: {error.message if isinstance(error, HaechiError) else error}")

    def raise_any(self) -> None:
        if self.found:
            shown = "; ".join(self.found[:MAX_ERRORS])
            more = len(self.found) - MAX_ERRORS
            tail = f"; and {more} more" if more > 0 else ""
            raise InvalidInput(f"nothing imported, {len(self.found)} problem(s): {shown}{tail}")


def parse_export(data: bytes, filename: str = "") -> list[Observation]:
    """Observations from a file's bytes; InvalidInput naming every malformed row."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("the file is not UTF-8 text") from None
    if filename.lower().endswith(".csv") or not text.lstrip().startswith(("{", "[")):
        return _from_csv(text)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise InvalidInput(f"not valid JSON: line {e.lineno}: {e.msg}") from None
    if isinstance(doc, dict) and isinstance(doc.get("messages"), list):
        return [_from_telegram(doc)]
    raw = doc.get("observations") if isinstance(doc, dict) and "observations" in doc else doc
    items = raw if isinstance(raw, list) else [raw]
    problems, out = Problems(), []
    for i, item in enumerate(items):
        try:
            out.append(observation_of(item).checked())
        except HaechiError as e:
            problems.add(f"observations[{i}]", e)
    problems.raise_any()
    return out


def observation_of(doc: Any) -> Observation:
    """The connector contract's JSON object as an `Observation` (not yet checked)."""
    if not isinstance(doc, dict):
        raise InvalidInput("an observation is a JSON object")
    posts = doc.get("posts") or []
    if not isinstance(posts, list):
        raise InvalidInput("posts must be a list")
    return Observation(
        platform=str(doc.get("platform") or ""),
        external_id=str(doc.get("external_id") or ""),
        title=str(doc.get("title") or ""),
        observed_at=parse_instant(doc.get("observed_at"), "observed_at"),
        invite_link=_opt_str(doc.get("invite_link")),
        member_count=_opt_int(doc.get("member_count"), "member_count"),
        description=_opt_str(doc.get("description")),
        posts=tuple(_post_of(p, f"posts[{i}]") for i, p in enumerate(posts)),
    )


def _post_of(doc: Any, where: str) -> ObservedPost:
    if not isinstance(doc, dict):
        raise InvalidInput(f"{where}: a post is a JSON object")
    account = doc.get("account")
    hashes = doc.get("hashes") or []
    if not isinstance(hashes, list) or not all(isinstance(h, dict) for h in hashes):
        raise InvalidInput(f"{where}: hashes is a list of {{signal_type, value}}")
    ids = doc.get("matched_content_ids") or []
    if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
        raise InvalidInput(f"{where}: matched_content_ids is a list of integers")
    return ObservedPost(
        external_id=str(doc.get("external_id") or ""),
        posted_at=parse_instant(doc.get("posted_at"), f"{where}.posted_at"),
        account=ObservedAccount(
            str(account.get("external_id") or ""), _opt_str(account.get("handle"))
        )
        if isinstance(account, dict)
        else None,
        text=_opt_str(doc.get("text")),
        hashes=tuple((str(h.get("signal_type", "")), str(h.get("value", ""))) for h in hashes),
        matched_content_ids=tuple(ids),
    )


def _opt_str(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _opt_int(value: Any, what: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{what}: not a whole number") from None


def _from_telegram(doc: dict[str, Any]) -> Observation:
    problems, posts = Problems(), []
    raw_id = str(doc.get("id") or "")
    room_id = (
        f"-100{raw_id}" if doc.get("type") in _TELEGRAM_GROUPS and raw_id.isdigit() else raw_id
    )
    for i, message in enumerate(doc["messages"]):
        if not isinstance(message, dict) or message.get("type", "message") != "message":
            continue
        try:
            posts.append(_telegram_post(message))
        except HaechiError as e:
            problems.add(f"messages[{i}] (id {message.get('id')})", e)
    problems.raise_any()
    observed = max((p.posted_at for p in posts), default=None)
    if observed is None:
        raise InvalidInput("the export holds no messages")
    obs = Observation("telegram", room_id, str(doc.get("name") or ""), observed, posts=tuple(posts))
    return obs.checked()


def _telegram_post(message: dict[str, Any]) -> ObservedPost:
    when = message.get("date_unixtime") or message.get("date")
    if isinstance(when, str) and "T" in when and "+" not in when and not when.endswith("Z"):
        when = when + "Z"  # Telegram Desktop writes naive times; date_unixtime is preferred
    text = message.get("text")
    if isinstance(text, list):
        text = "".join(t if isinstance(t, str) else str(t.get("text", "")) for t in text)
    sender = message.get("from_id")
    return _post_of(
        {
            "external_id": str(message.get("id") or ""),
            "posted_at": when,
            "account": {"external_id": sender, "handle": message.get("from")} if sender else None,
            "text": text,
            "hashes": message.get("hashes") or [],
        },
        "message",
    )


def _from_csv(text: str) -> list[Observation]:
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        raise InvalidInput(f"CSV: missing column(s) {missing}; header is {header[:20]}")
    problems = Problems()
    rooms: dict[tuple[str, str], dict[str, Any]] = {}
    for line, row in enumerate(reader, start=2):
        try:
            _csv_row(rooms, {k.strip(): (v or "").strip() for k, v in row.items() if k})
        except HaechiError as e:
            problems.add(f"row {line}", e)
    out = []
    for key, doc in rooms.items():
        doc["posts"] = list(doc["posts"].values())
        doc["observed_at"] = doc["observed_at"] or max(p["posted_at"] for p in doc["posts"])
        try:
            out.append(observation_of(doc).checked())
        except HaechiError as e:
            problems.add(f"room {key[0]}:{key[1]}", e)
    problems.raise_any()
    return out


def _csv_row(rooms: dict[tuple[str, str], dict[str, Any]], row: dict[str, str]) -> None:
    if not row.get("platform") or not row.get("room_id") or not row.get("post_id"):
        raise InvalidInput("platform, room_id and post_id are required")
    posted = parse_instant(row["posted_at"], "posted_at")
    observed = parse_instant(row["observed_at"], "observed_at") if row.get("observed_at") else None
    key = (row["platform"], row["room_id"])
    doc = rooms.setdefault(
        key,
        {"platform": key[0], "external_id": key[1], "observed_at": None, "posts": {}},
    )
    for field, column in (("title", "room_title"), ("invite_link", "invite_link")):
        doc[field] = row.get(column) or doc.get(field)
    if row.get("member_count"):
        doc["member_count"] = _opt_int(row["member_count"], "member_count")
    if observed is not None:
        doc["observed_at"] = max(observed, doc["observed_at"] or observed)
    post = doc["posts"].setdefault(
        row["post_id"],
        {"external_id": row["post_id"], "posted_at": posted, "text": row.get("text"), "hashes": []},
    )
    if row.get("account_id"):
        post["account"] = {"external_id": row["account_id"], "handle": row.get("account_handle")}
    if row.get("hash"):
        if not row.get("signal_type"):
            raise InvalidInput("a hash needs its signal_type")
        post["hashes"].append({"signal_type": row["signal_type"], "value": row["hash"]})


class RoomImporter:
    def __init__(self, *, rooms: RoomService) -> None:
        self._rooms = rooms

    def import_file(
        self, principal: Principal, data: bytes, filename: str = ""
    ) -> list[ObservationResult]:
        principal.require(Permission.ROOMS_WRITE)
        observations = parse_export(data, filename)
        prepared = []
        problems = Problems()
        for i, obs in enumerate(observations):
            try:
                prepared.append(self._rooms.prepare(obs))
            except HaechiError as e:
                problems.add(f"room {i} ({obs.platform}:{obs.external_id})", e)
        problems.raise_any()
        with self._rooms.unit_of_work() as uow:
            results = [self._rooms.apply(uow, principal, p) for p in prepared]
            record(
                uow, principal, "room.import", "room", "-", file=filename[:200], rooms=len(results)
            )
        self._rooms.wake([a for r in results for a in r.alerts])
        return results
