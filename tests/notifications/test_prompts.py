from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from coprod_hub.models import ClosureDay
from coprod_hub.users.roles import Role
from notifications import tasks
from notifications.models import Message
from notifications.prompts import (
    MOST_REGISTERS_IN_ONE_PROMPT,
    prompt_commissioners_about_claims,
    prompt_for_overdue_updates,
    prompt_for_registers,
    prompt_moderators,
)
from participation.models import Opportunity, SignUp
from participation.templatetags.participation import day
from payments.models import Claim
from tests.factories import OpportunityFactory, UserFactory
from tests.learning.factories import EntryFactory
from tests.payments.factories import claim_in_state, make_policy
from tests.payments.test_fee_corrections import claim_for, correct, half_day_session
from tests.projects.factories import ProjectFactory, UpdateFactory, make_opportunity

pytestmark = pytest.mark.django_db

UK = ZoneInfo("Europe/London")


def attended_session(project, *, weeks_ago):
    session = make_opportunity(project, days_ahead=-7 * weeks_ago, status="closed")
    SignUp.objects.create(
        opportunity=session,
        resident=project.owner,
        status=SignUp.Status.BOOKED,
        attendance=SignUp.Attendance.ATTENDED,
    )
    return session


def test_owners_are_prompted_once_when_no_update_follows_a_session_for_six_weeks():
    project = ProjectFactory()
    attended_session(project, weeks_ago=7)
    quiet = ProjectFactory()
    attended_session(quiet, weeks_ago=3)  # not six weeks yet

    prompt_for_overdue_updates()
    prompt_for_overdue_updates()

    message = Message.objects.get(kind="staff_update_overdue")
    assert message.recipient == project.owner
    assert project.title in message.subject


def test_an_update_after_the_session_stops_the_prompt():
    project = ProjectFactory()
    session = attended_session(project, weeks_ago=7)
    UpdateFactory(project=project, posted_at=session.ends_at + timedelta(days=3))

    prompt_for_overdue_updates()

    assert not Message.objects.filter(kind="staff_update_overdue").exists()


def test_a_session_standing_alone_is_asked_about_only_while_someone_active_runs_it(other_staff):
    weeks_ago = timezone.now() - timedelta(weeks=7)
    left = UserFactory(display_name="Left Staff", roles=[Role.RESIDENT])  # staff role removed
    erased = UserFactory(display_name="Erased Staff", roles=[Role.STAFF], is_active=False)
    sessions = {
        runner: OpportunityFactory(
            created_by=runner, starts_at=weeks_ago - timedelta(hours=2), status="closed"
        )
        for runner in (left, erased)
    }
    for session in sessions.values():
        SignUp.objects.create(
            opportunity=session,
            resident=UserFactory(),
            status=SignUp.Status.BOOKED,
            attendance=SignUp.Attendance.ATTENDED,
        )

    assert prompt_for_overdue_updates() == 0
    assert not Message.objects.filter(kind="staff_update_overdue").exists()

    # Handed to a colleague, it is asked about again, of them.
    Opportunity.objects.filter(pk=sessions[left].pk).update(created_by=other_staff)
    assert prompt_for_overdue_updates() == 1
    assert Message.objects.get(kind="staff_update_overdue").recipient == other_staff


def test_moderators_hear_when_entries_wait_more_than_five_working_days(moderator):
    # Two weeks: more than 5 working days whatever bank holidays fall between.
    with time_machine.travel(timezone.now() - timedelta(days=14)):
        EntryFactory()
    EntryFactory()  # shared today: not overdue

    prompt_moderators()
    prompt_moderators()  # once a day at most

    message = Message.objects.get(kind="moderation_overdue")
    assert message.recipient == moderator
    assert "1 practice guide entry is waiting" in message.body_text


