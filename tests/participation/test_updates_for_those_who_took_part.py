"""People who took part read "we said, we did" on their own pages too, not only in the message:
anyone who turned messages off, or hears by phone or post, can still see what changed."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from participation.models import SignUp
from projects.models import Update
from tests.projects.factories import UpdateFactory

from .factories import OpportunityFactory, ProjectFactory, SignUpFactory

pytestmark = pytest.mark.django_db

MY = reverse("participation:my")
MY_UPDATES = reverse("participation:my_updates")


def last_week(**fields):
    start = timezone.now() - timedelta(days=7)
    return OpportunityFactory(starts_at=start, ends_at=start + timedelta(hours=2), **fields)


def came(resident, opportunity, attendance=SignUp.Attendance.ATTENDED):
    return SignUpFactory(resident=resident, opportunity=opportunity, attendance=attendance)


def update_about(project, did, **fields):
    return UpdateFactory(project=project, did=did, **fields)


def test_people_who_came_see_what_changed_on_their_involvement_page(client, resident):
    project = ProjectFactory(title="Short breaks review")
    came(resident, last_week(project=project))
    update_about(project, "We doubled the number of short breaks.")
    update_about(ProjectFactory(), "We changed the bus timetable.")  # not theirs
    # A project they booked for but did not come to is not theirs either.
    missed = ProjectFactory()
    came(resident, last_week(project=missed), attendance=SignUp.Attendance.NO_SHOW)
    update_about(missed, "We moved the day centre.")
    client.force_login(resident)

    page = client.get(MY).text

    assert "What changed because of what you said" in page
    assert "We doubled the number of short breaks." in page
    assert "Short breaks review" in page
    assert "We changed the bus timetable." not in page
    assert "We moved the day centre." not in page


def test_an_update_about_a_session_standing_alone_reaches_the_people_who_came(client, resident):
    session = last_week()
    came(resident, session)
    update = Update.objects.create(said="Too far away.", did="We found a closer venue.")
    update.opportunities.add(session)
    client.force_login(resident)

    assert "We found a closer venue." in client.get(MY).text


def test_an_update_on_a_project_the_public_cannot_see_stays_in_the_message_only(client, resident):
    hidden = ProjectFactory(is_published=False)
    came(resident, last_week(project=hidden))
    update_about(hidden, "We changed the internal process.")
    client.force_login(resident)

    page = client.get(MY).text

    assert "We changed the internal process." not in page
    assert "What changed because of what you said" not in page


def test_the_newest_three_show_with_a_link_to_them_all(client, resident):
    project = ProjectFactory()
    came(resident, last_week(project=project))
    now = timezone.now()
    for n in range(5):
        update_about(project, f"Change number {n}.", posted_at=now - timedelta(days=n))
    client.force_login(resident)

    page = client.get(MY).text
    every = client.get(MY_UPDATES).text

    assert [f"Change number {n}." in page for n in range(5)] == [True] * 3 + [False] * 2
    assert f'href="{MY_UPDATES}"' in page
    assert all(f"Change number {n}." in every for n in range(5))
    assert every.index("Change number 0.") < every.index("Change number 4.")


def test_the_place_page_of_a_session_they_came_to_shows_its_projects_updates(client, resident):
    project = ProjectFactory(title="Carers' voice")
    signup = came(resident, last_week(project=project))
    update_about(project, "We now meet in the evening.")
    client.force_login(resident)

    page = client.get(signup.get_absolute_url()).text

    assert 'id="we-said-we-did"' in page
    assert "We now meet in the evening." in page


def test_the_place_page_before_the_session_has_no_updates(client, resident):
    project = ProjectFactory()
    signup = SignUpFactory(resident=resident, opportunity=OpportunityFactory(project=project))
    update_about(project, "An earlier round changed the letters.")
    client.force_login(resident)

    assert "An earlier round changed the letters." not in client.get(signup.get_absolute_url()).text


def test_the_list_of_every_update_is_for_the_signed_in_person_only(client, resident):
    response = client.get(MY_UPDATES)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))

    client.force_login(resident)
    page = client.get(MY_UPDATES).text
    assert "There is no news yet from what you took part in." in page


def test_the_pages_make_the_same_number_of_queries_however_many_updates(
    client, resident, django_assert_max_num_queries
):
    client.force_login(resident)
    project = ProjectFactory()
    came(resident, last_week(project=project))
    update_about(project, "One change.").opportunities.add(last_week(project=project))
    client.get(MY)
    with django_assert_max_num_queries(30) as few:
        client.get(MY)
        client.get(MY_UPDATES)
    for n in range(12):
        session = last_week(project=ProjectFactory())
        came(resident, session)
        update_about(session.project, f"Change {n}.").opportunities.add(session)

    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(MY)
        client.get(MY_UPDATES)
