"""What the benchmark loads: the pages, the people signed in, and the requests wrk sends.

Needs Django set up (bench/run.py or a test). Targets are picked from the data so the
benchmark works on any data set: the busiest opportunity and the project with the most
opportunities are the worst cases, and a quiet one of each shows whether the number of
queries stays the same when rows grow.

The benchmark signs people in by writing sessions straight into the session store, with a
CSRF secret in a cookie, and sends both in a Cookie header. Production cookies are Secure
(HTTPS only), and the load tool speaks plain HTTP to 127.0.0.1, so a cookie jar would drop
them; a header does not care.
"""

import random
import secrets
import string
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import import_module
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db.models import Count, Exists, F, OuterRef, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from bench.load import Request

BENCH_DOMAIN = "bench.example.org"
BENCH_COMMISSIONER = f"commissioner@{BENCH_DOMAIN}"
SIGN_UP_RESIDENTS = 100
SIGN_UP_OPPORTUNITIES = 60

# What the pages are searched for; the large data set uses these words in many titles.
try:
    from coprod_hub.management.large_data import GUIDE_SEARCH_WORD, OPPORTUNITY_SEARCH_WORD
except ImportError:  # pragma: no cover - the seeder is part of the repository
    OPPORTUNITY_SEARCH_WORD, GUIDE_SEARCH_WORD = "carers", "transport"


@dataclass
class Probe:
    """One request made in-process to count SQL queries."""

    method: str
    path: str
    data: dict | None = None


@dataclass
class Page:
    key: str
    label: str
    requests: list[Request] = field(default_factory=list)  # what wrk sends, cycled
    expect: tuple[int, ...] = (200,)
    user: object = None  # who is signed in for the query count
    probes: list[Probe] = field(default_factory=list)  # [warm-up, measured, contrast]
    contrast: str = ""  # what the contrast probe is, in words
    contrast_rows: str = "same"  # see QueryCount.constant: "same", "fewer" or "info"
    missing: str = ""  # why this page cannot be measured (not built yet, no data)
    reference: bool = False  # a yardstick, like hello: measured, but no target of its own

    @property
    def method(self) -> str:
        return self.requests[0].method if self.requests else "GET"

    @property
    def path(self) -> str:
        return self.requests[0].path if self.requests else ""


def _count(n, one, many) -> str:
    return f"{n:,} {one if n == 1 else many}"


def _url(name, *args, query=None):
    try:
        path = reverse(name, args=args)
    except NoReverseMatch:
        return None
    return f"{path}?{urlencode(query, doseq=True)}" if query else path


# --- people and sessions -----------------------------------------------------------------


def _bench_user(email, name, role):
    from allauth.account.models import EmailAddress

    from coprod_hub.users.models import User
    from coprod_hub.users.services import grant_role

    user, created = User.objects.get_or_create(email=email, defaults={"display_name": name})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        grant_role(user, role)
    return user


def bench_commissioner():
    from coprod_hub.users.roles import Role

    return _bench_user(BENCH_COMMISSIONER, "Benchmark Commissioner", Role.COMMISSIONER)


def bench_residents(count=SIGN_UP_RESIDENTS):
    from coprod_hub.users.roles import Role

    return [
        _bench_user(f"resident{n:03d}@{BENCH_DOMAIN}", f"Benchmark Resident {n}", Role.RESIDENT)
        for n in range(1, count + 1)
    ]


def new_csrf_secret() -> str:
    # Django's CSRF cookie holds a 32-character secret of letters and digits; a form may send
    # the secret itself as its token.
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(32))


_sessions_made: list[str] = []


def session_cookie(user, csrf_secret: str) -> str:
    """A signed-in session for `user`, as the Cookie header a browser would send."""
    engine = import_module(settings.SESSION_ENGINE)
    session = engine.SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    _sessions_made.append(session.session_key)
    return (
        f"{settings.SESSION_COOKIE_NAME}={session.session_key}; "
        f"{settings.CSRF_COOKIE_NAME}={csrf_secret}"
    )


def end_bench_sessions() -> None:
    """Sign the benchmark's people out again: their sessions are deleted."""
    engine = import_module(settings.SESSION_ENGINE)
    while _sessions_made:
        engine.SessionStore(session_key=_sessions_made.pop()).delete()


def remove_bench_sign_ups() -> int:
    """Undo what the sign-up POSTs did, so every run starts from the same data."""
    from notifications.models import Message
    from participation.models import SignUp

    residents = Q(resident__email__endswith=f"@{BENCH_DOMAIN}")
    deleted, _ = SignUp.objects.filter(residents).delete()
    Message.objects.filter(recipient__email__endswith=f"@{BENCH_DOMAIN}").delete()
    return deleted


