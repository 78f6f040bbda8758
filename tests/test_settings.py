"""Production settings come from the environment only and pass Django's deployment checks."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command, get_commands

from tourism.models import HomePage

BASE_DIR = Path(__file__).resolve().parent.parent
# Variables the settings read; none may leak into these runs from the developer's shell.
READ_BY_SETTINGS = ("DJANGO_", "DATABASE_URL", "REDIS_URL", "HUAGU_", "EMAIL_URL")


def clean_environment(**variables) -> dict[str, str]:
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(READ_BY_SETTINGS)
    }
    environment.update(variables)
    return environment


@pytest.fixture
def production_environment(tmp_path):
    """The sample production environment of the README, with a throwaway SQLite database."""
    return clean_environment(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        HUAGU_ID_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="huagu.example.com",
        DATABASE_URL=f"sqlite:///{tmp_path / 'production.sqlite3'}",
        REDIS_URL="redis://127.0.0.1:6379/0",
        EMAIL_URL="smtp+tls://tickets%40huagu.example.com:secret@smtp.example.com:587",
    )


def manage(*arguments: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def settings_read(expression: str, env: dict[str, str]) -> str:
    """What ``expression`` (over ``settings``) prints once Django is set up in ``env``."""
    result = run_python(
        f"import django; django.setup(); from django.conf import settings; print({expression})",
        env,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_settings_pass_the_deployment_checks(production_environment):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_environment)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deployment_checks_catch_a_weak_secret_key(production_environment):
    production_environment["DJANGO_SECRET_KEY"] = "short"

    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_environment)

    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(production_environment):
    del production_environment["DJANGO_SECRET_KEY"]

    result = manage("check", env=production_environment)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_a_mail_setting(production_environment):
    # The console fallback would print tourists' names, phones and order links into the log.
    del production_environment["EMAIL_URL"]

    result = manage("check", env=production_environment)

    assert result.returncode != 0
    assert "EMAIL_URL must be set in production" in result.stderr


@pytest.mark.parametrize("email_url", ["dummymail://", "consolemail://"])
def test_a_test_deployment_may_say_it_sends_no_email(production_environment, email_url):
    production_environment["EMAIL_URL"] = email_url

    backend = settings_read("settings.EMAIL_BACKEND", production_environment)

    assert backend.endswith(
        "dummy.EmailBackend" if email_url == "dummymail://" else "console.EmailBackend"
    )


def test_production_takes_its_hosts_database_and_cache_from_the_environment(production_environment):
    seen = settings_read(
        "settings.ALLOWED_HOSTS, settings.DATABASES['default']['NAME'], "
        "settings.CACHES['default']['BACKEND'], settings.DEBUG, settings.SECURE_SSL_REDIRECT, "
        "settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE",
        production_environment,
    )

    hosts, database, cache, *flags = seen.split()
    assert hosts == "['huagu.example.com']"
    assert database.endswith("production.sqlite3")
    assert cache == "django.core.cache.backends.redis.RedisCache"
    assert flags == ["False", "True", "True", "True"]


@pytest.mark.parametrize(
    "database_url, switch, bound_on_the_server",
    [
        ("postgres://huagu@db.example.com:5432/huagu", None, "True"),
        ("postgres://huagu@db.example.com:5432/huagu", "false", "False"),
        ("sqlite:///huagu.sqlite3", None, "None"),
    ],
)
def test_postgresql_sends_parameters_beside_the_statement_unless_told_not_to(
    production_environment, database_url, switch, bound_on_the_server
):
    environment = {**production_environment, "DATABASE_URL": database_url}
    if switch is not None:
        environment["DJANGO_DB_SERVER_SIDE_BINDING"] = switch
    seen = settings_read(
        "settings.DATABASES['default'].get('OPTIONS', {}).get('server_side_binding')",
        environment,
    )

    assert seen == bound_on_the_server


def test_health_probe_over_plain_http_is_not_redirected_in_production(production_environment):
    result = run_python(
        "import django; django.setup(); from django.test import Client; "
        "c = Client(HTTP_HOST='huagu.example.com'); "
        "print(c.get('/healthz').status_code, c.get('/').status_code)",
        production_environment,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["200", "301"]


def test_development_server_answers_plain_http(tmp_path):
    environment = clean_environment(
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        DATABASE_URL=f"sqlite:///{tmp_path / 'dev.sqlite3'}",
    )
    result = run_python(
        "import django; django.setup(); from django.test import Client; "
        "print(Client(HTTP_HOST='127.0.0.1:8000').get('/healthz').status_code)",
        environment,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "200", (
        "make run serves http://127.0.0.1:8000/, which must not redirect"
    )


def test_load_demo_refuses_to_run_in_production_without_force(db, settings):
    if "load_demo" not in get_commands():
        pytest.fail("the `load_demo` management command does not exist", pytrace=False)
    settings.HUAGU_ENVIRONMENT = "production"

    with pytest.raises(CommandError, match="--force"):
        call_command("load_demo", verbosity=0)

    assert not HomePage.objects.exists()


def test_load_demo_refuses_under_the_production_settings_module(production_environment):
    result = manage("load_demo", env=production_environment)

    assert result.returncode != 0
    assert "--force" in result.stderr
