"""Tables for le_requests (issue 4)."""

from __future__ import annotations
