"""Content-Security-Policy: a strict policy for the public site, a wider one for the admin.

The public site (pages, booking, order pages with their QR codes, the gate, the field form,
the API's docs) runs only scripts and styles from our own static files, or inline ones that
carry the request's nonce (``request.csp_nonce``); no inline event handlers, no
``javascript:`` URLs, no eval. The Wagtail admin renders inline styles and scripts of its
own that we do not control, so paths under ``CSP_ADMIN_PATH_PREFIXES`` get
``CONTENT_SECURITY_POLICY_ADMIN`` instead. Both policies live in settings.
"""

from csp.middleware import CSPMiddleware, PolicyParts
from csp.utils import default_config
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase


class PathPolicyCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, choosing the admin's policy by path."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        # A view's own @csp_replace/@csp_update still applies on top; a @csp decorator's
        # full policy (parts.config) is left as the view set it.
        if (
            not report_only
            and parts.config is None
            and request.path_info.startswith(tuple(settings.CSP_ADMIN_PATH_PREFIXES))
        ):
            parts.config = default_config(settings.CONTENT_SECURITY_POLICY_ADMIN["DIRECTIVES"])
        return parts


def allow_form_action(response: HttpResponseBase, origins: list[str]) -> HttpResponseBase:
    """Let the forms of this page submit, or be redirected, to ``origins`` too.

    For the booking page, whose POST is answered with a redirect to the payment
    provider's page; browsers check redirects after a form's POST against form-action.
    """
    if origins:
        update = dict(getattr(response, "_csp_update", None) or {})
        update["form-action"] = [*update.get("form-action", []), *origins]
        response._csp_update = update
    return response
