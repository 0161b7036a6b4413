"""A real Redis for the multi-worker crawl tests: each test gets a key prefix of its own
and its keys are deleted afterwards.

The server is `$DRMCRAWL_TEST_REDIS` (default redis://127.0.0.1:6379/0). Under CI=true a
missing server fails the tests; elsewhere they are skipped with how to run them."""

from __future__ import annotations

import os
import uuid

import pytest

ENV = "DRMCRAWL_TEST_REDIS"
DEFAULT = "redis://127.0.0.1:6379/0"
HOW = (f"the multi-worker crawl tests need Redis: start one (redis-server, 127.0.0.1:6379) or set {ENV}="
       "redis://HOST:PORT/DB, and install drmcrawl[test] (scrapy-redis, redis)")


def server_url() -> str:
    return os.environ.get(ENV) or DEFAULT


def unavailable(reason: str):
    """Fail under CI, skip elsewhere."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; {HOW}", pytrace=False)
    pytest.skip(f"{reason}; {HOW}")


def client(url: str | None = None):
    try:
        import redis
    except ImportError:
        unavailable("the redis package is not installed")
    connection = redis.Redis.from_url(url or server_url(), socket_connect_timeout=3)
    try:
        connection.ping()
    except Exception as exc:  # noqa: BLE001 - any reason the server cannot be used
        unavailable(f"no Redis at {url or server_url()} ({type(exc).__name__}: {exc})")
    return connection


def new_prefix() -> str:
    return f"drmcrawl_test_{uuid.uuid4().hex[:10]}"


def delete_prefix(connection, prefix: str) -> None:
    keys = list(connection.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        connection.delete(*keys)
