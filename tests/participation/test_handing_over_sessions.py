"""A session standing alone (no project) is run by one member of staff, who may hand it to a
colleague; so may commissioners and admins. Nobody may leave (delete their account) while
sessions still to come with people booked have nobody else to run them, and commissioners
find the ones whose runner has already left."""

import re
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from coprod_hub.users import privacy
from coprod_hub.users.roles import Role
from coprod_hub.users.services import revoke_role
from participation import services
from participation.models import Opportunity, Profile
from participation.privacy import erasure_blockers
from tests.factories import PASSWORD, UserFactory

from .factories import OpportunityFactory, ProjectFactory, SignUpFactory
from .test_staff_pages import form_data, url

pytestmark = pytest.mark.django_db


def runner_choices(page: str) -> dict[str, str]:
    """The "Who runs this session" options: {label: value}, and which one is chosen."""
    select = re.search(r'<select name="created_by".*?</select>', page, re.S)
    assert select, "The form should ask who runs the session"
    options = re.findall(r'<option value="(\d*)"( selected)?>([^<]*)</option>', select.group(0))
    return {label: value + (" (chosen)" if chosen else "") for value, chosen, label in options}


def booked_session(runner, **fields):
    """A session standing alone, ten days away, run by `runner`, with someone booked who told
    us their access needs."""
    session = OpportunityFactory(created_by=runner, **fields)
    person = UserFactory(display_name="Priya Shah")
    Profile.objects.create(
        user=person, access_needs="Step-free access", access_needs_consent_at=timezone.now()
    )
    SignUpFactory(opportunity=session, resident=person, profile_needs_shared=True)
    return session


def leaves(person):
    """They no longer work here: their staff role is taken away."""
    revoke_role(person, Role.STAFF)


# The form: who runs it.


def test_whoever_adds_a_session_runs_it_unless_they_choose_an_active_colleague(client, staff):
    other = UserFactory(display_name="Grace Adeyemi", email="grace@example.org", roles=["staff"])
    UserFactory(display_name="Gone Person", roles=["staff"], is_active=False)
    UserFactory(display_name="Rita Resident", roles=["resident"])
    client.force_login(staff)

    choices = runner_choices(client.get(reverse("participation:create")).text)

    assert choices[f"Sam Staff ({staff.email})"] == f"{staff.pk} (chosen)"
    assert choices["Grace Adeyemi (grace@example.org)"] == str(other.pk)
    assert not any("Gone Person" in label or "Rita" in label for label in choices)
    assert "" not in choices.values()  # nobody is not a choice


def test_staff_add_a_session_for_a_colleague_to_run(client, staff, other_staff):
    client.force_login(staff)

    response = client.post(
        reverse("participation:create"), form_data(created_by=other_staff.pk), follow=True
    )

    session = Opportunity.objects.get(title="Carers' focus group")
    assert session.created_by == other_staff
    # Not theirs to open any more: they are told who has it, on the list of sessions they run.
    assert response.redirect_chain[-1][0] == reverse("participation:staff_list")
    assert "Stella Staff runs it, and can publish it when it is ready." in response.text
    assert client.get(url("manage", session)).status_code == 404
    client.force_login(other_staff)
    assert client.get(url("manage", session)).status_code == 200


def test_a_copy_is_run_by_whoever_copies_it(client, staff, commissioner):
    original = OpportunityFactory(created_by=staff)
    client.force_login(commissioner)

    choices = runner_choices(client.get(url("copy", original)).text)

    assert choices[f"Connor Commissioner ({commissioner.email})"].endswith("(chosen)")


def test_whoever_runs_a_session_hands_it_to_a_colleague(client, staff, other_staff):
    session = booked_session(staff)
    client.force_login(staff)
    assert runner_choices(client.get(url("edit", session)).text)[
        f"Sam Staff ({staff.email})"
    ].endswith("(chosen)")

    response = client.post(url("edit", session), form_data(created_by=other_staff.pk), follow=True)

    session.refresh_from_db()
    assert session.created_by == other_staff
    saved = f"Your changes have been saved. Stella Staff runs {session.title} now."
    assert escape(saved) in response.text
    assert client.get(url("manage", session)).status_code == 404
    # The colleague now sees the people's needs and takes the register.
    client.force_login(other_staff)
    assert "Step-free access" in client.get(url("manage", session)).text
    # The trail says who handed it over, from whom to whom.
    changes = LogEntry.objects.get_for_object(session).filter(action=LogEntry.Action.UPDATE)
    entry = changes.filter(changes__has_key="created_by").get()
    assert entry.actor == staff
    assert entry.changes["created_by"] == [staff.pk, other_staff.pk]