def test_moderators_hear_nothing_when_the_queue_is_fresh(moderator):
    EntryFactory()

    assert prompt_moderators() == 0
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("task", "kind"),
    [
        (tasks.prompt_moderators, "moderation_overdue"),
        (tasks.prompt_commissioners_about_claims, "claims_waiting"),
    ],
)
def test_staff_are_not_prompted_on_a_bank_holiday_or_closure_day(
    moderator, commissioner, task, kind
):
    make_policy()
    with time_machine.travel(datetime(2027, 3, 1, 9, tzinfo=UK)):
        EntryFactory()
        claim_in_state(UserFactory())
    ClosureDay.objects.create(date=date(2027, 3, 30), reason="Council closed")

    # Easter Monday 2027, then the council's closure day after it: staff are not in.
    for day_off in (29, 30):
        with time_machine.travel(datetime(2027, 3, day_off, 9, tzinfo=UK)):
            assert task() == 0
    assert not Message.objects.filter(kind=kind).exists()

    with time_machine.travel(datetime(2027, 3, 31, 9, tzinfo=UK)):
        assert task() == 1
    assert Message.objects.get(kind=kind).recipient in (moderator, commissioner)


# Registers not taken.


def ended_session(project=None, *, hours_ago=48, booked=1, created_by=None, **fields):
    """A session that ended `hours_ago`, on `project` or standing alone, with `booked` people
    booked and nothing recorded for them yet."""
    ends_at = timezone.now() - timedelta(hours=hours_ago)
    session = OpportunityFactory(
        project=project,
        starts_at=ends_at - timedelta(hours=2),
        status=fields.pop("status", Opportunity.Status.CLOSED),
        **({"created_by": created_by} if created_by else {}),
        **fields,
    )
    for _ in range(booked):
        SignUp.objects.create(opportunity=session, resident=UserFactory(), status="booked")
    return session


def register_prompts():
    return Message.objects.filter(kind="register_not_taken")


def test_the_staff_running_a_session_are_asked_once_to_take_its_register(commissioner, staff):
    team_member = UserFactory(display_name="Tess Team", roles=[Role.STAFF])
    project = ProjectFactory(team=[team_member])
    session = ended_session(project, title="Carers' forum", booked=3, created_by=staff)

    prompt_for_registers()
    prompt_for_registers()  # once a session for each person

    prompts = register_prompts()
    # The project's owner and team run it; commissioners, who may run every session, and
    # whoever made it but is not on the project, are not chased about it.
    assert {m.recipient for m in prompts} == {project.owner, team_member}
    message = prompts.get(recipient=team_member)
    assert message.subject == "Please take the register for Carers' forum"
    assert "Carers' forum" in message.body_text
    assert "The register does not say yet whether 3 people with a place came." in message.body_text
    assert f"/opportunities/{session.pk}/manage/#attendance" in message.body_text


def test_whoever_made_a_session_standing_alone_is_asked_to_take_its_register(staff):
    ended_session(created_by=staff, title="Walk and talk")

    prompt_for_registers()

    message = register_prompts().get()
    assert message.recipient == staff
    assert "Walk and talk" in message.body_text
    assert "1 person with a place" in message.body_text


def test_nobody_is_asked_about_a_register_that_is_taken_or_not_needed(staff):
    taken = ended_session(created_by=staff, booked=2)
    taken.signups.update(attendance=SignUp.Attendance.ATTENDED)
    ended_session(created_by=staff, status=Opportunity.Status.CANCELLED)
    ended_session(created_by=staff, booked=0)  # nobody booked
    waiting_only = ended_session(created_by=staff, booked=0)
    SignUp.objects.create(opportunity=waiting_only, resident=UserFactory(), status="waiting")
    cancelled_place = ended_session(created_by=staff)
    cancelled_place.signups.update(status=SignUp.Status.CANCELLED)
    ended_session(created_by=staff, hours_ago=20)  # not a day yet
    ended_session(created_by=staff, hours_ago=61 * 24)  # too long ago to chase

    assert prompt_for_registers() == 0
    assert not register_prompts().exists()


