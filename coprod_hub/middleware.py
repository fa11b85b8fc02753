import logging

from django.db import DataError, InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from .context_processors import site_names, support_contact

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)


def database_unavailable_response(exception) -> HttpResponse:
    logger.error("Database unavailable: %s", exception)
    # Rendered without the request: context processors would query the database again.
    response = HttpResponse(render_to_string("503.html", support_contact()), status=503)
    response["Retry-After"] = "60"
    return response


# The largest request body we read: a 10 MB receipt (the largest upload) and the rest of its
# form. Anything bigger is refused before it is read, so nobody can fill the disk with it.
MAX_REQUEST_BODY_BYTES = 11 * 1024 * 1024


def _same_site_referer(request) -> str:
    """The page the upload came from, to go back to: only an address on this site."""
    referer = request.META.get("HTTP_REFERER", "")
    if url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return ""


class RequestTooLargeMiddleware:
    """Answer 413, with a page saying what to do, to a request whose body is too big, before
    Django reads it: the form's own size check runs only once the whole file has been saved."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_REQUEST_BODY_BYTES:
            # Rendered without the request, like the 503 page: nothing here needs the database.
            context = {**support_contact(), **site_names(), "back_to": _same_site_referer(request)}
            return HttpResponse(render_to_string("413.html", context), status=413)
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """Show a friendly "service unavailable" page, not a 500, when the database is down."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        return database_unavailable_response(exception)


# What an altered admin address raises: Django's admin builds queries straight from it
# (filters such as ?id=², ?kind=<NUL>, ?starts_at__year=99999999999, actions on ids like "NaN").
ADMIN_BAD_ADDRESS_ERRORS = (ValueError, OverflowError, DataError)


class AdminBadAddressMiddleware:
    """Answer 400 ("bad request"), not a server error, when the admin cannot use a value in
    the address or the form it was sent. Only administrators reach the admin."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, ADMIN_BAD_ADDRESS_ERRORS):
            return None
        if not request.path.startswith(reverse("admin:index")):
            return None
        logger.warning("Admin request refused as bad input: %s %s", request.path, exception)
        return HttpResponse(render_to_string("400.html", request=request), status=400)