# --- the pages -----------------------------------------------------------------------------


def _sign_up_targets(count):
    """Opportunities anyone could sign up for during the run, spread over the calendar."""
    from participation.models import Opportunity

    soon = timezone.now() + timedelta(days=2)
    open_ones = (
        Opportunity.objects.listed()
        .filter(status=Opportunity.Status.PUBLISHED, starts_at__gt=soon)
        .filter(Q(signup_deadline__isnull=True) | Q(signup_deadline__gt=soon))
        .order_by("starts_at", "pk")
        .values_list("pk", flat=True)
    )
    ids = list(open_ones)
    if len(ids) <= count:
        return ids
    step = len(ids) / count
    return [ids[int(i * step)] for i in range(count)]


def build_pages(*, include=None, residents=SIGN_UP_RESIDENTS) -> list[Page]:
    """Every page the issue lists, with the requests wrk sends and the in-process probes."""
    from participation.models import Opportunity
    from projects.models import Project, Update

    commissioner = bench_commissioner()
    commissioner_cookie = session_cookie(commissioner, new_csrf_secret())
    pages: list[Page] = []

    pages.append(Page("hello", "/hello/ (no database: the ceiling)", [Request("GET", "/hello/")]))
    # The same view for someone signed in: the audit middleware loads their session and
    # account, as every signed-in page must. The ceiling for the commissioners' pages.
    pages.append(
        Page(
            "hello_signed_in",
            "/hello/ signed in (session and account only: the signed-in ceiling)",
            [Request("GET", "/hello/", commissioner_cookie)],
            user=commissioner,
            probes=[Probe("GET", "/hello/"), Probe("GET", "/hello/")],
            reference=True,
        )
    )

    # The directory: a search and two filters.
    query = {"q": OPPORTUNITY_SEARCH_WORD, "format": "in_person", "paid": "paid"}
    directory = _url("participation:directory", query=query)
    directory_page = Page(
        "directory", "/opportunities/ with a search and two filters", missing="not built yet"
    )
    if directory:
        deep = _url("participation:directory", query={"page": 50})
        directory_page = Page(
            "directory",
            f"{reverse('participation:directory')}?q={query['q']}&format=…&paid=…",
            [Request("GET", directory)],
            probes=[Probe("GET", directory), Probe("GET", directory), Probe("GET", deep)],
            contrast="page 50, no filters",
        )
    pages.append(directory_page)

    # One opportunity: the busiest one people can still sign up for.
    listed = Opportunity.objects.listed().annotate(n=Count("signups")).order_by("-n", "pk")
    busiest, quietest = listed.first(), listed.order_by("n", "pk").first()
    if busiest and _url("participation:detail", busiest.pk):
        path = _url("participation:detail", busiest.pk)
        pages.append(
            Page(
                "opportunity",
                f"/opportunities/<id>/ (busiest: {_count(busiest.n, 'sign-up', 'sign-ups')})",
                [Request("GET", path)],
                probes=[
                    Probe("GET", path),
                    Probe("GET", path),
                    Probe("GET", _url("participation:detail", quietest.pk)),
                ],
                contrast=f"quietest, {_count(quietest.n, 'sign-up', 'sign-ups')}",
                contrast_rows="fewer",
            )
        )
    else:
        pages.append(Page("opportunity", "/opportunities/<id>/", missing="no data"))

    # Projects: the list and the project with the most opportunities.
    project_list = _url("projects:list")
    if project_list:
        pages.append(
            Page(
                "projects",
                project_list,
                [Request("GET", project_list)],
                probes=[
                    Probe("GET", project_list),
                    Probe("GET", project_list),
                    Probe("GET", _url("projects:list", query={"page": 30})),
                ],
                contrast="page 30",
            )
        )
    else:
        pages.append(Page("projects", "/projects/", missing="not built yet"))
    # The contrast must show the same sections with fewer rows (an empty section skips its
    # queries), so both have an upcoming opportunity and a "we said, we did" update.
    listed = Opportunity.objects.listed().filter(project=OuterRef("pk"))
    published = (
        Project.objects.filter(is_published=True)
        .filter(Exists(listed), Exists(Update.objects.filter(project=OuterRef("pk"))))
        .annotate(n=Count("opportunities"))
    )
    biggest = published.order_by("-n", "pk").first()
    smallest = published.order_by("n", "pk").first()
    if biggest and _url("projects:detail", biggest.slug):
        path = _url("projects:detail", biggest.slug)
        pages.append(
            Page(
                "project",
                f"/projects/<slug>/ (biggest: {_count(biggest.n, 'opportunity', 'opportunities')})",
                [Request("GET", path)],
                probes=[
                    Probe("GET", path),
                    Probe("GET", path),
                    Probe("GET", _url("projects:detail", smallest.slug)),
                ],
                contrast=f"smallest, {_count(smallest.n, 'opportunity', 'opportunities')}",
                contrast_rows="fewer",
            )
        )
    else:
        why = "not built yet" if not project_list else "no project with opportunities and updates"
        pages.append(Page("project", "/projects/<slug>/", missing=why))

    # The practice guide, searched.
    guide = _url("learning:list", query={"q": GUIDE_SEARCH_WORD})
    if guide:
        deep = _url("learning:list", query={"page": 50})
        pages.append(
            Page(
                "guide",
                guide,
                [Request("GET", guide)],
                probes=[Probe("GET", guide), Probe("GET", guide), Probe("GET", deep)],
                contrast="page 50, no search",
            )
        )
    else:
        pages.append(Page("guide", "/guide/?q=…", missing="not built yet"))

    # Commissioners' pages.
    review = _url("payments:review")
    if review:
        deep = _url("payments:review", query={"page": 20})
        pages.append(
            Page(
                "review",
                f"{review} (commissioner)",
                [Request("GET", review, commissioner_cookie)],
                user=commissioner,
                probes=[Probe("GET", review), Probe("GET", review), Probe("GET", deep)],
                contrast="page 20",
            )
        )
    else:
        pages.append(Page("review", "/claims/review/ (commissioner)", missing="not built yet"))
    insight = _url("insight:dashboard")
    if insight:
        pages.append(
            Page(
                "insight",
                f"{insight} (commissioner)",
                [Request("GET", insight, commissioner_cookie)],
                user=commissioner,
                probes=[Probe("GET", insight), Probe("GET", insight)],
            )
        )
    else:
        pages.append(Page("insight", "/insight/ (commissioner)", missing="not built yet"))

    if not include or "sign_up" in include:
        pages.append(_sign_up_page(residents))
    if include:
        pages = [page for page in pages if page.key in include or page.key == "hello"]
    return pages