def test_a_register_half_taken_is_still_asked_for(staff):
    session = ended_session(created_by=staff, booked=3)
    session.signups.filter(pk=session.signups.first().pk).update(attendance="no_show")

    prompt_for_registers()

    assert "whether 2 people with a place came" in register_prompts().get().body_text


def test_one_message_lists_every_register_a_person_has_not_taken(staff):
    older = ended_session(created_by=staff, hours_ago=72, title="Older session")
    newer = ended_session(created_by=staff, hours_ago=30, title="Newer session")

    prompt_for_registers()

    message = register_prompts().get()
    assert message.subject == "Please take the registers for 2 sessions"
    body = message.body_text
    assert body.index("Older session") < body.index("Newer session")
    assert f"/opportunities/{older.pk}/manage/#attendance" in body
    assert f"/opportunities/{newer.pk}/manage/#attendance" in body


def test_a_later_prompt_lists_only_the_sessions_not_yet_asked_about(staff):
    ended_session(created_by=staff, title="Monday session")
    prompt_for_registers()
    ended_session(created_by=staff, title="Tuesday session")

    with time_machine.travel(timezone.now() + timedelta(days=1)):
        prompt_for_registers()

    first, second = register_prompts().order_by("pk")
    assert "Monday session" in first.body_text
    assert "Tuesday session" in second.body_text and "Monday session" not in second.body_text


def test_a_register_still_not_taken_a_week_later_is_asked_for_once_more(staff):
    session = ended_session(created_by=staff, title="Monday session")
    prompt_for_registers()

    with time_machine.travel(timezone.now() + timedelta(days=6)):
        assert prompt_for_registers() == 0  # not a week yet
    with time_machine.travel(timezone.now() + timedelta(days=7, hours=1)):
        prompt_for_registers()
    with time_machine.travel(timezone.now() + timedelta(days=30)):
        assert prompt_for_registers() == 0  # twice at most

    first, second = register_prompts().order_by("pk")
    assert "Monday session" in second.body_text
    assert f"We first asked you on {day(first.created_at)}." in second.body_text
    assert "We first asked" not in first.body_text
    assert f"/opportunities/{session.pk}/manage/#attendance" in second.body_text


def test_a_register_taken_after_the_first_ask_is_not_asked_for_again(staff):
    session = ended_session(created_by=staff)
    prompt_for_registers()
    session.signups.update(attendance=SignUp.Attendance.ATTENDED)

    with time_machine.travel(timezone.now() + timedelta(days=8)):
        assert prompt_for_registers() == 0

    assert register_prompts().count() == 1


def test_a_long_list_of_registers_is_split_over_days_so_each_is_asked_for_once(staff):
    sessions = [ended_session(created_by=staff, hours_ago=30 + n) for n in range(16)]

    prompt_for_registers()
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        prompt_for_registers()
        prompt_for_registers()

    first, second = register_prompts().order_by("pk")
    assert first.subject == f"Please take the registers for {MOST_REGISTERS_IN_ONE_PROMPT} sessions"
    # The one that ended last waits for the next day.
    assert f"/opportunities/{sessions[0].pk}/manage/" in second.body_text
    assert f"/opportunities/{sessions[0].pk}/manage/" not in first.body_text


def test_nobody_is_asked_to_record_their_own_place(staff, other_staff):
    project = ProjectFactory(owner=staff, team=[other_staff])
    session = ended_session(project, booked=0)
    SignUp.objects.create(opportunity=session, resident=other_staff, status="booked")

    prompt_for_registers()

    # Only someone else running the session can record the team member's place.
    assert [m.recipient for m in register_prompts()] == [staff]


def test_people_who_no_longer_run_sessions_are_not_asked(staff):
    former = UserFactory(display_name="Former Staff", roles=[Role.RESIDENT])
    ended_session(created_by=former)
    gone = UserFactory(display_name="Gone Staff", roles=[Role.STAFF], is_active=False)
    ended_session(created_by=gone)

    assert prompt_for_registers() == 0


# Claims waiting for commissioners.


