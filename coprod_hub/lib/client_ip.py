"""The address of the person making a request, for rate limits.

Behind a load balancer every request comes from the balancer's own address (REMOTE_ADDR),
so limits counted by address would lump every visitor together: one busy hour and nobody
could sign in. The balancer appends the address it saw to X-Forwarded-For; with
`TRUSTED_PROXY_COUNT` proxies in front of the hub, the entry that many places from the end
was written by our outermost proxy and cannot be forged. Entries further left come from
the visitor and are ignored.
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    trusted = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if trusted and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        if len(hops) >= trusted:
            try:
                return str(ipaddress.ip_address(hops[-trusted]))
            except ValueError:
                pass  # not an address: our proxy did not write it; fall back
    return request.META.get("REMOTE_ADDR", "")