def test_a_commissioner_hands_over_a_session_whose_runner_has_left(
    client, staff, other_staff, commissioner
):
    session = booked_session(staff)
    leaves(staff)
    client.force_login(commissioner)

    page = client.get(url("edit", session)).text
    # Nothing is quietly chosen for them: the person who left is not in the list.
    assert runner_choices(page) == {
        f"Connor Commissioner ({commissioner.email})": str(commissioner.pk),
        f"Stella Staff ({other_staff.email})": str(other_staff.pk),
        "Choose who runs it now": "",
    }
    assert "Sam Staff can no longer run sessions." in page
    refused = client.post(url("edit", session), form_data(created_by=""))
    assert "Choose who runs this session now" in refused.text
    assert Opportunity.objects.get(pk=session.pk).created_by == staff

    response = client.post(url("edit", session), form_data(created_by=other_staff.pk), follow=True)

    assert Opportunity.objects.get(pk=session.pk).created_by == other_staff
    # A commissioner may still manage it: they stay on its page.
    assert response.redirect_chain[-1][0] == url("manage", session)
    assert "Your changes have been saved." in response.text


def test_a_commissioner_runs_a_session_standing_alone_but_does_not_see_access_needs(
    client, staff, commissioner
):
    session = booked_session(staff)
    client.force_login(commissioner)

    page = client.get(url("manage", session))

    assert page.status_code == 200
    assert "Priya Shah" in page.text and "Step-free access" not in page.text


def test_a_page_opened_before_the_choice_was_there_keeps_whoever_runs_it(client, staff):
    session = booked_session(staff)
    client.force_login(staff)

    client.post(url("edit", session), form_data(title="New title"))  # no created_by sent

    session.refresh_from_db()
    assert (session.title, session.created_by) == ("New title", staff)


def test_only_active_staff_can_be_chosen_to_run_a_session(client, staff, resident):
    gone = UserFactory(roles=["staff"], is_active=False)
    client.force_login(staff)

    for person in (resident, gone):
        response = client.post(reverse("participation:create"), form_data(created_by=person.pk))
        assert "Choose a member of staff to run it" in response.text
    assert not Opportunity.objects.exists()
    with pytest.raises(services.ParticipationError, match="cannot run sessions"):
        services.hand_over_opportunity(OpportunityFactory(), to=resident, by=staff)


def test_a_session_in_a_project_is_run_by_the_project_not_someone_chosen(
    client, staff, other_staff
):
    project = ProjectFactory(owner=staff)
    session = OpportunityFactory(project=project, created_by=staff)
    client.force_login(staff)

    page = client.get(url("edit", session)).text
    client.post(
        url("edit", session),
        form_data(project=project.pk, level="", step="", created_by=other_staff.pk),
    )

    assert "Who runs this session" not in page
    assert Opportunity.objects.get(pk=session.pk).created_by == staff
    with pytest.raises(services.ParticipationError, match="owner and team"):
        services.hand_over_opportunity(session, to=other_staff, by=staff)


def test_staff_who_do_not_run_a_session_cannot_hand_it_over(client, staff, other_staff):
    session = booked_session(staff)
    client.force_login(other_staff)

    response = client.post(url("edit", session), form_data(created_by=other_staff.pk))

    assert response.status_code == 404
    assert Opportunity.objects.get(pk=session.pk).created_by == staff


# Leaving: nobody deletes their account while sessions they run would be left with nobody.


