"""/healthz tells a load balancer whether this worker can reach its database."""

import socket

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.test.utils import CaptureQueriesContext

from tourism import views


def test_healthz_answers_ok_after_a_real_query(client, db):
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"database": "ok"}
    assert any("SELECT 1" in query["sql"] for query in captured.captured_queries)
    assert "no-cache" in response["Cache-Control"]


def closed_port() -> int:
    """A local TCP port nothing listens on: bound once to learn a free number, then released."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def unreachable_database(tmp_path):
    """A connection like the default one, but to a database that cannot be reached."""
    default = connections[DEFAULT_DB_ALIAS]
    settings_dict = dict(default.settings_dict)
    if default.vendor == "sqlite":
        settings_dict["NAME"] = str(tmp_path / "no-such-directory" / "huagu.sqlite3")
    else:
        settings_dict.update(HOST="127.0.0.1", PORT=closed_port())
        settings_dict["OPTIONS"] = {**settings_dict.get("OPTIONS", {}), "connect_timeout": 2}
    unreachable = type(default)(settings_dict, alias="unreachable")
    yield unreachable
    unreachable.close()


def test_healthz_answers_503_with_a_reason_when_the_database_is_unreachable(
    client, db, monkeypatch, unreachable_database
):
    monkeypatch.setattr(views, "connection", unreachable_database)

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "error"
    assert "unreachable" in body["reason"]
    assert "OperationalError" in body["reason"]


def test_healthz_refuses_other_methods(client, db):
    assert client.post("/healthz").status_code == 405
