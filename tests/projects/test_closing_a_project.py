"""Closing a project: not while any of its sessions still to come is going ahead. Staff are
shown which, each linking to the page where it can be cancelled; the hub cancels nothing for
them. A closed project takes no new sessions (tests/participation/test_closed_projects.py)."""

import pytest
from django.test import Client
from django.urls import reverse

from participation import services as participation_services
from participation.models import Opportunity
from projects.models import Project
from projects.services import SESSIONS_LISTED, SessionsStillGoingAhead, update_project
from tests.concurrency import run_at_once

from .factories import make_opportunity, project_post_data

pytestmark = pytest.mark.django_db


def close_with_the_form(client, project, **changes):
    data = project_post_data(
        project.service_area,
        project.owner,
        title=project.title,
        status="closed",
        team=[str(member.pk) for member in project.team.all()],
        **changes,
    )
    data.pop("budget_pence", None)  # only commissioners set it
    client.force_login(project.owner)
    return client.post(reverse("projects:edit", args=[project.slug]), data)


def test_closing_is_refused_while_sessions_still_to_come_are_going_ahead(client, project):
    open_one = make_opportunity(project, title="Coffee morning", days_ahead=3)
    full_one = make_opportunity(project, title="Final panel", days_ahead=9, status="closed")
    make_opportunity(project, title="Last month's workshop", days_ahead=-30)
    make_opportunity(project, title="Idea not yet published", status="draft")
    make_opportunity(project, title="Called off", status="cancelled")

    response = close_with_the_form(client, project)

    assert response.status_code == 200
    page = response.text
    refusal = "Cancel the 2 sessions still to come, or wait until they have taken place"
    assert page.count(refusal) == 2  # in the error summary and beside the status
    assert '<a href="#id_status_1">Cancel the 2 sessions' in page  # the error summary
    assert "<title>Error: " in page
    for session in (open_one, full_one):
        assert reverse("participation:manage", args=[session.pk]) in page
        assert reverse("participation:cancel_opportunity", args=[session.pk]) in page
    assert "Final panel</a>" in page and "(no longer taking sign-ups)" in page
    for not_going_ahead in ("Last month's workshop", "Idea not yet published", "Called off"):
        assert not_going_ahead not in page
    project.refresh_from_db()
    assert project.status == Project.Status.ACTIVE
    # Nobody was told anything: the sessions are as they were.
    open_one.refresh_from_db()
    assert open_one.status == "published"


def test_what_was_typed_is_kept_when_closing_is_refused(client, project):
    make_opportunity(project, title="Coffee morning")

    response = close_with_the_form(client, project, summary="We finished this work in March.")

    assert "We finished this work in March." in response.text
    project.refresh_from_db()
    assert project.summary != "We finished this work in March."


def test_the_project_closes_once_its_sessions_are_cancelled_or_held(client, project):
    session = make_opportunity(project, title="Coffee morning")
    make_opportunity(project, title="Last month's workshop", days_ahead=-30)
    participation_services.cancel_opportunity(
        session, by=project.owner, reason="The project has finished early."
    )

    response = close_with_the_form(client, project)

    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == Project.Status.CLOSED


def test_a_long_list_shows_the_soonest_and_links_to_the_rest(client, project):
    for day in range(1, SESSIONS_LISTED + 3):
        make_opportunity(project, title=f"Session on day {day}", days_ahead=day)

    page = close_with_the_form(client, project).text

    count = SESSIONS_LISTED + 2
    assert f"Cancel the {count} sessions still to come" in page
    assert f"Session on day {SESSIONS_LISTED}<" in page
    assert f"Session on day {SESSIONS_LISTED + 1}<" not in page
    assert f"See all {count} sessions still to come" in page


def test_a_closed_project_saved_again_is_not_refused(project):
    Project.objects.filter(pk=project.pk).update(status=Project.Status.CLOSED)
    # Left from before the rule: the project page still needs its details put right.
    make_opportunity(project, title="Coffee morning")

    update_project(project, by=project.owner, status="closed", summary="Now finished.")

    project.refresh_from_db()
    assert project.summary == "Now finished."


def test_the_service_says_which_sessions_are_going_ahead(project):
    session = make_opportunity(project, title="Coffee morning")

    with pytest.raises(SessionsStillGoingAhead) as refused:
        update_project(project, by=project.owner, status="closed")

    assert refused.value.sessions == [session]
    assert refused.value.count == 1
    assert refused.value.field == "status"
    assert str(refused.value) == (
        "Cancel the 1 session still to come, or wait until they have taken place, before you "
        "close the project"
    )


