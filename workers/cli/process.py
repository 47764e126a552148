"""`raqib process`: the worker's core over files, without Kafka."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, BinaryIO

import orjson
import typer

from workers.adapters.codec import decode_page, encode_value
from workers.adapters.dead_letter import DeadLetter
from workers.adapters.page_files import Rejected, check_paths, read_messages
from workers.cli._common import TopicsFile, app, fail, load_topics_or_fail, time_option
from workers.contract.schemas import validator_for
from workers.contract.topics import TopicSet
from workers.core.models import ParseFailure
from workers.core.pipeline import DEFAULT_PIPELINE, PipelineConfig, PipelineState, process_page
from workers.errors import IngestError, InvalidMessage, UsageError

__all__ = ["process", "process_files"]


def process_files(
    paths: list[Path],
    topics: TopicSet,
    *,
    fetched_at: datetime | None,
    site: str | None,
    out: BinaryIO,
    config: PipelineConfig = DEFAULT_PIPELINE,
) -> int:
    """Print {"topic", "key", "value"} lines for every record the worker would publish."""
    check_paths(paths)
    validator = validator_for(topics["pages.raw"].schema)
    count = 0
    state = PipelineState()  # one run = one dedup memory, as one worker would have
    for item in read_messages(paths, validator, fetched_at=fetched_at, site=site):
        if isinstance(item, Rejected):
            letter = _letter(item.source, item.raw, None, "ingest", "Rejected", item.reason)
            _emit(out, topics.name("pages.dlq"), None, letter.to_dict())
            count += 1
            continue
        try:
            page = decode_page(item.value, validator)
            outcome = process_page(page, state, config)
            state.commit()
            if isinstance(outcome, ParseFailure):
                raise InvalidMessage("parse", f"ParseFailure.{outcome.reason}", outcome.detail or outcome.reason)
        except InvalidMessage as exc:
            letter = _letter(item.source, item.value, item.key, exc.stage, exc.error_type, exc.message)
            _emit(out, topics.name("pages.dlq"), item.key.decode() if item.key else None, letter.to_dict())
            count += 1
            continue
        for record in outcome.records:
            _emit(out, topics.name(record.topic), record.key, record.value)
            count += 1
    out.flush()
    return count


def _letter(source: str, raw: bytes | None, key: bytes | None, stage: str, error_type: str, reason: str) -> DeadLetter:
    return DeadLetter(None, None, None, None, key, raw, stage, error_type, reason, source=source)


def _emit(out: BinaryIO, topic: str, key: str | None, value: dict[str, object]) -> None:
    out.write(orjson.dumps({"topic": topic, "key": key, "value": orjson.Fragment(encode_value(value))}) + b"\n")


@app.command()
def process(
    paths: Annotated[list[Path], typer.Argument(help=".txt, .html/.htm or .jsonl files.", show_default=False)],
    fetched_at: Annotated[str | None, typer.Option("--fetched-at", help="Event time for .txt/.html files.")] = None,
    site: Annotated[str | None, typer.Option(help="Site (dedup scope) of the pages.")] = None,
    topics_file: TopicsFile = None,
) -> None:
    """Run the worker's core over files, without Kafka; print the events as JSON lines."""

    topics = load_topics_or_fail(topics_file, "")
    try:
        process_files(paths, topics, fetched_at=time_option(fetched_at), site=site, out=sys.stdout.buffer)
    except IngestError as exc:
        fail(str(exc), 2 if isinstance(exc, UsageError) else 1)
