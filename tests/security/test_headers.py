"""Security headers, production cookies and HSTS, rate limits, and caching of private files."""

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from coprod_hub.users.roles import Role
from insight.tokens import survey_token
from learning import throttle
from learning.models import Entry
from participation.tokens import calendar_url
from payments import services as payments
from payments.models import Claim, PaymentPolicy
from tests.downloads import close_download
from tests.factories import PASSWORD, UserFactory
from tests.insight import factories as insight_factories
from tests.learning.factories import PublishedEntryFactory
from tests.participation import factories as participation_factories
from tests.payments import factories as payment_factories
from tests.projects.factories import ProjectFactory, UpdateFactory

from .fuzz import PNG

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def assert_secure_headers(response):
    """What every response carries, whoever asks."""
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    found = directives(response)
    assert found["frame-ancestors"] == ["'none'"]
    assert found["default-src"] == ["'self'"]
    assert found["object-src"] == ["'none'"]
    assert found["base-uri"] == ["'self'"]
    assert found["form-action"] == ["'self'"]
    # Besides the site itself, only the one inline script, by its hash: no nonce, which
    # would make every page unique and so impossible to serve from a shared copy.
    assert [v for v in found["script-src"] if not v.startswith("'sha256-")] == ["'self'"]
    assert found["style-src"] == ["'self'"]