def test_someone_running_a_session_with_people_booked_hands_it_over_before_deleting_their_account(
    client, staff, other_staff, admin_user
):
    session = booked_session(staff, title="Carers' panel")
    client.force_login(staff)

    told = client.get(reverse("my_data_erase")).text
    refused = client.post(reverse("my_data_erase"), {"password": PASSWORD, "confirm": "on"})
    client.force_login(admin_user)
    asked = client.post(
        reverse("admin:users_user_changelist"),
        {"action": "erase_data", "_selected_action": [staff.pk]},
    ).text

    assert "You cannot delete your account yet" in told
    assert (
        "You run a session still to come that people have booked or are waiting for. Hand this "
        "session to a colleague first: “Carers&#x27; panel”. Then you can delete your account."
    ) in told
    edit = url("edit", session)
    assert f'<a class="govuk-link" href="{edit}">Choose who runs “Carers&#x27; panel”</a>' in told
    assert "Hand this session to a colleague first" in refused.text
    assert "they run a session with no project, still to come" in asked
    assert Opportunity.objects.get(pk=session.pk).created_by.is_active

    services.hand_over_opportunity(session, to=other_staff, by=staff)

    assert privacy.erasure_blockers(staff) == []


def test_sessions_that_need_nobody_to_run_them_do_not_stop_anyone_leaving(staff, other_staff):
    past = OpportunityFactory(
        created_by=staff, starts_at=timezone.now() - timedelta(days=2), status="closed"
    )
    SignUpFactory(opportunity=past)
    SignUpFactory(opportunity=OpportunityFactory(created_by=staff, status="cancelled"))
    SignUpFactory(opportunity=OpportunityFactory(created_by=staff, status="draft"))
    SignUpFactory(opportunity=OpportunityFactory(project=ProjectFactory(), created_by=staff))
    SignUpFactory(opportunity=OpportunityFactory(created_by=staff), status="cancelled")
    SignUpFactory(opportunity=OpportunityFactory(created_by=other_staff))

    assert erasure_blockers(staff) == []


@pytest.mark.parametrize("status", ["booked", "offered", "waiting"])
def test_anyone_with_a_place_or_waiting_needs_a_session_handed_over(staff, status):
    SignUpFactory(opportunity=OpportunityFactory(created_by=staff, status="closed"), status=status)

    (reason,) = erasure_blockers(staff)

    assert "Hand this session to a colleague first" in reason.to_person


def test_someone_whose_staff_role_has_gone_is_told_without_links_they_could_not_open(staff):
    for number in (1, 2):
        booked_session(staff, title=f"Session {number}")
    leaves(staff)

    (reason,) = erasure_blockers(staff)

    assert reason.to_person.startswith("You run 2 sessions still to come")
    assert "Hand these sessions to a colleague first: “Session 1”, “Session 2”." in (
        reason.to_person
    )
    assert reason.links == ()


# The list of sessions: commissioners find those nobody runs any more.


def test_commissioners_find_the_sessions_nobody_runs_and_hand_them_over(
    client, staff, other_staff, commissioner
):
    orphan = booked_session(staff, title="Left behind")
    recent = OpportunityFactory(
        created_by=staff, title="Held last week", starts_at=timezone.now() - timedelta(days=7)
    )
    OpportunityFactory(
        created_by=staff, title="Long ago", starts_at=timezone.now() - timedelta(weeks=20)
    )
    OpportunityFactory(created_by=staff, title="Called off", status="cancelled")
    OpportunityFactory(created_by=other_staff, title="Still run")
    OpportunityFactory(
        project=ProjectFactory(owner=other_staff), created_by=staff, title="In a project"
    )
    leaves(staff)
    client.force_login(commissioner)

    coming_up = client.get(reverse("participation:staff_list")).text
    listed = client.get(reverse("participation:staff_list"), {"status": "nobody"}).text

    assert "2 sessions with no project have nobody to run them" in coming_up
    assert coming_up.count(">Nobody runs it</strong>") == 1  # "Left behind" only is coming up
    rows = re.findall(r'href="/opportunities/(\d+)/manage/">([^<]*)</a>', listed)
    assert [title for _, title in rows] == ["Held last week", "Left behind"]
    assert f'href="{url("edit", orphan)}">Choose who runs it' in listed
    assert f'href="{url("edit", recent)}">Choose who runs it' in listed

    services.hand_over_opportunity(orphan, to=other_staff, by=commissioner)

    assert (
        "Left behind"
        not in client.get(reverse("participation:staff_list"), {"status": "nobody"}).text
    )


def test_staff_who_are_not_commissioners_are_not_offered_the_sessions_nobody_runs(
    client, staff, other_staff
):
    booked_session(staff, title="Left behind")
    leaves(staff)
    OpportunityFactory(created_by=other_staff, title="Mine")
    client.force_login(other_staff)

    page = client.get(reverse("participation:staff_list"), {"status": "nobody"}).text

    assert "Nobody runs it" not in page and "nobody to run" not in page
    assert "Mine" in page and "Left behind" not in page


