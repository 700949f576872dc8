"""Tables for hotline (issue 4)."""

from __future__ import annotations
