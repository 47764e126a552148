"""settings.py: RAQIB_* variables from an explicit mapping, flags on top."""

from __future__ import annotations

from pathlib import Path

import pytest

from workers.runtime.settings import DEFAULT_BOOTSTRAP, Settings, SettingsError


class TestFromEnv:
    def test_defaults(self) -> None:
        """An empty environment gives the documented defaults."""
        settings = Settings.from_env({})
        assert settings.bootstrap == DEFAULT_BOOTSTRAP == "localhost:9092"
        assert settings.store == "memory://"

    def test_reads_prefixed_variables(self) -> None:
        """RAQIB_* variables are read and converted to their field types."""
        settings = Settings.from_env(
            {
                "RAQIB_BOOTSTRAP": "k1:9092,k2:9092",
                "RAQIB_WEB_PORT": "7000",
                "RAQIB_WEB_ENABLED": "false",
                "RAQIB_DATA_DIR": "/data",
                "RAQIB_STORE": "rocksdb://",
            }
        )
        assert settings.bootstrap_servers == ["k1:9092", "k2:9092"]
        assert settings.broker_url == "kafka://k1:9092;kafka://k2:9092"
        assert settings.web_port == 7000
        assert settings.web_enabled is False
        assert settings.data_dir == Path("/data")

    def test_overrides_win_over_environment(self) -> None:
        """A flag (override) beats the variable; None overrides are ignored."""
        settings = Settings.from_env({"RAQIB_APP_ID": "env"}, app_id="flag", store=None)
        assert settings.app_id == "flag"
        assert settings.store == "memory://"

    def test_exactly_once_is_opt_in(self) -> None:
        """Processing is at least once unless exactly_once is asked for."""
        assert Settings.from_env({}).processing_guarantee == "at_least_once"
        assert Settings.from_env({"RAQIB_PROCESSING_GUARANTEE": "exactly_once"}).processing_guarantee == "exactly_once"

    @pytest.mark.parametrize(
        "env",
        [
            {"RAQIB_WEB_PORT": "eighty"},
            {"RAQIB_STORE": "redis://"},
            {"RAQIB_LOG_FORMAT": "xml"},
            {"RAQIB_WEB_ENABLED": "maybe"},
            {"RAQIB_PROCESSING_GUARANTEE": "twice"},
            {"RAQIB_PRODUCER_MAX_BATCH_BYTES": "0"},
        ],
    )
    def test_bad_values_are_errors(self, env: dict[str, str]) -> None:
        """Values raqib cannot use raise SettingsError."""
        with pytest.raises(SettingsError):
            Settings.from_env(env)