def test_a_closed_project_page_offers_no_new_opportunities(client, project):
    client.force_login(project.owner)
    page = client.get(project.get_absolute_url()).text
    assert "Add an opportunity" in page

    Project.objects.filter(pk=project.pk).update(status=Project.Status.CLOSED)
    page = client.get(project.get_absolute_url()).text

    assert "Add an opportunity" not in page
    assert "The project is closed, so it cannot have new opportunities." in page


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_publishing_a_session_while_the_project_closes_leaves_nothing_recruiting(project):
    """Closing checks the project's sessions while publishing checks the project: at the
    same moment, each must see the other, or a closed project keeps recruiting."""
    for _ in range(5):
        Project.objects.filter(pk=project.pk).update(status=Project.Status.ACTIVE)
        draft = make_opportunity(project, title="Coffee morning", status="draft")
        Opportunity.objects.filter(pk=draft.pk).update(format="online")  # needs no venue

        _, errors = run_at_once(
            [
                lambda draft=draft: participation_services.publish_opportunity(
                    draft, by=project.owner
                ),
                lambda: update_project(
                    Project.objects.get(pk=project.pk), by=project.owner, status="closed"
                ),
            ]
        )

        assert len(errors) == 1, errors
        assert isinstance(
            errors[0], SessionsStillGoingAhead | participation_services.ParticipationError
        )
        project.refresh_from_db()
        draft.refresh_from_db()
        assert (project.status == Project.Status.CLOSED) != (draft.status == "published")
        draft.delete()


# The same rule in the Django admin, which closed such projects without a word.


def close_in_the_admin(client, admin_user, project):
    from .test_admin_and_pages import _admin_form

    url = reverse("admin:projects_project_change", args=[project.pk])
    client.force_login(admin_user)
    data = {**_admin_form(client, url), "status": ["closed"]}
    return client.post(url, data)


def test_the_admin_cannot_close_a_project_while_sessions_still_to_come_are_going_ahead(
    client, admin_user, project
):
    open_one = make_opportunity(project, title="Coffee morning", days_ahead=3)
    full_one = make_opportunity(project, title="Final panel", days_ahead=9, status="closed")
    make_opportunity(project, title="Last month's workshop", days_ahead=-30)
    make_opportunity(project, title="Idea not yet published", status="draft")
    make_opportunity(project, title="Called off", status="cancelled")

    response = close_in_the_admin(client, admin_user, project)

    assert response.status_code == 200
    page = response.text
    assert "Please correct the error below." in page
    # Beside the status, each linking to its page, where it can be cancelled.
    assert (
        "Cancel the 2 sessions still to come, or wait until they have taken place, before you "
        "close the project: "
        f'<a href="{reverse("participation:manage", args=[open_one.pk])}">Coffee morning</a> ('
    ) in page
    assert f'<a href="{reverse("participation:manage", args=[full_one.pk])}">Final panel</a>' in (
        page
    )
    for not_going_ahead in ("Last month's workshop", "Idea not yet published", "Called off"):
        assert not_going_ahead not in page
    project.refresh_from_db()
    assert project.status == Project.Status.ACTIVE
    open_one.refresh_from_db()
    assert open_one.status == "published"


def test_the_admin_lists_the_soonest_and_links_to_the_rest(client, admin_user, project):
    for day in range(1, SESSIONS_LISTED + 3):
        make_opportunity(project, title=f"Session on day {day}", days_ahead=day)

    page = close_in_the_admin(client, admin_user, project).text

    assert f"Cancel the {SESSIONS_LISTED + 2} sessions still to come" in page
    assert f">Session on day {SESSIONS_LISTED}</a>" in page
    assert f">Session on day {SESSIONS_LISTED + 1}</a>" not in page
    rest = reverse("participation:staff_list") + "?q=Carers+short+breaks+review"
    assert f'and <a href="{rest}">2 more sessions</a>.' in page


def test_the_admin_closes_a_project_once_its_sessions_are_cancelled_or_held(
    client, admin_user, project
):
    make_opportunity(project, title="Last month's workshop", days_ahead=-30)
    make_opportunity(project, title="Called off", status="cancelled")

    response = close_in_the_admin(client, admin_user, project)

    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == Project.Status.CLOSED


def test_a_closed_project_saved_again_in_the_admin_is_not_refused(client, admin_user, project):
    Project.objects.filter(pk=project.pk).update(status=Project.Status.CLOSED)
    make_opportunity(project, title="Coffee morning")  # left from before the rule

    assert close_in_the_admin(client, admin_user, project).status_code == 302


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_session_published_as_the_admin_closes_its_project_is_refused(
    monkeypatch, admin_user, project
):
    """The admin checks the sessions under the project's row lock, which publishing takes
    too: published after the check, the session waits for the save, then finds it closed."""
    from projects import services
    from tests.hub.test_handing_over_concurrency import InTurn

    draft = make_opportunity(project, title="Coffee morning", status="draft")
    Opportunity.objects.filter(pk=draft.pk).update(format="online")  # needs no venue
    turns = InTurn()
    monkeypatch.setattr(
        services,
        "check_nothing_still_going_ahead",
        turns.paused(services.check_nothing_still_going_ahead),
    )
    page = Client()

    (closing, _), errors = run_at_once(
        [
            lambda: close_in_the_admin(page, admin_user, project),
            turns.second(
                lambda: participation_services.publish_opportunity(
                    Opportunity.objects.get(pk=draft.pk), by=project.owner
                )
            ),
        ]
    )

    assert closing.status_code == 302
    assert len(errors) == 1 and "is closed, so its sessions cannot open" in str(errors[0])
    project.refresh_from_db()
    draft.refresh_from_db()
    assert (project.status, draft.status) == (Project.Status.CLOSED, "draft")
