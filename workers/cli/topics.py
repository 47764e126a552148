"""`raqib topics create|check`: the cluster's topics against topics.yaml."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from workers.cli._common import (
    DEFAULT_BOOTSTRAP,
    Bootstrap,
    Prefix,
    TopicsFile,
    fail,
    load_topics_or_fail,
    run,
    topics_app,
)

__all__ = ["topics_check", "topics_create"]


@topics_app.command("create")
def topics_create(
    bootstrap: Bootstrap = DEFAULT_BOOTSTRAP,
    topics_file: TopicsFile = None,
    prefix: Prefix = "",
    replication_factor: Annotated[
        int | None, typer.Option(help="Override every topic's replication factor (e.g. 3 in production).")
    ] = None,
) -> None:
    """Create the topics of topics.yaml that do not exist yet (safe to run twice)."""
    from workers.adapters.kafka_topics import create_topics  # noqa: PLC0415

    topics = load_topics_or_fail(topics_file, prefix)

    async def body() -> dict[str, str]:
        return await create_topics(topics, bootstrap, replication_factor=replication_factor)

    results = run(body)
    for name, status in results.items():
        typer.echo(f"{status:8} {name}")


@topics_app.command("check")
def topics_check(bootstrap: Bootstrap = DEFAULT_BOOTSTRAP, topics_file: TopicsFile = None, prefix: Prefix = "") -> None:
    """Check that the cluster has the topics of topics.yaml, as declared."""
    from workers.adapters.kafka_topics import check_topics  # noqa: PLC0415

    topics = load_topics_or_fail(topics_file, prefix)

    async def body() -> Any:
        return await check_topics(topics, bootstrap)

    checks = run(body)
    for check in checks:
        problems = "".join(f"\n         - {problem}" for problem in check.problems)
        typer.echo(f"{'ok' if check.ok else 'MISMATCH':8} {check.name}{problems}")
    if not all(check.ok for check in checks):
        fail("the cluster does not match topics.yaml (run `raqib topics create` for missing topics)")