def test_a_colleague_whose_staff_role_goes_as_the_form_is_sent_is_refused_on_the_page(
    client, monkeypatch, staff, other_staff
):
    """The form's list of staff was read before the save: an administrator may take the role
    away in between. The save checks again under lock (handing_over), and the page says why,
    keeping what was typed."""
    session = booked_session(staff, title="Carers' cuppa")
    check = services.lock_and_check_staff

    def role_taken_meanwhile(person):
        leaves(person)
        return check(person)

    monkeypatch.setattr(services, "lock_and_check_staff", role_taken_meanwhile)
    client.force_login(staff)

    response = client.post(
        url("edit", session), form_data(title="Carers' panel", created_by=other_staff.pk)
    )

    assert response.status_code == 200
    assert "<title>Error: " in response.text
    assert (
        '<a href="#id_created_by">Stella Staff cannot run sessions, as they are not a member of '
        "staff. Choose a member of staff</a>"
    ) in response.text
    assert 'value="Carers&#x27; panel"' in response.text
    session.refresh_from_db()
    assert (session.title, session.created_by) == ("Carers' cuppa", staff)


# Out of its project: whoever added it runs it, if they still can.


def _moved_out_of_its_project(client, session, by):
    client.force_login(by)
    return client.post(
        url("edit", session), form_data(title=session.title, project=""), follow=True
    )


def test_a_session_moved_out_of_its_project_is_run_by_whoever_added_it_while_they_are_staff(
    client, staff, other_staff
):
    session = booked_session(other_staff, project=ProjectFactory(owner=staff))

    response = _moved_out_of_its_project(client, session, staff)

    session.refresh_from_db()
    assert (session.project, session.created_by) == (None, other_staff)
    saved = f"Your changes have been saved. Stella Staff runs {session.title} now."
    assert escape(saved) in response.text


@pytest.mark.parametrize("gone", ["staff role taken away", "account erased"])
def test_a_session_moved_out_of_its_project_after_whoever_added_it_left_is_run_by_the_mover(
    client, staff, gone
):
    """Not left with someone who cannot run it: nobody would see the people's access needs,
    take the register or be reminded to."""
    added_it = UserFactory(display_name="Gita Gone", roles=[Role.STAFF])
    session = booked_session(added_it, project=ProjectFactory(owner=staff), title="Carers' cuppa")
    if gone == "account erased":
        privacy.erase(added_it)
    else:
        leaves(added_it)

    response = _moved_out_of_its_project(client, session, staff)

    session.refresh_from_db()
    assert (session.project, session.created_by) == (None, staff)
    name = "Erased person" if gone == "account erased" else "Gita Gone"
    assert (
        f"Your changes have been saved. You run it now, as {name} can no longer run sessions. "
        "To give it to a colleague, choose who runs it in its details."
    ) in response.text.replace("&#x27;", "'")
    assert "Step-free access" in client.get(url("manage", session)).text
    # The trail says who took it on, from whom.
    changes = LogEntry.objects.get_for_object(session).filter(
        action=LogEntry.Action.UPDATE, changes__has_key="created_by"
    )
    assert [(entry.actor, entry.changes["created_by"]) for entry in changes] == [
        (staff, [added_it.pk, staff.pk])
    ]


def test_a_session_cannot_leave_its_project_if_nobody_left_could_run_it(staff):
    """Whoever moves it may be losing their own staff role at that moment (handing_over)."""
    added_it = UserFactory(display_name="Gita Gone", roles=[Role.STAFF])
    project = ProjectFactory(owner=staff)
    session = booked_session(added_it, project=project)
    leaves(added_it)
    leaves(staff)

    with pytest.raises(services.ParticipationError) as refused:
        services.update_opportunity(
            session,
            by=staff,
            project=None,
            topic=project.service_area,
            level="service",
            step=5,
            not_coproduction_reason="The council decides; we want carers' views first.",
        )

    assert str(refused.value) == (
        "Gita Gone cannot run sessions any more, nor can you, as you are not a member of "
        "staff, so the session cannot leave its project. Ask a member of staff to move it."
    )
    session.refresh_from_db()
    assert (session.project, session.created_by) == (project, added_it)
