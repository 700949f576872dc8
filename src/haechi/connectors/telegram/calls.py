"""Bot API calls that survive Telegram's flood control and passing network trouble.

Telegram answers 429 with `retry_after` when a bot sends too fast (in one group: about 20
messages a minute); the call is made again after that wait, up to a cap, a few times. Timeouts and
network errors are retried with backoff. Other refusals (BadRequest: message too old to delete,
Forbidden: the bot was removed) are not retried: the caller decides what they mean.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram.error import BadRequest, NetworkError, RetryAfter

log = logging.getLogger(__name__)

T = TypeVar("T")

ATTEMPTS = 4
MAX_WAIT_S = 60.0


def _seconds(value: float | dt.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


async def with_retries(
    name: str, call: Callable[[], Awaitable[T]], *, attempts: int = ATTEMPTS
) -> T:
    """`call()`, again after Telegram's `retry_after` or a backoff, at most `attempts` times."""
    for attempt in range(attempts):
        try:
            return await call()
        except RetryAfter as e:
            if attempt + 1 >= attempts:
                raise
            wait = min(_seconds(e.retry_after), MAX_WAIT_S)
            log.warning("telegram %s: flood control, retrying in %.1f s", name, wait)
        except NetworkError as e:
            # BadRequest subclasses NetworkError in PTB but is a final answer
            if attempt + 1 >= attempts or isinstance(e, BadRequest):
                raise
            wait = min(0.5 * 2.0**attempt, MAX_WAIT_S)
            log.warning("telegram %s: %s, retrying in %.1f s", name, e, wait)
        await asyncio.sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises
