"""Copies of rendered pages and page parts, thrown away as soon as what they show changes.

Most people who open the directory, a project or the practice guide are not signed in, and
every one of them sees the same page for the same address. Rendering it takes tens of
milliseconds of Python; handing over a copy takes one cache read. Signed-in pages can reuse
parts that are the same for everyone who may see them (a commissioner's claims queue).

Each copy belongs to a *generation*: a token in the cache that changes whenever a model the
copy depends on is saved or deleted (`refresh_on_change`). A copy is stored with the token
it was made under and read together with the current token, in one round trip; a copy from
an older generation is never served, and the next render replaces it. Nothing has to find
and delete copies. The token changes when the save happens and again when its transaction
commits, so a page rendered from the old rows in between does not outlive the commit.
Changes no signal sees (`QuerySet.update`, time passing an opportunity's start) show within
`PUBLIC_PAGE_CACHE_SECONDS`, the longest a copy is kept, unless the code making them calls
`changed_without_signals`.

Nothing is kept while Redis is down (the resilient cache stores nothing), and a cache of
0 seconds turns copies off altogether.

Copies are also kept apart by `release()`, the code that made them: after a deploy, a copy
the old code made is never served (it would say what the old code said, and link to style
sheets under names the new release no longer has).
"""

import functools
import hashlib
import json
import uuid
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.crypto import salted_hmac

PUBLIC = "public"  # the generation of everything anyone can see without signing in
CLAIMS = "claims"  # the commissioners' claims queue
INSIGHT = "insight"  # the insight dashboard: a new one each time its figures are worked out


def _generation_key(name: str) -> str:
    return f"page-generation:{name}"


def _new_generation(name: str) -> str | None:
    key = _generation_key(name)
    cache.add(key, uuid.uuid4().hex, timeout=None)
    return cache.get(key)


def start_new_generation(name: str) -> None:
    cache.set(_generation_key(name), uuid.uuid4().hex, timeout=None)


# model label -> the generations its changes replace (`refresh_on_change`)
_WATCHED: dict[str, set[str]] = {}


def _changed(name: str) -> None:
    start_new_generation(name)
    transaction.on_commit(lambda: start_new_generation(name))


def start_new_generation_after_change(name: str) -> None:
    """What a save of a watched model does to generation `name`, for a change that
    `refresh_on_change` cannot watch as a whole model: now, and again at commit."""
    _changed(name)


def refresh_on_change(name: str, *models) -> None:
    """Start a new generation of `name` whenever one of `models` is saved or deleted."""

    def changed(sender, **kwargs):
        _changed(name)

    for model in models:
        _WATCHED.setdefault(model._meta.label, set()).add(name)
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


def changed_without_signals(model) -> None:
    """What saving a `model` row does to the copies, for a write that sends no signal
    (`QuerySet.update`, `bulk_update`) but must show at once like a save: one call for all
    the rows it changed."""
    for name in sorted(_WATCHED.get(model._meta.label, ())):
        _changed(name)


def _seconds() -> int:
    return settings.PUBLIC_PAGE_CACHE_SECONDS


def _copy_key(kind: str, name: str, parts) -> str:
    # JSON keeps the parts apart: no address can be made to read as another address plus roles.
    digest = hashlib.sha256(json.dumps([str(part) for part in parts]).encode()).hexdigest()
    return f"page-copy:{release()}:{kind}:{name}:{digest}"


# What makes pages: code, templates and the names of the built static files.
_SOURCE_SUFFIXES = {".py", ".html", ".txt"}
_NOT_SOURCE = {"tests", "bench"}


