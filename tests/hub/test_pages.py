import pytest
from django.urls import reverse

from coprod_hub.users.roles import Role
from tests.factories import ProjectFactory, UserFactory
from tests.participation.factories import OpportunityFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["home", "accessibility", "privacy", "cookies"])
def test_public_pages_render_for_visitors_without_setting_cookies(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 200
    assert not response.cookies
    assert 'class="govuk-skip-link"' in response.content.decode()


def test_the_header_offers_sign_in_to_visitors(client):
    page = client.get(reverse("home")).content.decode()

    assert "Sign in" in page
    assert "Sign out" not in page


def test_the_header_changes_with_the_role(client):
    resident = UserFactory(roles=[Role.RESIDENT])
    client.force_login(resident)

    page = client.get(reverse("home")).content.decode()

    assert "Sign out" in page
    assert "Your account" in page


def test_unknown_pages_get_the_hub_404_page(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_a_refusal_says_who_may_do_it(client, staff):
    project = ProjectFactory()  # someone else's project: staff may see it, not change it
    client.force_login(staff)

    refused = client.get(reverse("projects:edit", args=[project.slug]))
    admin_only = client.get(reverse("notifications:outbox"))

    assert refused.status_code == 403
    assert "You cannot use this page" in refused.text
    assert "Only the project&#x27;s owner, its team, commissioners and admins" in refused.text
    assert "Only hub administrators can see the outbox." in admin_only.text


def test_a_resident_refused_a_staff_page_is_told_in_plain_words_who_it_is_for(client, resident):
    client.force_login(resident)

    review = client.get(reverse("payments:review"))
    projects = client.get(reverse("projects:manage"))

    assert review.status_code == projects.status_code == 403
    assert "This page is for staff who approve fees and expenses." in review.text
    assert "This page is for council and partner staff who run projects." in projects.text
    assert "users." not in review.text + projects.text


def test_a_form_without_its_security_token_gets_a_plain_page_with_the_menu(staff):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)

    response = client.post(reverse("participation:create"), {"title": "Walk"})

    assert response.status_code == 403
    assert "Sorry, we could not send that" in response.text
    assert "Go back to the form" in response.text
    assert "Sign out" in response.text  # the full page, with the menu of who is signed in


def test_the_accessibility_statement_has_real_content(client):
    page = client.get(reverse("accessibility")).content.decode()

    assert "WCAG" in page
    assert "Reporting accessibility problems" in page


def test_pages_send_a_strict_content_security_policy(client):
    response = client.get(reverse("home"))

    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'sha256-" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_only_the_closest_menu_item_is_marked_current(client, staff):
    client.force_login(staff)

    page = client.get("/projects/manage/").content.decode()

    assert page.count('aria-current="true"') == 1
    assert '<strong class="govuk-service-navigation__active-fallback">Manage projects' in page


def test_running_an_opportunity_is_under_manage_opportunities_in_the_menu(client, staff):
    opportunity = OpportunityFactory(created_by=staff)
    client.force_login(staff)

    for path in (
        f"/opportunities/{opportunity.pk}/manage/",
        "/opportunities/new/",
        "/venues/",
    ):
        page = client.get(path).content.decode()
        assert page.count('aria-current="true"') == 1, path
        assert (
            '<strong class="govuk-service-navigation__active-fallback">Manage opportunities'
        ) in page, path
    public = client.get(opportunity.get_absolute_url()).content.decode()
    assert '<strong class="govuk-service-navigation__active-fallback">Get involved' in public
