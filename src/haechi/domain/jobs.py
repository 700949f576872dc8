"""Rules of the background job queue that need no I/O: retry backoff and error text.

Backoff is exponential with "equal jitter": after failed attempt n the job waits between half and
all of `min(cap, base * 2**(n-1))`. The jitter spreads retries of jobs that failed together (a
database blip, a peer that was down) so they do not all come back in the same second, while the
lower bound keeps the wait predictable for operators and tests.
"""

from __future__ import annotations

from dataclasses import dataclass

from haechi.domain.errors import InvalidInput

#: stored error text is cut to this many characters (full tracebacks go to the worker's log)
ERROR_LIMIT = 2000
DEDUPE_KEY_LIMIT = 200
#: a job kind: lowercase dotted words, e.g. "video.hash"
KIND_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    base_s: float = 5.0
    cap_s: float = 3600.0

    def __post_init__(self) -> None:
        if self.base_s < 0 or self.cap_s < self.base_s:
            raise ValueError("backoff needs 0 <= base_s <= cap_s")

    def ceiling(self, attempt: int) -> float:
        """The longest wait after failed attempt `attempt` (1-based)."""
        return float(min(self.cap_s, self.base_s * 2 ** min(max(attempt - 1, 0), 40)))

    def delay(self, attempt: int, jitter: float) -> float:
        """Seconds to wait after failed attempt `attempt`; `jitter` is uniform in [0, 1)."""
        ceiling = self.ceiling(attempt)
        return ceiling / 2 + ceiling / 2 * min(max(jitter, 0.0), 1.0)


def error_text(exc: BaseException) -> str:
    """`Type: message`, cut to ERROR_LIMIT characters."""
    text = f"{type(exc).__name__}: {exc}".strip()
    return text if len(text) <= ERROR_LIMIT else text[: ERROR_LIMIT - 1] + "…"


def valid_kind(kind: str) -> bool:
    return 0 < len(kind) <= 64 and set(kind) <= KIND_CHARS and kind[0].isalpha()


def check_job(kind: str, *, dedupe_key: str | None, max_attempts: int) -> None:
    """Refuse what the job table cannot hold, whichever way the job is enqueued."""
    if not valid_kind(kind):
        raise InvalidInput(f"job kind {kind!r}: lowercase letters, digits, '.', '_' or '-'")
    if not 1 <= max_attempts <= 100:
        raise InvalidInput("max_attempts must be between 1 and 100")
    if dedupe_key is not None and not 0 < len(dedupe_key) <= DEDUPE_KEY_LIMIT:
        raise InvalidInput(f"a dedupe key has 1 to {DEDUPE_KEY_LIMIT} characters")
