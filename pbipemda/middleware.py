import time

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.template import loader

from enrollment import stamps


class ContentSecurityPolicyMiddleware:
    """Sends the CONTENT_SECURITY_POLICY header on every response that has none, so a page
    runs only this site's own script files and stylesheets (no inline script or style)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


class StampsMiddleware:
    """A page read (GET, HEAD) reads each cache stamp of `enrollment.stamps` once: its figures
    are keyed on the same counts, read at its start. A form sent (POST) writes, and reads them
    afresh each time."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        with stamps.read_once():
            return self.get_response(request)


class SessionRenewalMiddleware:
    """A logged-in user's session expires SESSION_COOKIE_AGE seconds after the last request.
    Each request renews it, writing the session at most once every RENEW_EVERY seconds (the
    job pages poll every second)."""

    RENEW_EVERY = 60
    KEY = "renewed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            if now - request.session.get(self.KEY, 0) >= self.RENEW_EVERY:
                request.session[self.KEY] = now
        return response


NUL_REFUSED = "Permintaan ditolak: alamat atau isian memuat karakter NUL yang tidak sah."
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_nul(request) -> bool:
    if "\x00" in request.path_info or "\x00" in request.path:
        return True
    if any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in request.GET.lists()
    ):
        return True
    if request.method != "POST" or request.content_type not in _FORM_TYPES:
        return False
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in request.POST.lists()
    )


def _refusal(request, message: str) -> HttpResponseBadRequest:
    """The site's 400 page, saying why."""
    return HttpResponseBadRequest(
        loader.render_to_string("400.html", {"message": message}, request)
    )


class NulByteMiddleware:
    """A NUL byte (raw or %00) anywhere in the path, the query string or a form's fields is
    refused with a 400 before any view runs: no text of this product holds one, and PostgreSQL
    refuses it in a query (a server error otherwise)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            return _refusal(request, NUL_REFUSED)
        return self.get_response(request)
