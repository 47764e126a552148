"""End to end through the broker: generated pages produced to pages.raw, one `raqib worker`
(the child process a deployment runs), until its group has committed both stages.

    python -m benchmarks.bench_pipeline [PAGES] [SITES]

Prints pages/s from the worker's first processed page to the drain (its start-up left
out), and the produce time. On the embedded broker the worker runs with one record per
producer batch (see docs/embedded-broker.md), which bounds what this can show.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

from tests.integration.delivery import first_processed, processed, produce
from tests.integration.generated import generate
from tests.integration.helpers import fresh_topics, start_worker, wait_drained
from workers.adapters.embedded_broker import EmbeddedBroker
from workers.contract.topics import load_topics


async def run(pages: int, sites: int, broker: EmbeddedBroker, log_dir: Path) -> None:
    stream = generate(pages, sites=sites)
    topics = await fresh_topics(load_topics(), broker.bootstrap, "bench.")
    began = time.monotonic()
    await produce(broker.bootstrap, topics.name("pages.raw"), stream)
    produced = time.monotonic() - began
    worker = start_worker(broker.bootstrap, topics, log_dir)
    try:
        await wait_drained(broker.bootstrap, topics, worker, timeout=1800)
        drained = time.time()
    finally:
        worker.stop()
    first = first_processed(worker.log_path)
    if first is None:
        raise SystemExit(f"the worker processed no page; see {worker.log_path}")
    done = len(processed(worker.log_path))
    print(
        f"{pages} pages ({sites} sites): produced in {produced:.1f}s; worker processed {done} pages in "
        f"{drained - first:.1f}s = {done / (drained - first):.0f} pages/s (start-up excluded)"
    )


def main() -> None:
    pages = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    sites = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    log_dir = Path(tempfile.mkdtemp(prefix="raqib-bench-"))
    with EmbeddedBroker(log_path=log_dir / "broker.log") as broker:
        asyncio.run(run(pages, sites, broker, log_dir))


if __name__ == "__main__":
    main()
