"""Who works a scan run: this process as host:pid, and whether another such process is alive.

A run is resumed by one process at a time. On the same host the answer is exact (is the pid
alive?); a process on another host is taken for alive while its run made progress recently.
"""

from __future__ import annotations

import os
import socket
import time

#: a run on another host with no progress for this long is taken for abandoned
REMOTE_STALE_S = 300.0


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def owner_alive(owner: str, last_seen: float) -> bool:
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return time.time() - last_seen < REMOTE_STALE_S
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, under another user
        return True
    return True
