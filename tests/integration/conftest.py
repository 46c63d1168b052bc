"""Real services for integration tests: a throwaway PostgreSQL database, a private Redis db number.

PostgreSQL and Redis are started by ``scripts/services.sh`` (the README's test command runs it). When one is not
reachable the tests that need it skip here, and fail under CI (``CI=true``), where it must be up.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator

import psycopg
import pytest
import redis

PG_HOST = os.environ.get("NAVIS_TEST_PG_HOST", "127.0.0.1")
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