def sent_days_ago(days, *, status=Claim.Status.SUBMITTED, reviewer=None):
    with time_machine.travel(timezone.now() - timedelta(days=days)):
        return claim_in_state(UserFactory(), status=status, reviewer=reviewer)


def test_commissioners_hear_once_a_day_how_many_claims_wait_too_long(commissioner, staff):
    make_policy()  # 28 days to pay
    sent_days_ago(30)  # past the target
    sent_days_ago(29)
    sent_days_ago(24)  # 4 days left
    sent_days_ago(3)  # in good time
    # Paid (its payment run is made first, so the next approved claim is in none).
    sent_days_ago(40, status=Claim.Status.PAID, reviewer=commissioner)
    sent_days_ago(10, status=Claim.Status.APPROVED, reviewer=commissioner)  # in no run yet

    prompt_commissioners_about_claims()
    prompt_commissioners_about_claims()  # once a day

    message = Message.objects.get(kind="claims_waiting")
    assert message.recipient == commissioner
    assert message.subject == "2 claims past the target days to pay"
    body = message.body_text
    assert "We aim to pay claims within 28 days of them being sent." in body
    assert "- 2 past the target\n- 1 with 7 days or fewer left" in body
    assert "1 approved claim is not in a payment run yet." in body
    assert "/claims/review/" in body and "/payments/runs/" in body

    with time_machine.travel(timezone.now() + timedelta(days=1)):
        prompt_commissioners_about_claims()

    assert Message.objects.filter(kind="claims_waiting").count() == 2


def test_commissioners_hear_about_approved_claims_alone(commissioner):
    make_policy()
    sent_days_ago(2, status=Claim.Status.APPROVED, reviewer=commissioner)

    prompt_commissioners_about_claims()

    message = Message.objects.get(kind="claims_waiting")
    assert message.subject == "1 approved claim not in a payment run yet"
    assert "past the target" not in message.body_text
    assert "/claims/review/" not in message.body_text


def held_for_a_fee_correction(staff, commissioner):
    """An approved claim in no run whose session's fee was then corrected down: no payment
    run takes it until a commissioner decides about the overpayment."""
    session = half_day_session(staff)
    claim = claim_for(session, Claim.Status.APPROVED, reviewer=commissioner)
    correct(session, by=staff, fee_basis=Opportunity.FeeBasis.PER_ACTIVITY)
    assert Claim.objects.held_from_payment_runs().filter(pk=claim.pk).exists()
    return claim


def test_claims_held_from_payment_runs_are_not_counted_as_waiting_for_one(commissioner, staff):
    make_policy()
    sent_days_ago(2, status=Claim.Status.APPROVED, reviewer=commissioner)
    held_for_a_fee_correction(staff, commissioner)
    held_for_a_fee_correction(staff, commissioner)

    prompt_commissioners_about_claims()

    message = Message.objects.get(kind="claims_waiting", recipient=commissioner)
    assert message.subject == "1 approved claim not in a payment run yet"
    body = message.body_text
    assert "1 approved claim is not in a payment run yet." in body
    assert (
        "2 approved claims are held from payment runs until a commissioner decides about the "
        "fee correction." in body
    )
    assert "/payments/fee-corrections/" in body


def test_commissioners_hear_about_claims_held_for_a_fee_correction_alone(commissioner, staff):
    make_policy()
    held_for_a_fee_correction(staff, commissioner)

    prompt_commissioners_about_claims()

    message = Message.objects.get(kind="claims_waiting", recipient=commissioner)
    assert message.subject == "1 approved claim held until a fee correction is decided"
    assert "not in a payment run yet" not in message.body_text
    assert "/payments/runs/" not in message.body_text
    assert "/payments/fee-corrections/" in message.body_text


def test_commissioners_hear_nothing_when_no_claim_waits_too_long(commissioner):
    make_policy()
    sent_days_ago(3)
    sent_days_ago(40, status=Claim.Status.PAID, reviewer=commissioner)

    assert prompt_commissioners_about_claims() == 0
    assert not Message.objects.filter(kind="claims_waiting").exists()
