"""Bulk-scan adapters: media stores through fsspec, and the engines that hash them.

`LocalEngine` runs in-process; `RayEngine` (needs `pip install haechi[scale]`) runs the same batch
function on a Ray cluster with Ray Data. Ray is imported only when a Ray scan starts.
"""

from __future__ import annotations

from haechi.adapters.scale.fsspec_source import FsspecSource
from haechi.adapters.scale.local_engine import LocalEngine

__all__ = ["FsspecSource", "LocalEngine"]
