"""Worker settings: one frozen dataclass built from an explicit environment mapping.

`Settings.from_env(os.environ)` reads RAQIB_* variables; CLI flags override them with
`dataclasses.replace`. Nothing else in raqib reads the environment.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from types import UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from workers.core.zones import parse_site_timezones, site_timezones_problems
from workers.runtime.input_range import InputRange, InputRangeError

__all__ = ["DEFAULT_BOOTSTRAP", "Settings", "SettingsError", "bootstrap_problems", "field_parsers"]

DEFAULT_BOOTSTRAP = "localhost:9092"
_LOG_FORMATS = {"auto", "json", "console"}
_LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")
_MAX_PORT = 65535


class SettingsError(ValueError):
    """A RAQIB_* variable or flag has a value raqib cannot use."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a worker needs to know about its environment."""

    bootstrap: str = DEFAULT_BOOTSTRAP  # RAQIB_BOOTSTRAP: host:port[,host:port...]
    topics_file: Path | None = None  # RAQIB_TOPICS_FILE (default: the bundled topics.yaml)
    topic_prefix: str = ""  # RAQIB_TOPIC_PREFIX: prepended to every topic name
    app_id: str = "raqib"  # RAQIB_APP_ID: consumer group and internal-topic prefix
    store: str = "memory://"  # RAQIB_STORE: memory:// or rocksdb:// (needs raqib[rocksdb])
    data_dir: Path = Path("var/raqib")  # RAQIB_DATA_DIR: table store files
    log_format: str = "auto"  # RAQIB_LOG_FORMAT: json | console | auto (console on a TTY)
    log_level: str = "INFO"  # RAQIB_LOG_LEVEL
    web_port: int = 6066  # RAQIB_WEB_PORT: health and metrics
    web_bind: str = "127.0.0.1"  # RAQIB_WEB_BIND: their address (0.0.0.0 in a container)
    web_enabled: bool = True  # RAQIB_WEB_ENABLED
    timezone: str = "Asia/Damascus"  # RAQIB_TIMEZONE: default site time zone for HH:MM
    # Per-site zones, `domain=Area/City,...` (a site matches itself or a parent domain);
    # sites not listed get their country-code domain's zone, else RAQIB_TIMEZONE.
    site_timezones: str = ""  # RAQIB_SITE_TIMEZONES
    max_page_bytes: int = 10 * 1024 * 1024  # RAQIB_MAX_PAGE_BYTES
    session_timeout_s: float = 10.0  # RAQIB_SESSION_TIMEOUT_S: consumer group liveness
    # An unreachable broker is ridden out this long (a pause, a restart), then the worker
    # exits non-zero; /health answers 503 meanwhile. Probed every BROKER_CHECK_INTERVAL_S.
    broker_deadline_s: float = 120.0  # RAQIB_BROKER_DEADLINE_S
    broker_check_interval_s: float = 5.0  # RAQIB_BROKER_CHECK_INTERVAL_S
    # A stop (SIGTERM, SIGINT, a fatal error) ends the process within this, clean or not.
    shutdown_timeout_s: float = 30.0  # RAQIB_SHUTDOWN_TIMEOUT_S
    heartbeat_interval_s: float = 2.0  # RAQIB_HEARTBEAT_INTERVAL_S
    # Producer batch size in bytes (per partition). A full batch makes the next record of
    # its partition wait for it to be sent, so it bounds how many records are in flight.
    producer_max_batch_bytes: int = 262144  # RAQIB_PRODUCER_MAX_BATCH_BYTES
    # Throughput against latency (docs/pipeline.md has the measurements): each agent takes
    # up to BATCH_MAX_PAGES records at once, or what came within BATCH_WITHIN_S; the
    # consumer's fetches wait at most FETCH_WAIT_MS for data (Apache Kafka answers as soon
    # as there is some; the embedded broker holds every fetch this long); the producer
    # waits PRODUCER_LINGER_MS to fill a batch; offsets are committed every COMMIT_INTERVAL_S.
    batch_max_pages: int = 500  # RAQIB_BATCH_MAX_PAGES
    batch_within_s: float = 0.01  # RAQIB_BATCH_WITHIN_S
    fetch_wait_ms: int = 50  # RAQIB_FETCH_WAIT_MS
    producer_linger_ms: int = 0  # RAQIB_PRODUCER_LINGER_MS
    commit_interval_s: float = 1.0  # RAQIB_COMMIT_INTERVAL_S
    # at_least_once (default), or exactly_once: Kafka transactions, for brokers that support
    # them (Apache Kafka). Untested on the embedded broker, which has no transactions.
    processing_guarantee: str = "at_least_once"  # RAQIB_PROCESSING_GUARANTEE
    # Failure guard: stop when our own code fails on N pages in a row, or on more than
    # RATIO of the last WINDOW pages (poison input does not count).
    guard_max_consecutive: int = 100  # RAQIB_GUARD_MAX_CONSECUTIVE
    guard_max_ratio: float = 0.9  # RAQIB_GUARD_MAX_RATIO
    guard_window: int = 1000  # RAQIB_GUARD_WINDOW
    # Replays (`raqib replay` sets these for the worker it runs): a prefix for the topics
    # the worker writes (not pages.raw), and the range of pages.raw to process, as JSON
    # (workers/runtime/input_range.py). Empty: write the live topics, process everything.
    output_prefix: str = ""  # RAQIB_OUTPUT_PREFIX
    input_range: str = ""  # RAQIB_INPUT_RANGE

    @classmethod
    def from_env(cls, environ: Mapping[str, str], **overrides: Any) -> Settings:
        """Build settings from RAQIB_* variables, then apply non-None `overrides`."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = environ.get(f"RAQIB_{f.name.upper()}")
            if raw is None or raw == "":
                continue
            values[f.name] = _convert(f.name, raw)
        settings = cls(**values)
        settings = replace(settings, **{k: v for k, v in overrides.items() if v is not None})
        settings.check()
        return settings

    def check(self) -> None:
        """Raise SettingsError, naming the variable (and flag), for the first value raqib
        cannot use: everything is checked here, before the worker connects to anything."""
        problem = next(self.problems(), None)
        if problem is not None:
            raise SettingsError(problem)

    def problems(self) -> Iterator[str]:
        """One line per setting whose value raqib cannot use."""
        yield from self._word_problems()
        yield from self._number_problems()
        try:
            InputRange.from_json(self.input_range)
        except InputRangeError as exc:
            yield f"RAQIB_INPUT_RANGE: {exc}"

    def _word_problems(self) -> Iterator[str]:
        yield from (f"RAQIB_BOOTSTRAP / --bootstrap: {p}" for p in bootstrap_problems(self.bootstrap))
        if self.log_format not in _LOG_FORMATS:
            formats = ", ".join(sorted(_LOG_FORMATS))
            yield f"RAQIB_LOG_FORMAT / --log-format: {self.log_format!r} is not one of {formats}"
        if self.log_level.upper() not in _LOG_LEVELS:
            yield f"RAQIB_LOG_LEVEL / --log-level: {self.log_level!r} is not one of {', '.join(_LOG_LEVELS)}"
        if not self.store.startswith(("memory://", "rocksdb://")):
            yield f"RAQIB_STORE / --store: {self.store!r} is not memory:// or rocksdb://"
        if not self.web_bind.strip():
            yield "RAQIB_WEB_BIND: must be an address to listen on (e.g. 127.0.0.1, or 0.0.0.0 in a container)"
        if (zone_problem := _zone_problem(self.timezone)) is not None:
            yield f"RAQIB_TIMEZONE: {zone_problem}"
        if site_problems := site_timezones_problems(self.site_timezones):
            yield f"RAQIB_SITE_TIMEZONES: {'; '.join(site_problems)} (expected domain=Area/City,...)"
        if self.processing_guarantee not in {"at_least_once", "exactly_once"}:
            yield (f"RAQIB_PROCESSING_GUARANTEE: {self.processing_guarantee!r} is not at_least_once or exactly_once")

    def _number_problems(self) -> Iterator[str]:
        if not 1 <= self.web_port <= _MAX_PORT:
            yield f"RAQIB_WEB_PORT / --web-port: {self.web_port} is not a port (1-{_MAX_PORT})"
        for name in (
            "producer_max_batch_bytes",
            "max_page_bytes",
            "guard_max_consecutive",
            "guard_window",
            "batch_max_pages",
            "fetch_wait_ms",
        ):
            if getattr(self, name) < 1:
                yield f"RAQIB_{name.upper()}: {getattr(self, name)} must be 1 or more"
        if not (math.isfinite(self.guard_max_ratio) and 0 < self.guard_max_ratio <= 1):
            yield f"RAQIB_GUARD_MAX_RATIO: {self.guard_max_ratio} must be a share in (0, 1]"
        for name in (
            "session_timeout_s",
            "heartbeat_interval_s",
            "broker_deadline_s",
            "broker_check_interval_s",
            "shutdown_timeout_s",
            "batch_within_s",
            "commit_interval_s",
        ):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                yield f"RAQIB_{name.upper()}: {value} must be a positive number of seconds"
        if not 0 <= self.producer_linger_ms <= 60_000:
            yield f"RAQIB_PRODUCER_LINGER_MS: {self.producer_linger_ms} must be 0 to 60000"
        if self.heartbeat_interval_s >= self.session_timeout_s:
            yield (
                f"RAQIB_HEARTBEAT_INTERVAL_S: {self.heartbeat_interval_s} must be shorter than "
                f"RAQIB_SESSION_TIMEOUT_S ({self.session_timeout_s})"
            )

    @property
    def range(self) -> InputRange:
        """The part of pages.raw this worker processes (everything, unless replaying)."""
        return InputRange.from_json(self.input_range)

    @property
    def site_timezone_map(self) -> dict[str, str]:
        """RAQIB_SITE_TIMEZONES as a mapping, for `PipelineConfig.site_timezones`."""
        return parse_site_timezones(self.site_timezones)

    @property
    def bootstrap_servers(self) -> list[str]:
        return [s.strip() for s in self.bootstrap.split(",") if s.strip()]

    @property
    def broker_url(self) -> str:
        """Faust's broker URL form: kafka://host:port;host:port."""
        return ";".join(f"kafka://{server}" for server in self.bootstrap_servers)


