"""``navis admin create-*`` prints a working token once; ``navis worker`` refuses to start without Redis."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.exit_codes import CONFIG
from navis.settings import Settings, get_settings
from store import clients
from store.store import open_store


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NAVIS_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("NAVIS_DATABASE_URL", raising=False)
    monkeypatch.delenv("NAVIS_REDIS_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


@pytest.mark.parametrize("kind", ["patient", "clinic", "operator"])
def test_create_prints_id_and_a_token_that_authenticates(data_dir: Path, kind: str) -> None:
    result = CliRunner().invoke(app, ["admin", f"create-{kind}", "Someone"])
    assert result.exit_code == 0, result.output
    lines = dict(line.split(": ", 1) for line in result.stdout.splitlines() if ": " in line)
    store = open_store(Settings(data_dir=data_dir))
    with store.sessions() as session:
        client = clients.authenticate(session, lines["token"])
        assert client is not None
        assert (client.id, client.kind) == (lines["id"], kind)
        assert ("patient" in lines) == (kind == "patient")
    store.close()


def test_worker_without_redis_is_a_configuration_error(data_dir: Path) -> None:
    result = CliRunner().invoke(app, ["worker"])
    assert result.exit_code == CONFIG
    assert "NAVIS_REDIS_URL" in result.output
