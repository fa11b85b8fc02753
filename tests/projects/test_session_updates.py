""" "We said, we did" updates about sessions standing alone, with no project: the staff who
run one tell everyone who came what changed, as a project's team does."""

from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notifications.broadcasts import run_broadcast
from notifications.models import Broadcast, Message
from notifications.prompts import prompt_for_overdue_updates
from participation.models import Opportunity, Profile, SignUp
from projects.models import Update
from projects.services import ProjectError, correct_update, post_session_update
from tests.factories import OpportunityFactory, UserFactory

from .factories import UpdateFactory, make_opportunity

pytestmark = pytest.mark.django_db

FORM = {
    "said": "The room was too noisy to hear each other.",
    "did": "We booked the quiet room at the library for the next one.",
    "next_steps": "We will ask again after the next session.",
    "easy_read": "",
}


def session_standing_alone(maker, *, days_ago=3, title="Day centre listening session", **extra):
    starts = timezone.now() - timedelta(days=days_ago)
    return OpportunityFactory(
        project=None,
        title=title,
        format=Opportunity.Format.IN_PERSON,
        starts_at=starts,
        status=extra.pop("status", Opportunity.Status.CLOSED),
        created_by=maker,
        **extra,
    )


def came(session, count, *, attendance=SignUp.Attendance.ATTENDED):
    people = UserFactory.create_batch(count)
    for person in people:
        SignUp.objects.create(
            opportunity=session, resident=person, status="booked", attendance=attendance
        )
    return people


def new_url(session):
    return reverse("projects:session_update_create", args=[session.pk])


def sent_to(kind="we_said_we_did"):
    return sorted(Message.objects.filter(kind=kind).values_list("recipient__email", flat=True))


def test_staff_who_run_a_session_post_an_update_and_each_person_who_came_hears_once(
    client, staff, django_capture_on_commit_callbacks
):
    session = session_standing_alone(staff)
    attended = came(session, 2)
    came(session, 1, attendance=SignUp.Attendance.NO_SHOW)
    came(session, 1, attendance=SignUp.Attendance.UNKNOWN)
    came(session_standing_alone(staff, title="Another session"), 1)
    client.force_login(staff)

    manage = client.get(reverse("participation:manage", args=[session.pk])).text
    form = client.get(new_url(session)).text
    check = client.post(new_url(session), FORM).text
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(new_url(session), {**FORM, "send": "yes"})
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(new_url(session), {**FORM, "send": "yes"})  # a double click

    assert f'href="{new_url(session)}"' in manage
    assert "Day centre listening session" in form and "Sessions this update is about" not in form
    assert 'data-prevent-double-click="true"' in form
    assert "2 people who attended will hear about it" in check
    assert "Thank you for taking part in Day centre listening session." in check
    assert first.status_code == again.status_code == 302
    assert first["Location"] == session.get_absolute_url()
    update = Update.objects.get()
    assert update.project is None and list(update.opportunities.all()) == [session]
    assert update.posted_by == staff
    assert sent_to() == sorted(person.email for person in attended)
    (email, _) = mail.outbox
    assert email.subject == "What changed because of what you told us: Day centre listening session"
    assert "Thank you for taking part in Day centre listening session." in email.body
    assert "Read it on the session's page: http" in email.body
    assert f"{session.get_absolute_url()}\n" in email.body

    # Running the broadcast again from the start sends nothing new.
    broadcast = Broadcast.objects.get(kind="we_said_we_did", object_id=update.pk)
    Broadcast.objects.filter(pk=broadcast.pk).update(finished_at=None, cursor=0)
    assert run_broadcast(broadcast.pk) == 0
    assert Message.objects.filter(kind="we_said_we_did").count() == 2


def test_people_who_asked_for_easy_read_get_the_easy_read_version(
    staff, django_capture_on_commit_callbacks
):
    session = session_standing_alone(staff)
    easy, standard = came(session, 2)
    Profile.objects.create(user=easy, format=Profile.InformationFormat.EASY_READ)

    with django_capture_on_commit_callbacks(execute=True):
        post_session_update(
            session, by=staff, said="Too noisy.", did="A quieter room.", easy_read="It was loud."
        )

    bodies = {message.to[0]: message.body for message in mail.outbox}
    assert "It was loud." in bodies[easy.email] and "Too noisy." not in bodies[easy.email]
    assert "Too noisy." in bodies[standard.email]