def bootstrap_problems(bootstrap: str) -> list[str]:
    """What is wrong with a bootstrap list `host:port[,host:port...]` (IPv6 hosts in
    brackets, `[::1]:9092`); empty when nothing is. Checked before any client sees it:
    Kafka clients answer a bad port with a traceback."""
    servers = [s.strip() for s in bootstrap.split(",")]
    if not any(servers):
        return ["no bootstrap servers given (expected host:port[,host:port...])"]
    problems = []
    for server in servers:
        host, sep, port = server.rpartition(":")
        if not server:
            problems.append(f"{bootstrap!r} has an empty entry")
        elif not sep or not host:
            problems.append(f"{server!r} is not host:port")
        elif not port.isdigit() or not 1 <= int(port) <= _MAX_PORT:
            problems.append(f"{server!r}: {port!r} is not a port (1-{_MAX_PORT})")
        elif ":" in host and not (host.startswith("[") and host.endswith("]")):
            problems.append(f"{server!r}: write an IPv6 host in brackets, e.g. [::1]:9092")
        elif not host.strip("[]").strip():
            problems.append(f"{server!r} has no host")
    return problems


def _zone_problem(name: str) -> str | None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return f"{name!r} is not a known time zone (e.g. Asia/Damascus)"
    return None


def _parse_bool(raw: str) -> bool:
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ValueError(raw)


