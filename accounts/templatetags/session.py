"""What static/js/session.js needs to know about the session, for base.html's <head>."""

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def session_meta(context):
    """`<meta name="pbi-session">` for static/js/session.js: the idle age and when to warn,
    the renewal, login and logout addresses, the CSRF cookie's name, and the logged-in user's
    name (it keys the forms kept in the tab). A visitor not logged in gets the login address."""
    request = context.get("request")
    user = getattr(request, "user", None)
    login_url = reverse(settings.LOGIN_URL)
    if user is None or not user.is_authenticated:
        return format_html('<meta name="pbi-session" data-login-url="{}">', login_url)
    age = settings.SESSION_COOKIE_AGE
    return format_html(
        '<meta name="pbi-session" data-user="{}" data-age="{}" data-warn="{}" data-margin="{}" '
        'data-renew-url="{}" data-login-url="{}" data-logout-url="{}" data-csrf-cookie="{}">',
        user.get_username(),
        age,
        min(settings.SESSION_WARNING_SECONDS, age // 3),
        # pbipemda.middleware.SessionRenewalMiddleware writes the session at most once a
        # minute: the server's idle clock may have started up to that much before this page.
        min(60, age // 10),
        reverse("session_renew"),
        login_url,
        reverse("logout"),
        settings.CSRF_COOKIE_NAME,
    )
