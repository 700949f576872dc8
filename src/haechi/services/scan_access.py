"""Who may see bulk scans: the instance's operators only.

A scan is run by the instance's operator from the command line over a media store the instance
can read; its sources, matched paths and hits are theirs. Regulator organisations' principals with
`scans:read` (their admins) see every run; anyone else gets 403.
"""

from __future__ import annotations

from haechi.domain.errors import Forbidden
from haechi.domain.tenancy import OrgKind, Permission, Principal


def require_scan_reader(principal: Principal) -> None:
    principal.require(Permission.SCANS_READ)
    if principal.org_kind is not OrgKind.REGULATOR:
        raise Forbidden("bulk scans are visible to the instance's regulator only")