# What a resident sends: no note for staff, and for a hybrid session (about one in eight in the
# large data set) that they will come in person, which the page asks and other sessions ignore.
SIGN_UP_FORM = {"access_needs_note": "", "joining": "in_person"}


def _sign_up_page(resident_count) -> Page:
    from participation.models import Opportunity

    label = "sign-up POST (resident)"
    if not _url("participation:sign_up", 1):
        return Page("sign_up", label, missing="not built yet")
    targets = _sign_up_targets(SIGN_UP_OPPORTUNITIES + 3)
    if len(targets) < 4:
        return Page("sign_up", label, missing="no open opportunities in the data")
    # The in-process query count books a place (a full one would join the waiting list).
    held = Count("signups", filter=Q(signups__status__in=["booked", "offered"]))
    with_room = list(
        Opportunity.objects.filter(pk__in=targets)
        .annotate(held=held)
        .filter(held__lt=F("capacity") - 1)
        .order_by("pk")
        .values_list("pk", flat=True)[:2]
    )
    probe_targets = with_room if len(with_room) == 2 else targets[:2]
    targets = [pk for pk in targets if pk not in probe_targets]
    residents = bench_residents(resident_count)
    remove_bench_sign_ups()
    requests = []
    for resident in residents:
        csrf = new_csrf_secret()
        cookie = session_cookie(resident, csrf)
        body = urlencode({"csrfmiddlewaretoken": csrf, **SIGN_UP_FORM})
        requests.extend(
            Request("POST", _url("participation:sign_up", pk), cookie, body) for pk in targets
        )
    # Every request is a different person and opportunity, in an order that spreads them out.
    random.Random(7).shuffle(requests)
    # The contrast: an opportunity that is already full, so the person joins the waiting list.
    full_one = (
        Opportunity.objects.listed()
        .filter(status=Opportunity.Status.PUBLISHED, starts_at__gt=timezone.now())
        .filter(signup_deadline__isnull=True)
        .annotate(held=held)
        .filter(held__gte=F("capacity"))
        .order_by("pk")
        .first()
    )
    probes = [
        Probe("POST", _url("participation:sign_up", pk), SIGN_UP_FORM) for pk in probe_targets
    ]
    contrast = ""
    if full_one:
        probes.append(Probe("POST", _url("participation:sign_up", full_one.pk), SIGN_UP_FORM))
        contrast = "a full one (joins the waiting list)"
    return Page(
        "sign_up",
        f"{label}, {len(requests):,} different person and opportunity pairs",
        requests,
        expect=(302,),
        user=residents[0],
        probes=probes,
        contrast=contrast,
        contrast_rows="info",
    )
