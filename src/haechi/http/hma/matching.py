"""HMA-compatible matching routes: `/m/raw_lookup`, `/m/lookup`, `/m/index/status`, `/m/compare`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from starlette.concurrency import run_in_threadpool

from haechi.domain.errors import InvalidInput, InvalidSignal
from haechi.domain.signals import SignalType
from haechi.domain.video import VideoMatch
from haechi.http.context import AppServices
from haechi.http.deps import CallerDep, ServicesDep
from haechi.http.fastjson import FastJSONResponse
from haechi.http.hma.hashing import hash_upload
from haechi.services.hashing import HashResult
from haechi.services.lookup import LookupOptions
from haechi.services.matching import Hit

router = APIRouter(prefix="/m", tags=["HMA: matching"])


def _banks(param: str | None) -> set[str] | None:
    return set(param.split(",")) if param else None


def _check_signal_type(services: AppServices, name: str) -> None:
    services.registry.signal_type(name)


def hma_distance(hit: Hit) -> str:
    """HMA's distance string: the number, or for vpdq its `query%[indexed%]` rendering."""
    return hit.video.pretty() if hit.video is not None else str(hit.distance)


def by_bank(hits: list[Hit]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for h in hits:
        out.setdefault(h.bank_name, []).append(
            {"bank_content_id": h.content_id, "distance": hma_distance(h)}
        )
    return out


def raw_lookup_payload(
    services: AppServices,
    signal_type: str,
    signal: str,
    banks: str | None,
    include_distance: bool,
) -> dict[str, Any]:
    _check_signal_type(services, signal_type)
    hits = services.lookup.raw_lookup(signal_type, signal, _banks(banks))
    if include_distance:
        return {
            "matches": [
                {"bank_content_id": h.content_id, "distance": hma_distance(h)} for h in hits
            ]
        }
    return {"matches": [h.content_id for h in hits]}


def lookup_payload(
    services: AppServices,
    caller: str | None,
    signal_type: str,
    signal: str,
    *,
    banks: str | None,
    seed: str | None,
    bypass_coinflip: bool,
) -> dict[str, Any]:
    options = _options(banks, seed, bypass_coinflip, caller)
    _check_signal_type(services, signal_type)
    return by_bank(services.lookup.lookup_signal(signal_type, signal, options))


def _options(
    banks: str | None, seed: str | None, bypass_coinflip: bool, caller: str | None
) -> LookupOptions:
    return LookupOptions(
        banks=_banks(banks),
        seed=seed,
        bypass_coinflip=bypass_coinflip,
        requester=caller,
        route="hma.lookup",
    )


@router.get("/raw_lookup", summary="Raw hash lookup (enablement not checked)")
async def raw_lookup(
    services: ServicesDep,
    caller: CallerDep,
    signal: Annotated[str, Query()],
    signal_type: Annotated[str, Query()],
    banks: Annotated[str | None, Query()] = None,
    include_distance: Annotated[bool, Query()] = False,
) -> FastJSONResponse:
    """Served by `fastpath.HotLookups` in the plain case; kept here for validation and docs."""
    return FastJSONResponse(
        raw_lookup_payload(services, signal_type, signal, banks, include_distance)
    )


@router.get("/lookup", summary="Look up a hash, or media at a URL")
async def lookup_get(
    services: ServicesDep,
    caller: CallerDep,
    url: Annotated[str | None, Query()] = None,
    content_type: Annotated[str | None, Query()] = None,
    types: Annotated[str | None, Query()] = None,
    signal: Annotated[str | None, Query()] = None,
    signal_type: Annotated[str | None, Query()] = None,
    banks: Annotated[str | None, Query()] = None,
    seed: Annotated[str | None, Query()] = None,
    bypass_coinflip: Annotated[bool, Query()] = False,
    dihedral: Annotated[bool, Query(description="haechi: also try the 8 PDQ orientations")] = False,
) -> FastJSONResponse:
    options = _options(banks, seed, bypass_coinflip, caller)
    if not url:
        if not signal or not signal_type:
            raise InvalidInput("Either url or both signal and signal_type are required")
        _check_signal_type(services, signal_type)
        return FastJSONResponse(
            by_bank(services.lookup.lookup_signal(signal_type, signal, options))
        )
    result = await run_in_threadpool(
        services.hashing.hash_url, url, content_type=content_type, types=types, dihedral=dihedral
    )
    found = services.lookup.lookup_media(result, options, _dihedral(result))
    resp = {st: by_bank(hits) for st, hits in found.matches.items()}
    if signal_type is not None:
        return FastJSONResponse(resp.get(signal_type, {}))
    return FastJSONResponse(resp)


def _dihedral(result: HashResult) -> list[str] | None:
    return [h.value for h in result.dihedral] or None


@router.post("/lookup", summary="Look up an uploaded file")
async def lookup_post(
    request: Request,
    services: ServicesDep,
    caller: CallerDep,
    banks: Annotated[str | None, Query()] = None,
    seed: Annotated[str | None, Query()] = None,
    bypass_coinflip: Annotated[bool, Query()] = False,
    types: Annotated[str | None, Query()] = None,
    dihedral: Annotated[bool, Query()] = False,
) -> FastJSONResponse:
    result = await hash_upload(request, services, types, dihedral=dihedral)
    options = _options(banks, seed, bypass_coinflip, caller)
    found = services.lookup.lookup_media(result, options, _dihedral(result))
    return FastJSONResponse({st: by_bank(hits) for st, hits in found.matches.items()})


@router.get("/index/status", summary="Status of the matching indexes")
def index_status(
    services: ServicesDep,
    _caller: CallerDep,
    signal_type: Annotated[str | None, Query()] = None,
) -> dict[str, dict[str, Any]]:
    statuses = services.matcher.status()
    if signal_type is not None:
        if signal_type not in statuses:
            raise InvalidInput(f"No such signal type '{signal_type}'")
        statuses = {signal_type: statuses[signal_type]}
    return {
        name: {"present": s.present, "built_to": s.built_to, "size": s.size}
        for name, s in statuses.items()
    }


@router.post("/compare", summary="Distance between pairs of hashes")
def compare(
    services: ServicesDep,
    _caller: CallerDep,
    payload: Annotated[Any, Body()],
) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise InvalidInput("Request input was not a dict")
    results: dict[str, Any] = {}
    for name, pair in payload.items():
        if not isinstance(pair, list):
            raise InvalidInput(f"Comparison hashes for {name} was not a list")
        if len(pair) != 2:
            raise InvalidInput("Comparison hash list length must be exactly 2")
        _check_signal_type(services, name)
        st = services.registry.signal_type(name)
        try:
            left, right = st.validate(pair[0]), st.validate(pair[1])
        except InvalidSignal as e:
            raise InvalidInput(f"Invalid {name} hash: {e.message}") from None
        results[name] = _comparison(st, left, right)
    return results


def _comparison(st: type[SignalType], left: str, right: str) -> list[Any]:
    """HMA's [match, similarity]: a distance, or for videos both match percentages."""
    compare_video = getattr(st, "compare", None)
    if compare_video is not None:
        video: VideoMatch = compare_video(left, right)
        detail: dict[str, Any] = {
            "query_match_percent": video.query_match_percent,
            "compared_match_percent": video.indexed_match_percent,
        }
        return [video.distance <= st.default_threshold, detail]
    distance = st.distance(left, right)
    detail = {"distance": distance} if st.max_threshold > 0 else {}
    return [distance <= st.default_threshold, detail]