def test_only_staff_who_run_the_session_may_post_about_it(
    client, staff, other_staff, commissioner, resident, admin_user
):
    session = session_standing_alone(staff)
    url = new_url(session)

    assert client.get(url)["Location"].startswith(reverse("account_login"))
    for person in (other_staff, resident):
        client.force_login(person)
        assert client.get(url).status_code == 404
        assert client.post(url, {**FORM, "send": "yes"}).status_code == 404
    # Commissioners and admins may run every session, standing alone too (they hand one over
    # when whoever runs it leaves).
    for person in (commissioner, admin_user):
        client.force_login(person)
        assert client.get(url).status_code == 200
    assert not Update.objects.exists()
    with pytest.raises(ProjectError, match="session you run"):
        post_session_update(session, by=other_staff, said="a", did="b")


def test_a_projects_session_is_told_about_on_the_projects_page(client, owner, project):
    session = make_opportunity(project, days_ahead=-3, status="closed", title="Carers' panel")
    client.force_login(owner)

    response = client.get(new_url(session), follow=True)

    assert response.redirect_chain[0][0] == reverse("projects:update_create", args=[project.slug])
    assert "is part of the project" in response.text
    with pytest.raises(ProjectError, match="Post the update on the project's page"):
        post_session_update(session, by=owner, said="a", did="b")
    assert not Update.objects.exists()
    manage = client.get(reverse("participation:manage", args=[session.pk])).text
    assert reverse("projects:update_create", args=[project.slug]) in manage


def test_a_session_is_written_about_only_once_it_has_been_held(client, staff):
    coming = session_standing_alone(staff, days_ago=-5, status=Opportunity.Status.PUBLISHED)
    called_off = session_standing_alone(staff, status=Opportunity.Status.CANCELLED)
    client.force_login(staff)

    assert new_url(coming) not in client.get(reverse("participation:manage", args=[coming.pk])).text
    assert client.get(new_url(coming))["Location"] == reverse(
        "participation:manage", args=[coming.pk]
    )
    with pytest.raises(ProjectError, match="has not ended yet"):
        post_session_update(coming, by=staff, said="a", did="b")
    with pytest.raises(ProjectError, match="did not go ahead"):
        post_session_update(called_off, by=staff, said="a", did="b")


def test_the_form_keeps_what_was_typed_and_says_what_is_missing(client, staff):
    session = session_standing_alone(staff)
    client.force_login(staff)

    response = client.post(new_url(session), {**FORM, "did": " "})

    assert "govuk-error-summary" in response.text and "Enter what we did" in response.text
    assert FORM["said"] in response.text
    assert "<title>Error: " in response.text
    assert not Update.objects.exists()


def test_an_update_about_a_session_is_corrected_by_its_number_and_not_sent_again(
    client, staff, other_staff, django_capture_on_commit_callbacks
):
    session = session_standing_alone(staff)
    came(session, 1)
    with django_capture_on_commit_callbacks(execute=True):
        update = post_session_update(session, by=staff, **FORM)
    correct = reverse("projects:update_correct_any", args=[update.pk])
    client.force_login(other_staff)
    assert client.get(correct).status_code == 404
    client.force_login(staff)

    assert f'href="{correct}"' in client.get(session.get_absolute_url()).text
    empty = client.post(correct, {**FORM, "said": ""})
    response = client.post(correct, {**FORM, "did": "We booked the quiet room."})

    assert "Enter what people said" in empty.text and FORM["did"] in empty.text
    assert response["Location"] == session.get_absolute_url()
    update.refresh_from_db()
    assert update.did == "We booked the quiet room." and update.corrected_by == staff
    assert list(update.opportunities.all()) == [session]
    assert len(mail.outbox) == 1
    client.logout()
    page = client.get(session.get_absolute_url()).text
    assert "We booked the quiet room." in page and "Corrected" in page
    assert "Correct this update" not in page
    with pytest.raises(ProjectError, match="session you run"):
        correct_update(update, by=other_staff, said="x", did="y", opportunities=[session])


