"""The staff call list: each member of staff sees the calls about the sessions and projects
they run, plus a shared part about no session; commissioners also see claims; admins see
all. What to tell someone who asked for easy read is in easy read. Each look is recorded."""

import importlib
import uuid
from types import SimpleNamespace

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.urls import reverse

from coprod_hub.users.roles import Role
from notifications import services
from notifications.kinds import category_for
from notifications.models import Message
from participation import services as participation
from participation.models import Profile
from tests.factories import UserFactory
from tests.participation.factories import OpportunityFactory, ProjectFactory

pytestmark = pytest.mark.django_db

CALL_LIST = reverse("notifications:call_list")


def phoned(name, **profile):
    """Someone who asked us to write or phone."""
    person = UserFactory(display_name=name)
    Profile.objects.create(
        user=person, contact_by=Profile.ContactBy.POST_OR_PHONE, phone="01632 960001", **profile
    )
    return person


def shared_call(person, body="Here are this week's new opportunities."):
    """A message about no session (as a weekly digest is): for any member of staff."""
    return Message.objects.create(
        kind="weekly_digest",
        category=category_for("weekly_digest"),
        event_key=f"digest:{uuid.uuid4()}",
        recipient=person,
        channel=Message.Channel.CALL_LIST,
        subject="New opportunities this week",
        body_text=body,
        status=Message.Status.CALL_LIST,
    )


def claim_call(person):
    return Message.objects.create(
        kind="claim_rejected",
        category=category_for("claim_rejected"),
        event_key=f"claim-event:{uuid.uuid4()}",
        recipient=person,
        channel=Message.Channel.CALL_LIST,
        subject="Your claim was not approved",
        body_text="Reason: a duplicate",
        status=Message.Status.CALL_LIST,
    )


def page_for(client, user):
    client.force_login(user)
    response = client.get(CALL_LIST)
    assert response.status_code == 200
    return response.content.decode()


def test_staff_see_calls_about_the_sessions_they_run_and_the_shared_part(
    client, staff, other_staff, commissioner, admin_user
):
    ours = OpportunityFactory(title="Carers' coffee morning", created_by=staff)
    theirs = OpportunityFactory(title="Mental health peer group", created_by=other_staff)
    ben = phoned("Ben Clarke")
    participation.sign_up(ours, resident=ben)
    participation.sign_up(theirs, resident=ben)
    digest = shared_call(phoned("Dora Digest"))
    ours_call = Message.objects.get(opportunity=ours)
    theirs_call = Message.objects.get(opportunity=theirs)
    assert {ours_call.status, theirs_call.status} == {Message.Status.CALL_LIST}

    page = page_for(client, staff)
    assert "Carers&#x27; coffee morning" in page
    assert "Mental health peer group" not in page
    assert "this week&#x27;s new opportunities" in page
    assert "For any member of staff" in page
    assert "Every member of staff sees these" in page
    # Not theirs to mark, nor even to know about.
    done = reverse("notifications:mark_called", args=[theirs_call.pk])
    assert client.post(done).status_code == 404

    page = page_for(client, other_staff)
    assert "Mental health peer group" in page
    assert "Carers&#x27; coffee morning" not in page
    assert "this week&#x27;s new opportunities" in page

    # Commissioners run every session, standing alone too (they hand one over when whoever
    # runs it leaves).
    page = page_for(client, commissioner)
    assert "Mental health peer group" in page and "coffee morning" in page
    assert "this week&#x27;s new opportunities" in page

    page = page_for(client, admin_user)
    assert "Mental health peer group" in page and "coffee morning" in page
    client.post(done)
    theirs_call.refresh_from_db()
    assert theirs_call.status == Message.Status.CALLED
    assert digest.pk in Message.objects.filter(status=Message.Status.CALL_LIST).values_list(
        "pk", flat=True
    )


def test_calls_about_a_project_go_to_the_staff_who_run_it(client, staff, other_staff, commissioner):
    project = ProjectFactory(title="Day services review", owner=other_staff)
    session = OpportunityFactory(title="Day services workshop", project=project)
    team_member = UserFactory(display_name="Tess Team", roles=[Role.STAFF])
    project.team.add(team_member)
    person = phoned("Ann Update")
    participation.sign_up(session, resident=person)
    services.queue_message(
        "we_said_we_did",
        recipient=person,
        event_key="we_said_we_did:1",
        context={
            "project": project,
            "update": SimpleNamespace(said="Evenings", did="We added two", next_steps=""),
        },
    )
    update = Message.objects.get(kind="we_said_we_did")
    assert (update.project, update.opportunity) == (project, None)
    assert Message.objects.get(kind="signup_confirmed").project == project

    for runner in (other_staff, team_member, commissioner):
        page = page_for(client, runner)
        assert "We added two" in page
        assert "Day services workshop" in page
    page = page_for(client, staff)
    assert "We added two" not in page and "Day services workshop" not in page


def test_claim_calls_stay_with_commissioners_even_for_staff_running_the_session(
    client, staff, commissioner
):
    session = OpportunityFactory(created_by=staff)
    person = phoned("Cath Claimant")
    call = claim_call(person)
    Message.objects.filter(pk=call.pk).update(opportunity=session)

    assert "a duplicate" not in page_for(client, staff)
    assert "Messages about fees and expenses claims are on the commissioners" in page_for(
        client, staff
    )
    assert "a duplicate" in page_for(client, commissioner)


