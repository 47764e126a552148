"""Child processes that do not outlive the command that started them.

`raqib demo` starts a broker and a worker; if the demo itself is SIGKILLed (or crashes), no
`finally` runs, and they would go on running, holding a port and CPU. On Linux the kernel
can signal a child when its parent dies (prctl PR_SET_DEATHSIG), set up in the child
between fork and exec; elsewhere this is a no-op.

The signal is sent when the *thread* that started the child exits, so only use it for
children started from a thread that lives as long as the command (the main thread).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
from collections.abc import Callable

__all__ = ["die_with_parent"]

_PR_SET_DEATHSIG = 1


def die_with_parent(signum: int = signal.SIGTERM) -> Callable[[], None] | None:
    """A `preexec_fn` for subprocess.Popen that makes the child receive `signum` when this
    process dies; None where the platform cannot do it."""
    if not sys.platform.startswith("linux"):
        return None
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return None
    libc = ctypes.CDLL(libc_name, use_errno=True)
    parent = os.getpid()

    def preexec() -> None:
        if libc.prctl(_PR_SET_DEATHSIG, signum, 0, 0, 0) != 0:
            return  # best effort: the child still runs, as it would without it
        if os.getppid() != parent:  # the parent died before prctl took effect
            os.kill(os.getpid(), signum)

    return preexec
