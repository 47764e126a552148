"""asyncio helpers for stops that must not hang.

On Python 3.11, `asyncio.wait_for` cancels its awaitable on timeout and then waits for it to
end: an awaitable that swallowed its cancellation (aiokafka's own `wait_for` can lose one)
keeps it waiting forever. A stop uses `within` instead, which gives up after the timeout.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

__all__ = ["within"]


async def within(coro: Coroutine[Any, Any, Any], timeout: float) -> bool:
    """Run `coro` as a task for at most `timeout` seconds: True when it ended (its error, if
    any, is dropped: this is for clean-up), False when it was cancelled and left behind."""
    task = asyncio.ensure_future(coro)
    done, _ = await asyncio.wait([task], timeout=timeout)
    if not done:
        task.cancel()
        return False
    if not task.cancelled():
        task.exception()  # retrieved, so asyncio does not log it as never retrieved
    return True
