"""The client's address, as the reverse proxy saw it.

Behind nginx every request comes from 127.0.0.1; each trusted proxy appends the address it
received the request from to `X-Forwarded-For`. With `TRUSTED_PROXIES` = N the client is the
N-th entry from the right: anything further left was written by the client and is not trusted.
Login throttling (django-axes), the access log and the letter-check log all ask this function.
"""

import ipaddress

from django.conf import settings


def client_ip(request):
    """The client's IP address, or None when there is no valid one."""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXIES
    if proxies > 0:
        forwarded = [
            entry.strip()
            for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if entry.strip()
        ]
        if forwarded:
            address = forwarded[-min(proxies, len(forwarded))]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None