@functools.cache
def release() -> str:
    """A name for the code this process runs: RELEASE when the build sets it, else a digest of
    the source, the templates and the static files' manifest (worked out once per process)."""
    if settings.RELEASE:
        return settings.RELEASE
    root = Path(settings.BASE_DIR)
    folders = [
        folder
        for folder in root.iterdir()
        if folder.name not in _NOT_SOURCE
        and ((folder / "__init__.py").exists() or folder.name == "templates")
    ]
    files = [
        path
        for folder in folders
        for path in folder.rglob("*")
        if path.suffix in _SOURCE_SUFFIXES and path.is_file()
    ]
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    digest = hashlib.sha256()
    for path in sorted(files) + ([manifest] if manifest.exists() else []):
        digest.update(str(path.relative_to(root) if path.is_relative_to(root) else path).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _find_copy(name: str, key: str):
    """(the current token of generation `name`, the copy under `key` if it was made in this
    generation, else None), in one round trip to the cache.

    Each copy is stored with the token it was made under, so a copy from an older
    generation is recognised and replaced rather than served. The token is None while the
    cache cannot keep one (Redis down): then nothing is kept.
    """
    generation_key = _generation_key(name)
    found = cache.get_many([generation_key, key])
    token = found.get(generation_key)
    if token is None:
        return _new_generation(name), None
    copy = found.get(key)
    if copy is not None and copy[0] == token:
        return token, copy[1]
    return token, None


def _keep(key: str, token: str, value, seconds=None) -> None:
    cache.set(key, (token, value), _seconds() if seconds is None else seconds)


def cached_value(name: str, parts, compute):
    """`compute()`, reused while generation `name` lasts, for the same `parts`.

    `parts` must hold everything the value depends on (the query string, today's date);
    the value must be the same for everyone who may see it: nothing personal, no CSRF token.
    """
    if not _seconds():
        return compute()
    key = _copy_key("value", name, parts)
    token, value = _find_copy(name, key)
    if value is None:
        value = compute()
        if token is not None:
            _keep(key, token, value)
    return value


def _may_share_copy(request, *, signed_in: bool) -> bool:
    """A GET from someone signed in (or not, as asked) with no message waiting: a message
    is for the one who caused it. (Public copies are never for signed-in people, whose
    pages name them.)"""
    return (
        request.method == "GET"
        and request.user.is_authenticated == signed_in
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
        if not (_seconds() and _may_share_copy(request, signed_in=False)):
            return view(request, *args, **kwargs)
        key = _copy_key("page", PUBLIC, [request.get_full_path()])
        token, copy = _find_copy(PUBLIC, key)
        if copy is not None:
            content, content_type = copy
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response.render()
        if token is not None and _may_keep(request, response):
            _keep(key, token, (response.content, response["Content-Type"]))
        return response

    return wrapper


def csrf_token_placeholder() -> str:
    """What a page kept for many people carries in place of the CSRF token, which belongs to
    one person's cookie; it is filled in again for each request. It comes from SECRET_KEY,
    so nothing a person types into the hub can match it."""
    return "csrf" + salted_hmac("page-copy", "csrf-token-placeholder").hexdigest()[:32]


def _with_csrf_token(request, content: bytes) -> bytes:
    placeholder = csrf_token_placeholder().encode()
    if placeholder not in content:
        return content
    return content.replace(placeholder, get_token(request).encode())


def today(request) -> list:
    """`parts` for a page that changes with the date (days waiting, the year to today)."""
    return [timezone.localdate()]


def shared_by_role(name: str, *, parts=lambda request: (), seconds=_seconds):
    """Serve signed-in people a copy of this page shared with everyone who holds the same
    roles, kept while generation `name` lasts and `seconds()` at most (0: not kept).

    For pages where nothing but the menu (which follows the roles) and the CSRF token (filled
    in for each request) depends on who is looking, and whose views do nothing else for the
    person: no access log, no cookies. Put it inside the permission check, so only people
    allowed to see the page ever reach a copy. `parts(request)` adds what else the page
    depends on (today's date, say); the address, query string included, is always part.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            keep_for = seconds()
            if not (keep_for and _may_share_copy(request, signed_in=True)):
                return view(request, *args, **kwargs)
            key = _copy_key(
                "role-page",
                name,
                [request.get_full_path(), *sorted(request.user.role_names), *parts(request)],
            )
            token, copy = _find_copy(name, key)
            if copy is not None:
                content, content_type = copy
                return HttpResponse(_with_csrf_token(request, content), content_type=content_type)
            # Rendered with the placeholder (coprod_hub/context_processors.py), so the copy
            # can be kept; this response gets the person's own token like any other.
            request.csrf_token_placeholder = csrf_token_placeholder()
            try:
                response = view(request, *args, **kwargs)
                if hasattr(response, "render") and callable(response.render):
                    response.render()
            finally:
                del request.csrf_token_placeholder
            if response.streaming:
                return response
            if (
                token is not None
                and response.status_code == 200
                and not response.cookies
                and response["Content-Type"].startswith("text/html")
            ):
                _keep(key, token, (response.content, response["Content-Type"]), keep_for)
            response.content = _with_csrf_token(request, response.content)
            return response

        return wrapper

    return decorator
