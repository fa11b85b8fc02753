import functools
import re

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from coprod_hub.users.roles import Role

# The header navigation. Each item: label, URL name, the role needed (None for everyone).
# An item whose URL does not exist yet is left out, so apps can grow without editing this.
NAVIGATION = [
    ("Get involved", "participation:directory", None),
    ("Projects", "projects:list", None),
    ("We said, we did", "projects:updates", None),
    ("Practice guide", "learning:list", None),
    ("Your involvement", "participation:my", Role.RESIDENT),
    ("Your claims", "payments:claims", Role.RESIDENT),
    ("Manage projects", "projects:manage", Role.STAFF),
    ("Manage opportunities", "participation:staff_list", Role.STAFF),
    ("Review claims", "payments:review", Role.COMMISSIONER),
    ("Moderation", "learning:moderation", Role.MODERATOR),
    ("Insight", "insight:dashboard", Role.STAFF),
]


# Staff pages whose address sits under another item's: running an opportunity lives at
# /opportunities/<id>/manage/, which is "Manage opportunities", not "Get involved".
ALSO_CURRENT_FOR = {
    "participation:staff_list": re.compile(
        r"/opportunities/(new/|\d+/(manage|edit|cancel)/)|/venues/"
    ),
}


@functools.cache
def _navigation_links():
    """(label, URL, role, other addresses it is current for) for each item whose URL
    exists: worked out once per process."""
    links = []
    for label, url_name, role in NAVIGATION:
        try:
            links.append((label, reverse(url_name), role, ALSO_CURRENT_FOR.get(url_name)))
        except NoReverseMatch:
            continue
    return links


def _navigation(request):
    user = request.user
    items, claimed = [], []
    for label, url, role, also in _navigation_links():
        if role and not (user.is_authenticated and user.has_role(role)):
            continue
        item = {"label": label, "url": url, "active": False}
        items.append(item)
        if also and also.match(request.path):
            claimed.append(item)
    # Only the closest match is current: /projects/manage/ is "Manage projects", not both.
    matches = claimed or [item for item in items if request.path.startswith(item["url"])]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["active"] = True
    return items


def support_contact() -> dict:
    """How to reach the co-production team, for every page, the error pages too: they are
    rendered without the request, so this must not need it or the database."""
    return {"SUPPORT_EMAIL": settings.SUPPORT_EMAIL, "SUPPORT_PHONE": settings.SUPPORT_PHONE}


def site_names() -> dict:
    """The hub's and the council's names, which need no request either."""
    return {"SITE_NAME": settings.SITE_NAME, "COUNCIL_NAME": settings.COUNCIL_NAME}


def site(request):
    context = {
        **site_names(),
        **support_contact(),
        "navigation": _navigation(request),
    }
    placeholder = getattr(request, "csrf_token_placeholder", None)
    if placeholder:
        # A page being kept for everyone with the same roles (lib/page_cache.py): this
        # stands in for Django's token and is replaced by each person's own when served.
        context["csrf_token"] = placeholder
    return context