# How an environment string becomes a value of each type a setting may have.
_PARSERS: dict[object, Callable[[str], Any]] = {str: str, int: int, float: float, bool: _parse_bool, Path: Path}


def field_parsers(cls: type[Any]) -> dict[str, tuple[str, Callable[[str], Any]]]:
    """For each field of dataclass `cls`: (type name, parser of its environment string),
    from its resolved type hints (`X | None` parses as X). A field of any other type is a
    TypeError, raised when the module is imported: a new setting cannot silently stay a str."""
    hints = get_type_hints(cls)
    parsers: dict[str, tuple[str, Callable[[str], Any]]] = {}
    for f in fields(cls):
        hint = hints[f.name]
        if get_origin(hint) in {Union, UnionType}:
            options = [arg for arg in get_args(hint) if arg is not type(None)]
            hint = options[0] if len(options) == 1 else hint
        parser = _PARSERS.get(hint)
        if parser is None:
            raise TypeError(f"{cls.__name__}.{f.name}: no parser for a setting of type {hints[f.name]!r}")
        parsers[f.name] = (getattr(hint, "__name__", str(hint)), parser)
    return parsers


_FIELD_PARSERS = field_parsers(Settings)


def _convert(name: str, raw: str) -> Any:
    kind, parser = _FIELD_PARSERS[name]
    try:
        return parser(raw)
    except ValueError:
        raise SettingsError(f"RAQIB_{name.upper()}={raw!r} is not a valid {kind}") from None
