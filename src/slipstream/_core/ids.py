"""Identifiers and clocks."""

from __future__ import annotations

import os
import time


def new_id() -> str:
    """A random 16-hex-digit id (64 bits): short enough to type, unique enough for a store."""
    return os.urandom(8).hex()


def now() -> float:
    """Wall-clock time in epoch seconds (the unit every record uses)."""
    return time.time()


def hostname() -> str:
    """This machine's name (as socket.gethostname(), without importing socket)."""
    return os.uname().nodename
