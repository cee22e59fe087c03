"""Settings: one table, overlaid defaults -> file -> environment -> flags, each documented."""
from __future__ import annotations

import subprocess
import sys

import pytest

from quanhe import settings
from quanhe.cli import build_parser
from quanhe.errors import UsageError


def test_defaults():
    conf = settings.load(env={}, cwd="/nonexistent-dir-for-quanhe-tests")
    assert conf.db == "./quanhe.db"
    assert conf.max_bytes == 20_000_000
    assert conf.format == "auto"
    assert conf.batch_size == 100
    assert all(conf.source(s.name) == "default" for s in settings.SETTINGS)


def test_layers_overlay_in_order(tmp_path):
    (tmp_path / "quanhe.toml").write_text('db = "file.db"\nmax_bytes = "5MB"\nbatch_size = 7\n')
    env = {"QUANHE_MAX_BYTES": "1k", "QUANHE_BATCH_SIZE": "9"}
    conf = settings.load({"batch_size": 11, "db": None}, env=env, cwd=tmp_path)
    assert (conf.db, conf.source("db")) == ("file.db", str(tmp_path / "quanhe.toml"))
    assert (conf.max_bytes, conf.source("max_bytes")) == (1000, "QUANHE_MAX_BYTES")
    assert (conf.batch_size, conf.source("batch_size")) == (11, "flag")
    assert conf.format == "auto"


def test_explicit_config_file_via_env_or_argument(tmp_path):
    (tmp_path / "other.toml").write_text('format = "jsonl"\n')
    assert settings.load(env={"QUANHE_CONFIG": str(tmp_path / "other.toml")}).format == "jsonl"
    assert settings.load(env={}, config=tmp_path / "other.toml").format == "jsonl"
    with pytest.raises(UsageError, match="not found"):
        settings.load(env={}, config=tmp_path / "missing.toml")


@pytest.mark.parametrize("content, message", [
    ('colour = "blue"\n', "unknown setting"),
    ("db = \n", "cannot read"),
    ('format = "xml"\n', "not one of"),
    ("batch_size = 0\n", "batch_size"),
])
def test_bad_config_file(tmp_path, content, message):
    (tmp_path / "quanhe.toml").write_text(content)
    with pytest.raises(UsageError, match=message):
        settings.load(env={}, cwd=tmp_path)


def test_bad_environment_value_names_the_variable(tmp_path):
    with pytest.raises(UsageError, match="QUANHE_MAX_BYTES"):
        settings.load(env={"QUANHE_MAX_BYTES": "lots"}, cwd=tmp_path)
    # an empty variable means "not set"
    assert settings.load(env={"QUANHE_DB": ""}, cwd=tmp_path).db == "./quanhe.db"


@pytest.mark.parametrize("text, size", [("20000000", 20_000_000), ("20MB", 20_000_000),
                                        ("20m", 20_000_000), ("512k", 512_000), ("1 GB", 10**9),
                                        (4096, 4096)])
def test_parse_size(text, size):
    assert settings.parse_size(text) == size


@pytest.mark.parametrize("text", ["", "-1", "0", "ten", "5 TB"])
def test_parse_size_rejects(text):
    with pytest.raises(ValueError):
        settings.parse_size(text)


def test_every_setting_is_documented():
    """Each setting has help text, and the CLI help names it with its environment variable."""
    help_text = build_parser().format_help()
    for s in settings.SETTINGS:
        assert s.help.strip() and s.env == "QUANHE_" + s.name.upper()
        assert s.name in help_text and s.env in help_text


def test_settings_command_shows_sources(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "QUANHE_DB": str(tmp_path / "env.db"), "QUANHE_BATCH_SIZE": "3"}
    out = subprocess.run([sys.executable, "-m", "quanhe", "settings", "--db", "flag.db"],
                         check=False, capture_output=True, text=True, env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    lines = {line.split()[0]: line.split() for line in out.stdout.splitlines()[2:]}
    assert lines["db"][1:3] == ["flag.db", "flag"]
    assert lines["batch_size"][1:3] == ["3", "QUANHE_BATCH_SIZE"]
    assert lines["max_bytes"][1:3] == ["20000000", "default"]
