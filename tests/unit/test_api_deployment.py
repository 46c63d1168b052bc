"""docker-compose.yml and the Dockerfile cannot run here (no Docker engine), so they are checked against the
code: every ``navis`` command and option exists, every ``NAVIS_*`` variable is a setting with a valid value,
ports and URLs agree between services, and the image carries Tesseract."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import typer
import yaml

from api.cli import app
from navis.settings import Settings
from worker.celery_app import BATCH_QUEUE, LIVE_QUEUE

ROOT = Path(__file__).resolve().parents[2]
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, Any] = COMPOSE["services"]
NAVIS_SERVICES = [name for name, spec in SERVICES.items() if spec.get("command", [""])[0] == "navis"]


def _command(args: list[str]) -> Any:
    """Parse ``args`` (after ``navis``) the way the real CLI would; fails when a command or option is unknown.

    Typer carries its own copy of click, so groups are recognised by their ``commands`` mapping."""
    command: Any = typer.main.get_command(app)
    rest = list(args)
    while hasattr(command, "commands"):
        assert rest[0] in command.commands, f"no command {rest[0]!r}"
        command, rest = command.commands[rest[0]], rest[1:]
    return command.make_context(command.name or "", rest)


def _env(service: str) -> dict[str, str]:
    resolved = {}
    for key, value in (SERVICES[service].get("environment") or {}).items():
        resolved[key] = re.sub(r"\$\{[^}]*\}", "c2VjcmV0LWtleS1vZi1hdC1sZWFzdC0zMi1ieXRlcyE=", str(value))
    return resolved


def test_the_deployment_has_every_part() -> None:
    assert set(SERVICES) == {"api", "worker", "redis", "postgres", "flower"}


@pytest.mark.parametrize("service", NAVIS_SERVICES)
def test_navis_commands_and_options_exist(service: str) -> None:
    context = _command(SERVICES[service]["command"][1:])
    assert context.command.name in ("serve", "worker")


@pytest.mark.parametrize("service", NAVIS_SERVICES)
def test_every_navis_variable_is_a_setting_with_a_valid_value(service: str) -> None:
    variables = {k: v for k, v in _env(service).items() if k.startswith("NAVIS_")}
    assert variables
    fields = {key.removeprefix("NAVIS_").lower(): value for key, value in variables.items()}
    unknown = set(fields) - set(Settings.model_fields)
    assert not unknown, f"{service}: not settings: {unknown}"
    Settings.model_validate(fields)


def test_the_api_listens_on_its_published_port() -> None:
    context = _command(SERVICES["api"]["command"][1:])
    published = [int(p.split(":")[1]) for p in SERVICES["api"]["ports"]]
    assert published == [context.params["port"]]
    assert context.params["host"] == "0.0.0.0"


def test_workers_take_the_queues_the_code_sends_to() -> None:
    context = _command(SERVICES["worker"]["command"][1:])
    assert set(context.params["queues"].split(",")) == {LIVE_QUEUE, BATCH_QUEUE}


@pytest.mark.parametrize("service", NAVIS_SERVICES)
def test_urls_point_at_the_services_that_exist(service: str) -> None:
    env = _env(service)
    database = urlparse(env["NAVIS_DATABASE_URL"])
    postgres = SERVICES["postgres"]["environment"]
    assert database.hostname in SERVICES
    assert f"{database.port}:{database.port}" in SERVICES[database.hostname]["ports"]
    assert (database.username, database.password, database.path.lstrip("/")) == (
        postgres["POSTGRES_USER"],
        postgres["POSTGRES_PASSWORD"],
        postgres["POSTGRES_DB"],
    )
    broker = urlparse(env["NAVIS_REDIS_URL"])
    redis_command = SERVICES["redis"]["command"]
    assert broker.hostname == "redis"
    assert str(broker.port) == redis_command[redis_command.index("--port") + 1]


def test_flower_watches_the_same_broker() -> None:
    assert f"--broker={_env('api')['NAVIS_REDIS_URL']}" in SERVICES["flower"]["command"]
    assert any(p.endswith(":5555") for p in SERVICES["flower"]["ports"])


def test_api_and_workers_share_the_blob_volume() -> None:
    mounts = {name: SERVICES[name]["volumes"] for name in NAVIS_SERVICES}
    data_dirs = {_env(name)["NAVIS_DATA_DIR"] for name in NAVIS_SERVICES}
    assert len({tuple(m) for m in mounts.values()}) == 1
    assert all(f":{d}" in mounts["api"][0] for d in data_dirs)


def test_the_image_has_tesseract_and_runs_the_api_command() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "tesseract-ocr" in dockerfile
    cmd = re.search(r"^CMD (\[.*\])$", dockerfile, re.MULTILINE)
    assert cmd is not None
    assert yaml.safe_load(cmd.group(1)) == SERVICES["api"]["command"]
    for package in ("navis", "ingest", "extract", "personalize", "api", "worker", "store"):
        assert f"COPY {package} ./{package}" in dockerfile
