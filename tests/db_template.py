"""A migrated test database built once and cloned, for runs that start many test processes.

tests/run_browser_tests.py starts one process per browser test. Migrating a fresh test
database in each would take most of each process's time, so the runner migrates one
template database first (``build``) and names it in ``HUAGU_TEST_DB_TEMPLATE``; each
process's session then clones it into its own test database (``clone``, called from the
``django_db_modify_db_settings`` fixture in tests/conftest.py) and reuses that clone as
pytest-django's ``--reuse-db`` would. The migrations' data (role groups, the root page)
is in the clone, so Django's serialized rollback captures and restores it as usual.

SQLite copies the file with SQLite's backup API; PostgreSQL uses ``CREATE DATABASE ...
TEMPLATE``.
"""

import os
import sqlite3
import tempfile

ENV = "HUAGU_TEST_DB_TEMPLATE"


def _connection():
    from django.db import connection

    return connection


def build() -> str:
    """Create and migrate the template database, exactly as the test runner would; its name."""
    connection = _connection()
    if connection.vendor == "sqlite":
        name = os.path.join(tempfile.gettempdir(), f"huagu-test-template-{os.getpid()}.sqlite3")
    else:
        name = f"test_{connection.settings_dict['NAME']}_template"
    connection.settings_dict.setdefault("TEST", {})["NAME"] = name
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    connection.close()
    return name


def destroy(name: str) -> None:
    """Remove the template database."""
    _drop(name)


def clone(template: str) -> str:
    """Copy the template into this process's test database (replacing any); its name."""
    connection = _connection()
    target = connection.creation._get_test_db_name()
    if connection.vendor == "sqlite":
        _remove_sqlite(target)
        with sqlite3.connect(template) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        source.close()
        copy.close()
    elif connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(target)} WITH (FORCE)")
            cursor.execute(f"CREATE DATABASE {quote(target)} TEMPLATE {quote(template)}")
    else:
        raise RuntimeError(f"{ENV} is not supported on {connection.vendor}")
    return target


def drop_clone(name: str) -> None:
    """Remove this process's clone once its tests are done."""
    _drop(name)


def _drop(name: str) -> None:
    connection = _connection()
    connection.close()
    if connection.vendor == "sqlite":
        _remove_sqlite(name)
        return
    quote = connection.ops.quote_name
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quote(name)} WITH (FORCE)")


def _remove_sqlite(name: str) -> None:
    for path in (name, f"{name}-wal", f"{name}-shm", f"{name}-journal"):
        if os.path.exists(path):
            os.remove(path)
