"""The one exception tree of haechi; HTTP and CLI map it to status and exit codes in one place.

HaechiError
├── InvalidInput            (400) malformed request values
│   ├── InvalidSignal       a hash that does not parse for its signal type
│   ├── UnsupportedMedia    bytes that are not a supported image/video (415 over HTTP)
│   └── UnsafeUrl           a URL refused by the SSRF guard
├── MediaTooLarge           (413) bytes or pixels over the configured limits
├── NotFound                (404) unknown bank, content, signal type
├── Conflict                (409) e.g. bank name already taken
├── FetchFailed             (502) a remote URL could not be fetched
├── Unauthorized            (401) / Forbidden (403)
├── RateLimited             (429) too many attempts (e.g. wrong report PINs)
└── NotReady                (503) e.g. index still loading
"""

from __future__ import annotations


class HaechiError(Exception):
    """Base of every error haechi raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(HaechiError):
    pass


class InvalidSignal(InvalidInput):
    pass


class UnsupportedMedia(InvalidInput):
    pass


class UnsafeUrl(InvalidInput):
    pass


class MediaTooLarge(HaechiError):
    pass


class NotFound(HaechiError):
    pass


class Conflict(HaechiError):
    pass


class FetchFailed(HaechiError):
    pass


class Unauthorized(HaechiError):
    pass


class Forbidden(HaechiError):
    pass


class NotReady(HaechiError):
    pass


class RateLimited(HaechiError):
    pass
