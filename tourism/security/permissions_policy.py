"""Permissions-Policy: powerful browser features are off, except the camera at the gate.

The gate's scanner (``site/static/js/gate.js``) is the one page that asks for the camera;
every other response says no page of ours, nor anything it embeds, may use it.
"""

from django.http import HttpRequest, HttpResponseBase

HEADER = "Permissions-Policy"
# Nothing on the site uses these; a script injected or embedded cannot either.
DENIED = ("camera", "microphone", "geolocation", "payment", "usb", "serial", "hid", "midi")
# URL names of the pages that may use the camera, on our own origin only.
CAMERA_VIEWS = frozenset({"gate"})


def permissions_policy(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    camera_allowed = match is not None and match.url_name in CAMERA_VIEWS
    return ", ".join(
        f"{feature}=(self)" if feature == "camera" and camera_allowed else f"{feature}=()"
        for feature in DENIED
    )


class PermissionsPolicyMiddleware:
    """Sets ``Permissions-Policy`` on every response that does not set its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if HEADER not in response:
            response[HEADER] = permissions_policy(request)
        return response
