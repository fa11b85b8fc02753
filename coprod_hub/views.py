import sys

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from . import health
from .context_processors import support_contact
from .middleware import DATABASE_ERRORS, database_unavailable_response


class HomeView(TemplateView):
    template_name = "pages/home.html"


class PageView(TemplateView):
    """A page of fixed content, e.g. the accessibility statement."""


@never_cache
def health_view(request):
    healthy, body = health.report()
    return JsonResponse(body, status=200 if healthy else 503)


def hello(request):
    """Touches no database or template: the ceiling for the load benchmark."""
    return HttpResponse("hello", content_type="text/plain")


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    # Our permission checks say who may do this ("Only the project's owner, its team, ...");
    # Django's own raise no message, and then the page says it in general terms.
    reason = str(exception) if isinstance(exception, PermissionDenied) else ""
    return render(request, "403.html", {"reason": reason}, status=403)


def csrf_failure(request, reason=""):
    """A form sent with a stale or missing security token. Django's own page is in technical
    terms and is rendered without the request (so without the menu); this says what happened
    and how to send the form again without losing what was typed."""
    return render(request, "403_csrf.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # A database outage can also surface outside any view, e.g. in a middleware loading a
    # signed-in person's session, where DatabaseUnavailableMiddleware never sees it. Django
    # calls this inside its `except`, so the exception is at hand: answer with the 503 too.
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_ERRORS):
        return database_unavailable_response(error)
    # Rendered without the request, so no context processor touches the database:
    # the database may be why we are here.
    return HttpResponseServerError(render_to_string("500.html", support_contact()))


def admin_sign_in(request, extra_context=None):
    """Stands in for the admin's own sign-in page, which has none of the limits on wrong
    passwords and skips the email check: administrators sign in like everyone else, then come
    back. Someone signed in who is not an administrator is refused, not sent round again."""
    if request.user.is_authenticated:
        raise PermissionDenied
    return redirect_to_login(request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index"))
