import time

from django.conf import settings


class ContentSecurityPolicyMiddleware:
    """Sends the CONTENT_SECURITY_POLICY header on every response that has none, so a page
    runs only this site's own script files and stylesheets (no inline script or style)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


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