def assert_page_obeys_its_policy(response):
    """Inline code the policy would block (and so silently break) must not be in the page."""
    html = response.content.decode()
    allowed = directives(response)["script-src"]
    for tag, code in re.findall(r"(<script\b[^>]*>)(.*?)</script>", html, flags=re.DOTALL):
        if "src=" not in tag:
            digest = base64.b64encode(hashlib.sha256(code.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in allowed, f"inline script the policy blocks: {code}"
    assert not re.search(r"<[^>]+\sstyle=", html), "a style attribute (blocked by the policy)"
    assert not re.search(r"<[^>]+\son[a-z]+=", html), "an inline event handler (blocked)"
    assert "javascript:" not in html


@pytest.fixture
def world(db, staff):
    """Something published on every public page."""
    project = ProjectFactory(owner=staff, title="Carers' breaks review")
    UpdateFactory(project=project)
    opportunity = participation_factories.OpportunityFactory(created_by=staff, project=project)
    entry = PublishedEntryFactory()
    attended = insight_factories.SignUpFactory(opportunity__project__slug="surveyed-project")
    insight_factories.invitation_for(attended)
    PaymentPolicy.current()
    return {"project": project, "opportunity": opportunity, "entry": entry, "survey": attended}


def public_urls(world):
    project, opportunity = world["project"], world["opportunity"]
    entry: Entry = world["entry"]
    return [
        reverse("home"),
        reverse("accessibility"),
        reverse("privacy"),
        reverse("cookies"),
        reverse("account_login"),
        reverse("account_signup"),
        reverse("account_reset_password"),
        reverse("projects:list"),
        reverse("projects:ladder"),
        reverse("projects:how_we_decide"),
        reverse("projects:detail", args=[project.slug]),
        reverse("projects:updates"),
        reverse("participation:directory"),
        reverse("participation:detail", args=[opportunity.pk]),
        reverse("learning:list"),
        reverse("learning:share"),
        reverse("learning:share_done"),
        entry.get_absolute_url(),
        reverse("payments:how_we_pay"),
        reverse("insight:survey", args=[survey_token(world["survey"])]),
        "/no-such-page/",  # the 404 page
    ]


def test_every_public_page_sends_the_security_headers(client, world):
    for url in public_urls(world):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert_secure_headers(response)
        assert_page_obeys_its_policy(response)


def test_feeds_and_health_send_them_too(client, world):
    for url in [
        reverse("projects:updates_feed"),
        reverse("participation:feed"),
        reverse("participation:calendar", args=[world["opportunity"].pk]),
        reverse("health"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_secure_headers(response)


@pytest.mark.parametrize(
    "role,url_names",
    [
        (
            Role.RESIDENT,
            [
                "participation:my",
                "participation:profile",
                "participation:access_needs",
                "payments:claims",
                "my_data",
                "notifications:preferences",
                "insight:equality",
                "account_change_password",
            ],
        ),
        (
            Role.STAFF,
            ["projects:manage", "projects:create", "insight:dashboard", "participation:venues"],
        ),
        (Role.COMMISSIONER, ["payments:review", "payments:policy", "payments:reports"]),
        (Role.MODERATOR, ["learning:moderation"]),
        ("admin", ["admin:index", "notifications:outbox"]),
    ],
)
def test_signed_in_pages_send_the_security_headers(client, world, role, url_names):
    if role == "admin":
        person = UserFactory(roles=[], is_superuser=True, is_staff=True)
    else:
        person = UserFactory(roles=[role])
    client.force_login(person)
    for name in url_names:
        url = reverse(name)
        response = client.get(url)
        assert response.status_code == 200, url
        assert_secure_headers(response)
        if not name.startswith("admin:"):  # Django's admin is for admins only; not ours
            assert_page_obeys_its_policy(response)


# --- Production settings: HSTS and cookies -----------------------------------------------------

SETTINGS_PROBE = """
import json
from django.conf import settings
names = [
    "DEBUG", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE", "CSRF_COOKIE_HTTPONLY", "CSRF_COOKIE_SAMESITE", "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER", "SECURE_REDIRECT_EXEMPT", "SESSION_EXPIRE_AT_BROWSER_CLOSE",
]
print(json.dumps({name: getattr(settings, name) for name in names}))
"""


@pytest.fixture(scope="module")
def production():
    """The security settings as production loads them (DEBUG=0), read in a fresh process."""
    environment = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "p" * 60,
        "ALLOWED_HOSTS": "coproduction.anytown.example",
        "DJANGO_SETTINGS_MODULE": "coprod_hub.settings",
    }
    result = subprocess.run(  # noqa: S603 - our own settings with a fixed script
        [sys.executable, "-c", "import django; django.setup()\n" + SETTINGS_PROBE],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    if values["SECURE_PROXY_SSL_HEADER"]:
        values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    return values


def test_production_settings_make_cookies_secure_and_turn_on_hsts(production):
    assert production["DEBUG"] is False
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["SESSION_COOKIE_HTTPONLY"] is True
    assert production["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert production["CSRF_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_HTTPONLY"] is True
    assert production["CSRF_COOKIE_SAMESITE"] == "Lax"
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_HSTS_SECONDS"] >= 31_536_000  # a year
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is True


def _cookie_flags(morsel) -> dict:
    return {
        "secure": bool(morsel["secure"]),
        "httponly": bool(morsel["httponly"]),
        "samesite": morsel["samesite"],
    }


def test_in_production_cookies_and_headers_are_what_browsers_get(production, resident):
    """The production values, applied here, on real responses."""
    applied = {k: v for k, v in production.items() if k != "DEBUG"}
    with override_settings(**applied):
        client = Client()  # a new client builds its middleware with these settings

        plain = client.get(reverse("account_login"))
        assert plain.status_code == 301
        assert plain["Location"].startswith("https://")
        # The load balancer's health check is answered over plain HTTP.
        assert client.get(reverse("health")).status_code == 200

        page = client.get(reverse("account_login"), secure=True)
        assert page.status_code == 200
        assert page["Strict-Transport-Security"] == (
            f"max-age={production['SECURE_HSTS_SECONDS']}; includeSubDomains"
            + ("; preload" if production["SECURE_HSTS_PRELOAD"] else "")
        )
        assert _cookie_flags(page.cookies["csrftoken"]) == {
            "secure": True,
            "httponly": True,
            "samesite": "Lax",
        }

        # Behind the load balancer, which says the request came over HTTPS.
        signed_in = client.post(
            reverse("account_login"),
            {"login": resident.email, "password": PASSWORD},
            headers={"X-Forwarded-Proto": "https"},
        )
        assert signed_in.status_code == 302
        session = signed_in.cookies["sessionid"]
        assert _cookie_flags(session) == {"secure": True, "httponly": True, "samesite": "Lax"}
        assert not session["max-age"]  # gone when the browser closes


# --- Rate limits on sign-in and anonymous forms --------------------------------------------------


def test_repeated_wrong_passwords_for_one_account_are_stopped(client, resident):
    for _ in range(5):
        wrong = client.post(
            reverse("account_login"), {"login": resident.email, "password": "not-it"}
        )
        assert wrong.status_code == 200
        assert "Too many failed" not in wrong.content.decode()

    limited = client.post(reverse("account_login"), {"login": resident.email, "password": "nope"})

    assert "Too many failed login attempts" in limited.content.decode()
    assert "govuk-error-summary" in limited.content.decode()


def test_sign_in_attempts_from_one_address_are_limited(client):
    responses = [
        client.post(reverse("account_login"), {"login": f"p{n}@example.org", "password": "x"})
        for n in range(31)
    ]

    assert [r.status_code for r in responses[:30]] == [200] * 30
    assert responses[30].status_code == 429


def test_sign_ups_from_one_address_are_limited(client):
    statuses = []
    for n in range(11):
        response = client.post(
            reverse("account_signup"),
            {
                "display_name": f"Person {n}",
                "email": f"new{n}@example.org",
                "password1": "purple-otter-lantern-2026",
                "password2": "purple-otter-lantern-2026",
            },
        )
        statuses.append(response.status_code)

    assert statuses[:10] == [302] * 10
    assert statuses[10] == 429


def test_password_reset_requests_for_one_address_are_limited(client, resident):
    statuses = [
        client.post(reverse("account_reset_password"), {"email": resident.email}).status_code
        for _ in range(6)
    ]

    assert statuses[:5] == [302] * 5
    assert statuses[5] in (200, 429)
    assert statuses[5] != 302


def test_the_admin_has_no_sign_in_form_of_its_own_to_guess_passwords_at(client, admin_user):
    # Its own form would have none of the limits above: everyone signs in through the hub's.
    response = client.post(
        "/admin/login/?next=/admin/payments/claim/",
        {"username": admin_user.email, "password": "password"},
    )

    assert response.status_code == 302
    assert response["Location"] == (f"{reverse('account_login')}?next=/admin/payments/claim/")
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/", follow=True).redirect_chain[-1][0] == (
        f"{reverse('account_login')}?next=/admin/"
    )


def test_the_admin_refuses_people_signed_in_who_are_not_administrators(client, resident):
    client.force_login(resident)

    assert client.get("/admin/", follow=True).status_code == 403
    assert client.post("/admin/login/", {"username": "x", "password": "y"}).status_code == 403


def test_administrators_signed_in_through_the_hub_reach_the_admin(client, admin_user):
    client.force_login(admin_user)

    assert client.get("/admin/").status_code == 200


def test_passwords_typed_to_delete_an_account_are_limited(client, resident):
    client.force_login(resident)
    url = reverse("my_data_erase")
    answers = [
        client.post(url, {"password": "not-it", "confirm": "on"}).content.decode() for _ in range(6)
    ]

    assert all("The password is not right" in page for page in answers[:5])
    assert "entered your password too many times" in answers[5]
    assert "The password is not right" not in answers[5]
    # Even the right password waits now.
    right = client.post(url, {"password": PASSWORD, "confirm": "on"})
    assert right.status_code == 200
    assert "entered your password too many times" in right.content.decode()


def test_visitors_sharing_in_the_practice_guide_are_limited(client):
    share = {
        "kind": "lesson",
        "title": "Paying people on the day",
        "text": "We paid people at the end of the session. It built trust.",
        "outcome": "went_well",
    }
    limit = int(throttle.VISITOR_RATE.split("/")[0])
    statuses = [client.post(reverse("learning:share"), share).status_code for _ in range(limit + 1)]

    assert statuses[:limit] == [302] * limit
    assert statuses[limit] == 429
    assert Entry.objects.count() == limit


# --- Private files are never kept by shared caches ----------------------------------------------


def assert_not_cached_by_shared_caches(response):
    control = response.get("Cache-Control", "")
    assert "private" in control or "no-store" in control, control
    assert "public" not in control


@pytest.fixture
def paid_claim(resident, commissioner):
    payment_factories.make_policy()
    claim = payments.start_claim(payment_factories.SignUpFactory(resident=resident), by=resident)
    payments.update_claim_details(
        claim,
        by=resident,
        payment_method=Claim.PaymentMethod.BANK_TRANSFER,
        employed_by_partner=False,
        not_part_of_paid_job=False,
    )
    upload = SimpleUploadedFile("ticket.png", PNG, content_type="image/png")
    receipt = payments.store_receipt(upload, owner=resident, by=resident, content_type="image/png")
    payments.save_expense(
        claim,
        by=resident,
        category="public_transport",
        description="Bus",
        amount_pence=640,
        miles=None,
        receipt=receipt,
    )
    claim = payments.submit_claim(
        Claim.objects.get(pk=claim.pk), by=resident, benefits_acknowledged=True
    )
    payments.approve_claim(claim, by=commissioner)
    run = payments.create_payment_run(by=commissioner)
    return Claim.objects.get(pk=claim.pk), run


def test_receipts_are_never_kept_by_shared_caches(client, resident, commissioner, paid_claim):
    claim, _ = paid_claim
    line = claim.lines.exclude(receipt=None).get()
    for person in (resident, commissioner):
        client.force_login(person)
        response = client.get(reverse("payments:receipt", args=[claim.pk, line.pk]))
        close_download(response)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        assert_not_cached_by_shared_caches(response)


def test_csv_exports_are_never_kept_by_shared_caches(client, commissioner, staff, paid_claim):
    _, run = paid_claim
    client.force_login(commissioner)
    for name in [
        "payments:report_people_csv",
        "payments:report_budgets_csv",
        "payments:report_owed_csv",
        "payments:report_days_csv",
    ]:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert_not_cached_by_shared_caches(response)
    response = client.get(reverse("payments:run_csv", args=[run.pk]))
    assert response.status_code == 200
    assert_not_cached_by_shared_caches(response)

    opportunity = participation_factories.OpportunityFactory(created_by=staff)
    client.force_login(staff)
    response = client.get(reverse("participation:attendance_csv", args=[opportunity.pk]))
    assert response.status_code == 200
    assert_not_cached_by_shared_caches(response)

    response = client.get(reverse("insight:dashboard"), {"format": "csv", "table": "ladder_steps"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert_not_cached_by_shared_caches(response)


def test_a_persons_data_download_and_calendar_are_never_kept_by_shared_caches(client, resident):
    from participation.models import Profile

    client.force_login(resident)

    download = client.post(reverse("my_data_download"))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert_not_cached_by_shared_caches(download)

    profile, _ = Profile.objects.get_or_create(user=resident)
    feed = Client().get(urlsplit(calendar_url(profile)).path)
    assert feed.status_code == 200
    assert_not_cached_by_shared_caches(feed)


@override_settings(TRUSTED_PROXY_COUNT=1, ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_behind_a_load_balancer_each_visitor_has_their_own_limit(client):
    """Every request reaches the hub from the balancer; the visitor is in X-Forwarded-For."""

    def sign_in_from(address, n):
        return client.post(
            reverse("account_login"),
            {"login": f"p{n}@example.org", "password": "x"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"192.0.2.99, {address}",
        )

    first_visitor = [sign_in_from("198.51.100.7", n).status_code for n in range(31)]
    second_visitor = sign_in_from("203.0.113.5", 99)

    assert first_visitor[30] == 429
    assert second_visitor.status_code == 200


@override_settings(TRUSTED_PROXY_COUNT=1, ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_a_visitor_cannot_dodge_the_share_limit_by_forging_forwarded_for(client):
    share = {
        "kind": "lesson",
        "title": "Paying people on the day",
        "text": "We paid people at the end of the session. It built trust.",
        "outcome": "went_well",
    }
    statuses = [
        client.post(
            reverse("learning:share"),
            share,
            REMOTE_ADDR="10.0.0.2",
            # The left part is whatever the visitor sent; the balancer adds the real address.
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.7",
        ).status_code
        for n in range(int(throttle.VISITOR_RATE.split("/")[0]) + 1)
    ]

    assert statuses[-1] == 429