def test_a_projects_update_can_be_corrected_by_its_number_too(client, owner, staff, project):
    update = UpdateFactory(project=project)
    correct = reverse("projects:update_correct_any", args=[update.pk])
    client.force_login(staff)  # staff, not on the project's team
    assert client.get(correct).status_code == 404
    client.force_login(owner)

    client.post(correct, {**FORM, "did": "Put right."})

    update.refresh_from_db()
    assert update.did == "Put right." and update.project == project


def test_the_public_pages_and_the_feed_show_it_with_the_sessions_title(client, staff, project):
    session = session_standing_alone(staff)
    update = post_session_update(session, by=staff, **FORM)
    UpdateFactory(project=project, said="A project's update")

    listed = client.get(reverse("projects:updates")).text
    landed = client.get(reverse("projects:update", args=[update.pk]))
    page = client.get(session.get_absolute_url()).text
    atom = "{http://www.w3.org/2005/Atom}"
    body = client.get(reverse("projects:updates_feed")).content
    feed = ElementTree.fromstring(body)  # noqa: S314 - our own feed, made by this test
    titles = [entry.find(f"{atom}title").text for entry in feed.iter(f"{atom}entry")]

    link = f'<a class="govuk-link" href="{session.get_absolute_url()}">{session.title}</a>'
    assert link in listed
    assert "About one session, not part of a project." in listed
    assert FORM["said"] in listed and "A project&#x27;s update" in listed
    assert landed["Location"] == f"{session.get_absolute_url()}#update-{update.pk}"
    assert f'id="update-{update.pk}"' in page and FORM["did"] in page
    assert "We said, we did" in page
    assert any(title.startswith(f"{session.title}: update of") for title in titles)
    assert any(title.startswith(f"{project.title}: update of") for title in titles)


def test_a_sessions_page_shows_its_projects_updates_that_name_it(client, owner, project):
    session = make_opportunity(project, days_ahead=-3, status="closed", title="Carers' panel")
    UpdateFactory(project=project, said="About the panel").opportunities.set([session])
    UpdateFactory(project=project, said="About something else")

    page = client.get(session.get_absolute_url()).text

    assert "About the panel" in page and "About something else" not in page


def test_updates_about_a_draft_session_are_not_public(client, staff):
    session = session_standing_alone(staff)
    update = post_session_update(session, by=staff, **FORM)
    Opportunity.objects.filter(pk=session.pk).update(status=Opportunity.Status.DRAFT)

    assert FORM["said"] not in client.get(reverse("projects:updates")).text
    assert FORM["said"] not in client.get(reverse("projects:updates_feed")).text
    assert client.get(reverse("projects:update", args=[update.pk])).status_code == 404


def test_whoever_made_a_session_is_prompted_once_when_no_update_follows_it(staff, other_staff):
    quiet = session_standing_alone(staff, days_ago=7 * 7, title="Quiet session")
    came(quiet, 1)
    told = session_standing_alone(other_staff, days_ago=7 * 7, title="Told session")
    came(told, 1)
    post_session_update(told, by=other_staff, said="a", did="b")
    came(session_standing_alone(staff, days_ago=7 * 3, title="Recent session"), 1)
    session_standing_alone(staff, days_ago=7 * 7, title="Nobody came")

    prompt_for_overdue_updates()
    prompt_for_overdue_updates()

    message = Message.objects.get(kind="staff_update_overdue")
    assert message.recipient == staff
    assert message.subject == "Please tell people what changed: Quiet session"
    assert new_url(quiet) in message.body_text


def test_the_updates_page_makes_the_same_number_of_queries_however_many_sessions(client, staff):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("projects:updates")).status_code == 200
        return len(captured)

    def post(count):
        for number in range(count):
            session = session_standing_alone(staff, title=f"Session {number}")
            post_session_update(session, by=staff, said=f"Said {number}", did="Did")

    post(2)
    UpdateFactory()
    few = queries()
    post(15)
    UpdateFactory.create_batch(3)
    assert queries() == few
