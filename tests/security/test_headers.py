"""The browser policies each response carries: CSP (public and admin) and Permissions-Policy."""

import importlib
import re
from pathlib import Path

import pytest
from django.template import engines
from django.template.response import TemplateResponse
from django.test import Client

import config.settings.base as base
from tests.tickets.factories import user_in_role
from tourism.security.csp import PathPolicyCSPMiddleware
from tourism.tickets.payments.stripe import StripeProvider

TEMPLATES = Path(__file__).resolve().parents[2] / "site" / "templates"
STATIC_JS = Path(__file__).resolve().parents[2] / "site" / "static" / "js"


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


def test_the_public_site_runs_only_its_own_scripts(client, site_tree):
    csp = policy(client.get("/"))

    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'self'"]
    assert "data:" in csp["img-src"]


def test_a_page_that_uses_the_nonce_names_it_in_the_policy(rf):
    """A template that needs an inline script gives it ``nonce="{{ request.csp_nonce }}"``."""
    template = engines["django"].from_string(
        '<script nonce="{{ request.csp_nonce }}">document.title = "x";</script>'
    )
    request = rf.get("/")
    middleware = PathPolicyCSPMiddleware(lambda request: None)
    middleware.process_request(request)
    response = TemplateResponse(request, template).render()
    middleware.process_response(request, response)

    nonce = re.search(r'nonce="([^"]+)"', response.content.decode()).group(1)
    assert policy(response)["script-src"] == ["'self'", f"'nonce-{nonce}'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_no_public_template_has_inline_script_style_or_handlers():
    """Inline code would need the nonce; event handlers and javascript: URLs cannot have one."""
    offenders = []
    for template in TEMPLATES.rglob("*.html"):
        if "email" in template.parts:  # mail clients, not browsers, read these
            continue
        text = template.read_text(encoding="utf-8")
        for pattern in (
            r"<script(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)(?![^>]*\bnonce=)",
            r"<style(?![^>]*\bnonce=)",
            r"\son[a-z]+\s*=",
            r"\sstyle\s*=",
            r"javascript:",
        ):
            if re.search(pattern, text, re.IGNORECASE):
                offenders.append(f"{template.relative_to(TEMPLATES)}: {pattern}")
    assert offenders == []


def test_no_script_of_ours_evaluates_strings():
    for script in STATIC_JS.glob("*.js"):
        assert not re.search(r"\beval\(|new Function\(", script.read_text()), script.name


@pytest.mark.django_db
def test_the_admin_has_its_own_policy(client):
    csp = policy(client.get("/admin/login/"))

    assert "'unsafe-inline'" in csp["script-src"]
    assert "'unsafe-eval'" not in csp["script-src"]
    assert csp["object-src"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]


@pytest.mark.django_db
def test_the_api_docs_run_under_the_public_policy(client):
    csp = policy(client.get("/api/v1/docs"))

    assert csp["script-src"] == ["'self'"]


@pytest.mark.django_db
def test_the_booking_page_may_lead_to_stripe_checkout_when_stripe_is_on(client, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_x"

    csp = policy(client.get("/tickets/"))

    assert csp["form-action"] == ["'self'", *StripeProvider().checkout_origins()]
    assert "https://checkout.stripe.com" in csp["form-action"]
    # Other pages' forms stay on the site.
    assert policy(client.get("/search/?q=x"))["form-action"] == ["'self'"]


@pytest.mark.django_db
def test_without_stripe_the_booking_form_stays_on_the_site(client, settings):
    settings.STRIPE_SECRET_KEY = ""

    assert policy(client.get("/tickets/"))["form-action"] == ["'self'"]


def test_uploaded_images_on_object_storage_are_allowed(monkeypatch):
    """The media origin joins img-src when media is on S3-compatible storage."""
    monkeypatch.setenv("MEDIA_S3_BUCKET", "huagu-media")
    monkeypatch.setenv("MEDIA_S3_CUSTOM_DOMAIN", "media.huagu.example")
    try:
        reloaded = importlib.reload(base)
        directives = reloaded.CONTENT_SECURITY_POLICY["DIRECTIVES"]
        assert "https://media.huagu.example" in directives["img-src"]
    finally:
        monkeypatch.undo()
        importlib.reload(base)


# --- Permissions-Policy -----------------------------------------------------------------


def features(response) -> dict[str, str]:
    return dict(part.strip().split("=", 1) for part in response["Permissions-Policy"].split(","))


@pytest.fixture
def gate_client(db):
    client = Client()
    client.force_login(user_in_role("Gate staff", username="gatekeeper"))
    return client


@pytest.mark.parametrize("path", ["/gate/", "/en/gate/"])
def test_only_the_gate_may_use_the_camera(gate_client, path):
    gate = features(gate_client.get(path))

    assert gate["camera"] == "(self)"
    assert gate["microphone"] == "()"
    assert gate["geolocation"] == "()"


@pytest.mark.parametrize("path", ["/tickets/", "/en/tickets/", "/admin/login/", "/api/v1/docs"])
def test_every_other_page_may_not_use_the_camera(client, db, path):
    assert features(client.get(path))["camera"] == "()"


def test_the_gates_check_in_endpoint_gets_no_camera(gate_client):
    response = gate_client.post("/gate/check-in/", {}, content_type="application/json")

    assert features(response)["camera"] == "()"
