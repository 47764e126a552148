"""adapters/aio.within: a clean-up step that gives up after its timeout, even when what it
waits for swallows its cancellation (asyncio.wait_for would wait for it forever on 3.11)."""

from __future__ import annotations

import asyncio

from workers.adapters.aio import within


async def test_a_step_that_ends_in_time() -> None:
    async def quick() -> None:
        raise RuntimeError("dropped: clean-up errors do not stop a stop")

    assert await within(quick(), 1.0) is True


async def test_a_step_that_swallows_its_cancellation_is_left_behind() -> None:
    release = asyncio.Event()

    async def stubborn() -> None:
        while not release.is_set():
            try:
                await asyncio.sleep(0.01)
            except asyncio.CancelledError:
                continue  # what a lost cancellation looks like from outside

    loop = asyncio.get_running_loop()
    began = loop.time()
    assert await within(stubborn(), 0.1) is False
    assert loop.time() - began < 1.0
    release.set()