def test_the_call_list_takes_the_same_queries_however_many_calls_and_sessions(
    client, staff, django_assert_max_num_queries
):
    def add_calls(count):
        for _ in range(count):
            session = OpportunityFactory(created_by=staff)
            participation.sign_up(session, resident=phoned("Many Calls"))
            shared_call(phoned("Many Digests"))
            # A place offered, with the time it must be answered by: it comes first.
            full = OpportunityFactory(created_by=staff, capacity=1)
            booked = participation.sign_up(full, resident=UserFactory())
            participation.sign_up(full, resident=phoned("Many Offers"))
            participation.cancel_sign_up(booked, by=booked.resident)

    def queries(most=None):
        with django_assert_max_num_queries(most or 100) as captured:
            page = client.get(CALL_LIST).content.decode()
        assert "Answer needed by" in page
        return [q["sql"][:200] for q in captured.captured_queries]

    client.force_login(staff)
    add_calls(2)
    few = queries()
    add_calls(12)
    many = queries(most=len(few))
    assert len(few) == len(many), (few, many)
    # Each time round: a place, a digest, and joining a waiting list then offered a place.
    assert Message.objects.filter(status=Message.Status.CALL_LIST).count() == 14 * 4


def test_the_call_list_is_paginated(client, staff):
    for number in range(52):
        shared_call(phoned(f"Person {number}"), body=f"Digest number {number}.")
    page = page_for(client, staff)
    assert "Digest number 49." in page and "Digest number 50." not in page
    client.force_login(staff)
    assert "Digest number 51." in client.get(CALL_LIST + "?page=2").content.decode()


def test_each_look_at_the_call_list_is_kept_in_the_audit_trail(client, staff, other_staff):
    ours = OpportunityFactory(created_by=staff)
    seen = phoned("Seen Person")
    not_seen = phoned("Not Seen")
    participation.sign_up(ours, resident=seen)
    participation.sign_up(OpportunityFactory(created_by=other_staff), resident=not_seen)

    page_for(client, staff)

    entries = LogEntry.objects.filter(action=LogEntry.Action.ACCESS)
    assert [(e.object_id, e.actor, e.changes["viewed"][0]) for e in entries] == [
        (seen.pk, staff, "contact details and a message, on the call list")
    ]
    assert (
        list(LogEntry.objects.get_for_object(not_seen).filter(action=LogEntry.Action.ACCESS)) == []
    )


def test_calls_already_waiting_are_given_their_session(staff, other_staff):
    """The migration adding the session to messages fills it in for calls still waiting."""
    session = OpportunityFactory(created_by=other_staff)
    person = phoned("Waiting Already")
    signup = participation.sign_up(session, resident=person)
    Message.objects.update(opportunity=None, project=None)
    alert = shared_call(person)
    Message.objects.filter(pk=alert.pk).update(event_key="weekly-digest:2026-12-07")

    migration = importlib.import_module("notifications.migrations.0009_message_about_session")
    migration.about_waiting_calls(apps, None)

    call = Message.objects.get(kind="signup_confirmed")
    assert call.event_key.startswith(f"signup:{signup.pk}:")
    assert call.opportunity == session
    assert Message.objects.get(pk=alert.pk).opportunity is None


# --- Easy read -------------------------------------------------------------------------


def test_people_who_asked_for_easy_read_are_told_the_easy_read_words(client, staff):
    session = OpportunityFactory(title="Short breaks", created_by=staff)
    easy = phoned("Easy Words", format=Profile.InformationFormat.EASY_READ)
    standard = phoned("Plain Standard")
    participation.sign_up(session, resident=easy)
    participation.sign_up(session, resident=standard)

    participation.message_group(
        session,
        by=staff,
        token=uuid.uuid4(),
        subject="A new room",
        text="We have moved to the Blue Room on the second floor, adjacent to reception.",
        easy_read_text="EASYREAD: We meet in the Blue Room now.",
    )

    said = dict(Message.objects.filter(kind="group_message").values_list("recipient", "body_text"))
    assert "EASYREAD: We meet in the Blue Room now." in said[easy.pk]
    assert "adjacent to reception" not in said[easy.pk]
    assert "adjacent to reception" in said[standard.pk]
    assert "EASYREAD" not in said[standard.pk]
    page = page_for(client, staff)
    assert "EASYREAD: We meet in the Blue Room now." in page
    # The confirmation of the place too: its easy read version, not the standard words.
    confirmations = dict(
        Message.objects.filter(kind="signup_confirmed").values_list("recipient", "body_text")
    )
    assert confirmations[easy.pk] != confirmations[standard.pk]
    context = {
        "opportunity": session,
        "signup": session.signups.get(resident=easy),
        "recipient": easy,
    }
    assert confirmations[easy.pk] == services.body_in_format(
        "signup_confirmed", "easy_read.txt", services._with_site(context), ""
    )


def test_a_we_said_we_did_update_on_the_call_list_is_in_easy_read(staff):
    easy = phoned("Easy Words", format=Profile.InformationFormat.EASY_READ)
    services.queue_message(
        "we_said_we_did",
        recipient=easy,
        event_key="we_said_we_did:2",
        context={
            "project": SimpleNamespace(title="Day services", get_absolute_url="/projects/d/"),
            "update": SimpleNamespace(
                said="Evenings", did="Added two", next_steps="", easy_read="EASY: More evenings."
            ),
        },
    )
    assert "EASY: More evenings." in Message.objects.get().body_text


def test_the_easy_read_call_keeps_words_meant_for_staff_where_a_kind_has_them():
    """The survey's call list words never carry the person's private survey link, and easy
    read does not bring it back."""
    easy = phoned("Easy Words", format=Profile.InformationFormat.EASY_READ)
    session = OpportunityFactory(title="Carers' panel")
    body = services.render_call_list_message(
        "outcome_survey",
        {
            "opportunity": session,
            "recipient": easy,
            "survey_url": "https://hub.example/s/secret",
            "closes_at": session.starts_at,
        },
        email_body="",
        information_format="easy_read",
    )
    assert "secret" not in body
    assert "Please call" in body
