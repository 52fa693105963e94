"""One-minute request windows per client address, shared by every worker process on this machine.

``needlewise serve`` runs several worker processes, and a keep-alive client stays on one of them, so
a count kept in each process would let a client through only that worker's share of the limit (or,
split evenly, the whole limit once per worker). The windows live instead in a small file in the
data folder (``RATE_WINDOWS_FILE``, mode 0600), mapped into every process's memory: a fixed table of
:data:`SLOTS` slots, each holding an address's keyed digest (8 bytes of BLAKE2b keyed with the secret
key: the file never holds an address), its window's start on the system-wide monotonic clock and the
window's count. One update takes the file's lock (``flock``) and, within a process, a thread lock (a
``flock`` is held per open file, so threads of one process would share it).

An address is found by probing at most :data:`PROBES` slots from its digest's own; an empty slot, or
one whose window has ended, is taken over. Only when every probed slot holds a window still running
for other addresses (tens of thousands of addresses in one minute) is the oldest of them given up,
so that address's next request starts a fresh window. Servers on other machines keep their own files.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import math
import mmap
import os
import struct
import threading
from pathlib import Path

SLOTS = 65_536
PROBES = 32
WINDOW_SECONDS = 60.0
#: digest (0: empty), window start (seconds on CLOCK_MONOTONIC), requests counted in the window
SLOT = struct.Struct("<QdI4x")
FILE_SIZE = SLOTS * SLOT.size
FILE_MODE = 0o600


class RateWindows:
    """The shared table: :meth:`hit` counts a request or says how long to wait."""

    def __init__(self, path: Path, secret: bytes) -> None:
        """Open (creating or growing as needed) the table at ``path``; digests are keyed with ``secret``."""
        self._key = hashlib.blake2b(secret, digest_size=32).digest()  # a key of any length fits BLAKE2b's 64 bytes
        self._thread_lock = threading.Lock()
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE)
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        if os.fstat(descriptor).st_size < FILE_SIZE:  # new, or made by a version with a smaller table
            os.ftruncate(descriptor, FILE_SIZE)
        fcntl.flock(descriptor, fcntl.LOCK_UN)
        self._table = mmap.mmap(descriptor, FILE_SIZE)
        self._descriptor = descriptor

    def close(self) -> None:
        """Unmap the table and close the file."""
        self._table.close()
        os.close(self._descriptor)

    def digest(self, address: str) -> int:
        """The address's keyed 64-bit digest (never 0, which marks an empty slot)."""
        value = int.from_bytes(hashlib.blake2b(address.encode(), digest_size=8, key=self._key).digest(), "little")
        return value or 1

    def hit(self, address: str, limit: int, now: float) -> int | None:
        """Count one request from ``address`` at ``now`` (monotonic seconds); None, or the seconds to wait.

        A request over ``limit`` is not counted.
        """
        digest = self.digest(address)
        with self._thread_lock:
            fcntl.flock(self._descriptor, fcntl.LOCK_EX)
            try:
                slot, start, count = self._find(digest, now)
                if count >= limit:
                    return max(1, math.ceil(WINDOW_SECONDS - (now - start)))
                SLOT.pack_into(self._table, slot * SLOT.size, digest, start, count + 1)
                return None
            finally:
                fcntl.flock(self._descriptor, fcntl.LOCK_UN)

    def _find(self, digest: int, now: float) -> tuple[int, float, int]:
        """The slot for ``digest``, with its running window's start and count (a new window: now, 0)."""
        first = digest % SLOTS
        free: int | None = None
        oldest, oldest_start = first, math.inf
        for step in range(PROBES):
            slot = (first + step) % SLOTS
            held, start, count = SLOT.unpack_from(self._table, slot * SLOT.size)
            running = held != 0 and start <= now < start + WINDOW_SECONDS  # a start after now: before a reboot
            if held == digest and running:
                return slot, start, count
            if not running:
                free = slot if free is None else free
            elif start < oldest_start:
                oldest, oldest_start = slot, start
        return (oldest if free is None else free), now, 0


@functools.cache
def shared(path: Path, secret: bytes) -> RateWindows:
    """This process's one open table at ``path`` (every middleware built in the process uses it)."""
    return RateWindows(path, secret)
