"""Real services for integration tests: a throwaway PostgreSQL database, a private Redis db number.

PostgreSQL and Redis are started by ``scripts/services.sh`` (the README's test command runs it). When one is not
reachable the tests that need it skip here, and fail under CI (``CI=true``), where it must be up.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
import redis

PG_HOST = "127.0.0.1"
PG_PORT = 5432
REDIS_PORT = 6379
REDIS_DB = 13  # ours alone: other tests and engineers use other numbers


def _reachable(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _need(port: int, what: str) -> None:
    if _reachable(port):
        return
    if os.environ.get("CI"):
        pytest.fail(f"{what} is not running on port {port}: scripts/services.sh should have started it")
    pytest.skip(f"{what} is not running on port {port} (run scripts/services.sh)")


def _admin_url() -> str:
    for user in ("postgres", "root"):
        url = f"postgresql://{user}@{PG_HOST}:{PG_PORT}/test"
        try:
            psycopg.connect(url, connect_timeout=3).close()
            return url
        except psycopg.OperationalError:
            continue
    pytest.fail("cannot log in to PostgreSQL as postgres or root (trust auth expected)")


@pytest.fixture(scope="session")
def postgres_admin() -> str:
    """A URL that can create and drop databases."""
    _need(PG_PORT, "PostgreSQL")
    return _admin_url()


def create_database(admin_url: str) -> str:
    """A new empty database; returns its SQLAlchemy URL."""
    name = f"navis_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}"


def drop_database(admin_url: str, url: str) -> None:
    """Drop a database made by :func:`create_database`, closing its other sessions first."""
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_url(postgres_admin: str) -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    url = create_database(postgres_admin)
    yield url
    drop_database(postgres_admin, url)


@pytest.fixture
def redis_url() -> Iterator[str]:
    """Our private Redis db number, emptied before and after the test."""
    _need(REDIS_PORT, "Redis")
    url = f"redis://127.0.0.1:{REDIS_PORT}/{REDIS_DB}"
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


# --- processes of the service, started as a deployment would start them --------------------------------------

NAVIS = str(Path(sys.executable).with_name("navis"))


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def service_env(data_dir: Path, database_url: str | None, redis_url: str | None, **extra: object) -> dict[str, str]:
    """Environment for a ``navis`` process: our settings only, fast sweeps so recovery fits in a test."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NAVIS_")}
    env |= {
        "NAVIS_DATA_DIR": str(data_dir),
        "NAVIS_JOB_LEASE_S": "6",
        "NAVIS_JOB_REQUEUE_AFTER_S": "3",
        "NAVIS_SWEEP_INTERVAL_S": "1",
        "OMP_THREAD_LIMIT": "1",
    }
    if database_url:
        env["NAVIS_DATABASE_URL"] = database_url
    if redis_url:
        env["NAVIS_REDIS_URL"] = redis_url
    env |= {f"NAVIS_{key.upper()}": str(value) for key, value in extra.items()}
    return env


class Process:
    """A child process in its own session, so it and its children stop together."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        with log.open("ab") as out:
            self.popen = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Signal the whole process group (a worker's pool and sweeper go with it)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=15)

    def stop(self) -> None:
        """Ask politely, then insist."""
        if self.popen.poll() is None:
            self.kill(signal.SIGTERM)
        self.kill(signal.SIGKILL)


@pytest.fixture
def processes() -> Iterator[Callable[..., Process]]:
    """Start ``navis`` processes; every one is stopped when the test ends, whatever happened."""
    started: list[Process] = []

    def start(args: list[str], env: dict[str, str], log: Path) -> Process:
        process = Process([NAVIS, *args], env, log)
        started.append(process)
        return process

    yield start
    for process in reversed(started):
        process.stop()


def wait_for(check: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``check`` until it holds, or fail after ``timeout`` seconds saying ``what`` was awaited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


def wait_http(url: str, timeout: float = 30) -> None:
    """Wait until ``url`` answers 200."""

    def up() -> bool:
        try:
            return httpx.get(url, timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    wait_for(up, timeout, url)
