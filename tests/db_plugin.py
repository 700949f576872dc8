"""Which database the suite runs on: `--db=sqlite` (default) or `--db=postgresql`.

`make test` runs the whole suite on SQLite, then again with `--db=postgresql`. The PostgreSQL pass
uses HAECHI_TEST_POSTGRES_URL when set (a superuser URL: the pass creates and drops databases),
else starts a throwaway server from the installed PostgreSQL binaries (tests/pg_cluster.py). Without
either, the pass stops with a notice and exit status 0 on a developer machine, and fails under CI
(CI=true), where `.ci/run` installs PostgreSQL.

Tests marked `postgres` need PostgreSQL itself (concurrency the embedded database cannot show);
they run in the PostgreSQL pass and are skipped, with that reason, in the SQLite pass.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pg_cluster import ThrowawayCluster, find_bindir
from tests.pg_databases import PgDatabases

_state: dict[str, object] = {}


def on_postgres() -> bool:
    return "databases" in _state


def database_url(tmp_path: Path) -> str:
    """The database for a test's tmp_path: a SQLite file in it, or a fresh PostgreSQL database."""
    databases = _state.get("databases")
    if isinstance(databases, PgDatabases):
        return databases.for_path(tmp_path)
    return f"sqlite:///{tmp_path / 'haechi.db'}"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        choices=("sqlite", "postgresql"),
        default=os.environ.get("HAECHI_TEST_DB", "sqlite"),
        help="database the suite runs on (default sqlite; HAECHI_TEST_DB)",
    )


def _server_url() -> str:
    if url := os.environ.get("HAECHI_TEST_POSTGRES_URL"):
        return url
    bindir = find_bindir()
    if bindir is None:
        message = (
            "PostgreSQL pass: no server (set HAECHI_TEST_POSTGRES_URL, or install Debian's "
            "`postgresql` so a throwaway server can be started)"
        )
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            raise pytest.UsageError(f"{message}; CI=true requires it")
        pytest.exit(f"{message}: skipped", returncode=0)
    cluster = ThrowawayCluster(bindir).start()
    _state["cluster"] = cluster
    return cluster.url


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--db") != "postgresql":
        return
    try:
        databases = PgDatabases(_server_url())
        databases.prepare()
    except BaseException:
        _stop_cluster()
        raise
    _state["databases"] = databases


def pytest_unconfigure(config: pytest.Config) -> None:
    databases = _state.pop("databases", None)
    try:
        if isinstance(databases, PgDatabases):
            databases.close()
    finally:
        _stop_cluster()


def _stop_cluster() -> None:
    cluster = _state.pop("cluster", None)
    if isinstance(cluster, ThrowawayCluster):
        cluster.stop()


def pytest_report_header(config: pytest.Config) -> str:
    databases = _state.get("databases")
    if not isinstance(databases, PgDatabases):
        return "database: sqlite"
    where = "throwaway server" if "cluster" in _state else "HAECHI_TEST_POSTGRES_URL"
    return f"database: postgresql {databases.server_version()} ({where})"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if on_postgres():
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: runs in the `pytest --db=postgresql` pass")
    for item in items:
        if item.get_closest_marker("postgres") is not None:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _postgres_databases_per_test() -> Iterator[None]:
    """Drop the databases a test made (those of module/session fixtures predate it)."""
    databases = _state.get("databases")
    if not isinstance(databases, PgDatabases):
        yield
        return
    before = databases.names()
    yield
    databases.drop_all_but(before)


@pytest.fixture
def blank_database_url(tmp_path: Path) -> str:
    """An empty database of the pass's kind (migration tests start from nothing)."""
    databases = _state.get("databases")
    if isinstance(databases, PgDatabases):
        return databases.blank()
    return f"sqlite:///{tmp_path / 'blank.db'}"
