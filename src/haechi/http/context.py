"""What the HTTP layer is handed by bootstrap: services, never adapters."""

from __future__ import annotations

from dataclasses import dataclass

from haechi.domain.signals import SignalRegistry
from haechi.services.audit import AuditService
from haechi.services.auth import AuthService
from haechi.services.bank_io import BankTransfer
from haechi.services.banks import BankService
from haechi.services.hashing import HashingService
from haechi.services.lookup import LookupService
from haechi.services.matching import Matcher


@dataclass(frozen=True, slots=True)
class WebConfig:
    open_access: bool
    #: sha256 hex digests of accepted bearer tokens
    token_digests: frozenset[str]
    max_upload_bytes: int
    index_stale_after_s: float = 65.0


@dataclass(frozen=True, slots=True)
class AppServices:
    registry: SignalRegistry
    banks: BankService
    transfer: BankTransfer
    hashing: HashingService
    lookup: LookupService
    matcher: Matcher
    auth: AuthService
    audit: AuditService
    web: WebConfig
