"""Copies of rendered pages and page parts, thrown away as soon as what they show changes.

Most people who open the directory, a project or the practice guide are not signed in, and
every one of them sees the same page for the same address. Rendering it takes tens of
milliseconds of Python; handing over a copy takes one cache read. Signed-in pages can reuse
parts that are the same for everyone who may see them (a commissioner's claims queue).

Each copy is filed under a *generation*: a token in the cache that changes whenever a model
the copy depends on is saved or deleted (`refresh_on_change`). A new token means every older
copy is simply never asked for again and expires on its own; nothing has to find and delete
them. The token changes when the save happens and again when its transaction commits, so a
page rendered from the old rows in between is not filed under the new token for long.
Changes no signal sees (`QuerySet.update`, time passing an opportunity's start) show within
`PUBLIC_PAGE_CACHE_SECONDS`, the longest a copy is kept.

Nothing is kept while Redis is down (the resilient cache stores nothing), and a cache of
0 seconds turns copies off altogether.
"""

import hashlib
import uuid
from functools import wraps

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse

PUBLIC = "public"  # the generation of everything anyone can see without signing in
CLAIMS = "claims"  # the commissioners' claims queue


def _generation_key(name: str) -> str:
    return f"page-generation:{name}"


def generation(name: str) -> str | None:
    """The current token for `name`; None when the cache cannot keep one (Redis down)."""
    key = _generation_key(name)
    token = cache.get(key)
    if token is None:
        cache.add(key, uuid.uuid4().hex, timeout=None)
        token = cache.get(key)
    return token


def start_new_generation(name: str) -> None:
    cache.set(_generation_key(name), uuid.uuid4().hex, timeout=None)


def refresh_on_change(name: str, *models) -> None:
    """Start a new generation of `name` whenever one of `models` is saved or deleted."""

    def changed(sender, **kwargs):
        start_new_generation(name)
        transaction.on_commit(lambda: start_new_generation(name))

    for model in models:
        dispatch_uid = f"page-cache:{name}:{model._meta.label}"
        post_save.connect(changed, sender=model, weak=False, dispatch_uid=dispatch_uid)
        post_delete.connect(changed, sender=model, weak=False, dispatch_uid=dispatch_uid)
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                changed,
                sender=field.remote_field.through,
                weak=False,
                dispatch_uid=f"{dispatch_uid}:{field.name}",
            )


def _seconds() -> int:
    return settings.PUBLIC_PAGE_CACHE_SECONDS


def _copy_key(kind: str, name: str, token: str, parts) -> str:
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()
    return f"page-copy:{kind}:{name}:{token}:{digest}"


def cached_value(name: str, parts, compute):
    """`compute()`, reused while generation `name` lasts, for the same `parts`.

    `parts` must hold everything the value depends on (the query string, today's date);
    the value must be the same for everyone who may see it: nothing personal, no CSRF token.
    """
    token = generation(name) if _seconds() else None
    if token is None:
        return compute()
    key = _copy_key("value", name, token, parts)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, _seconds())
    return value


def _may_share_copy(request) -> bool:
    # A signed-in person's pages name them; a message is for the one who caused it.
    return (
        request.method == "GET"
        and not request.user.is_authenticated
        and not len(get_messages(request))
    )


def _may_keep(request, response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        # The page carries a CSRF token that belongs to this visitor's cookie.
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        # An anonymous page that turned personal after all (e.g. the view signed someone in).
        and not request.user.is_authenticated
    )


def public_page(view):
    """Serve visitors who are not signed in a shared copy of this page.

    The copy is keyed by the whole address, query string included, and by the public
    generation: any change to projects, opportunities, sign-ups or the guide starts afresh.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        token = generation(PUBLIC) if _seconds() and _may_share_copy(request) else None
        if token is None:
            return view(request, *args, **kwargs)
        key = _copy_key("page", PUBLIC, token, [request.get_full_path()])
        copy = cache.get(key)
        if copy is not None:
            content, content_type = copy
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response.render()
        if _may_keep(request, response):
            cache.set(key, (response.content, response["Content-Type"]), _seconds())
        return response

    return wrapper
