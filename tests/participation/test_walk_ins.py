"""People who came to a session without a place: staff put them on the register once it has
started (services.record_walk_in), so they can claim, are counted among the people who took
part and hear "we said, we did"."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from coprod_hub.users.models import User
from coprod_hub.users.roles import Role
from notifications.broadcasts import took_part
from notifications.models import Message
from participation import services
from participation.models import Opportunity, Profile, SignUp
from payments import services as payments
from payments.models import ClaimLine
from tests.factories import UserFactory
from tests.payments.factories import make_policy

from .factories import OpportunityFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def _started(opportunity, *, hours_ago=1):
    """Move the session so it started `hours_ago` (and ends an hour after that)."""
    starts = timezone.now() - timedelta(hours=hours_ago)
    Opportunity.objects.filter(pk=opportunity.pk).update(
        starts_at=starts, ends_at=starts + timedelta(hours=2)
    )
    opportunity.refresh_from_db()
    return opportunity


def _full_session(staff, **fields):
    """A paid session run by `staff`, its one place taken by Ann, that has started."""
    opportunity = OpportunityFactory(
        created_by=staff, capacity=1, fee_basis=Opportunity.FeeBasis.PER_HOUR, **fields
    )
    services.sign_up(opportunity, resident=UserFactory(display_name="Ann Able"))
    return _started(opportunity)


def _kinds_to(person):
    return sorted(Message.objects.filter(recipient=person).values_list("kind", flat=True))


def test_someone_who_came_to_a_full_session_goes_on_the_register_as_attended(staff, resident):
    opportunity = _full_session(staff)

    signup = services.record_walk_in(opportunity, person=resident, by=staff)

    signup.refresh_from_db()
    assert signup.status == SignUp.Status.BOOKED
    assert signup.attendance == SignUp.Attendance.ATTENDED
    assert signup.added_on_the_day and signup.signed_up_by == staff
    assert signup.attendance_recorded_by == staff
    # Ann keeps her place: the walk-in takes the session past its places.
    assert opportunity.signups.filter(status=SignUp.Status.BOOKED).count() == 2
    # How to claim, and the survey; never "you have a place" for a session already held.
    assert _kinds_to(resident) == ["claim_prompt", "outcome_survey"]


def test_the_audit_trail_says_who_added_them_and_that_they_came(staff, resident):
    opportunity = _full_session(staff)

    signup = services.record_walk_in(opportunity, person=resident, by=staff)

    (entry,) = LogEntry.objects.get_for_object(signup)
    assert entry.actor == staff
    assert entry.changes_dict["attendance"][1] == "attended"
    assert entry.changes_dict["added_on_the_day"] == [False, True]
    assert entry.action == LogEntry.Action.CREATE


def test_the_audit_trail_keeps_a_waiting_place_becoming_one_on_the_day(staff, resident):
    opportunity = OpportunityFactory(created_by=staff, capacity=1)
    services.sign_up(opportunity, resident=UserFactory())
    waiting = services.sign_up(opportunity, resident=resident)
    _started(opportunity)

    services.record_walk_in(opportunity, person=resident, by=staff)

    (entry,) = LogEntry.objects.get_for_object(waiting)
    assert entry.action == LogEntry.Action.UPDATE and entry.actor == staff
    assert entry.changes_dict == {
        "attendance": ["", "attended"],
        "attendance_recorded_by": [None, staff.pk],
        "added_on_the_day": [False, True],
    }


def test_a_walk_in_can_start_a_claim_for_their_fee(staff, resident):
    make_policy()
    signup = services.record_walk_in(_full_session(staff), person=resident, by=staff)

    assert payments.can_claim_for(signup)
    claim = payments.start_claim(signup, by=resident)

    assert claim.claimant == resident
    assert claim.lines.filter(kind=ClaimLine.Kind.FEE).exists()


def test_a_walk_in_is_counted_among_the_people_who_took_part(staff, resident):
    in_project = _full_session(staff, project=ProjectFactory(owner=staff))
    alone = _full_session(staff)

    services.record_walk_in(in_project, person=resident, by=staff)
    services.record_walk_in(alone, person=UserFactory(display_name="Wes Walker"), by=staff)

    assert resident in took_part(in_project.project_id)
    assert {p.display_name for p in took_part(sessions=[alone.pk])} == {"Wes Walker"}


def test_someone_waiting_or_offered_a_place_who_came_is_booked_and_nobody_loses_a_place(
    staff, make_residents
):
    opportunity = OpportunityFactory(created_by=staff, capacity=2)
    ann, ben, cat, dev = make_residents(4)
    services.sign_up(opportunity, resident=ann)
    leaving = services.sign_up(opportunity, resident=ben)
    offered = services.sign_up(opportunity, resident=cat)
    waiting = services.sign_up(opportunity, resident=dev)
    services.cancel_sign_up(leaving, by=ben)
    offered.refresh_from_db()
    assert offered.status == SignUp.Status.OFFERED
    _started(opportunity)

    services.record_walk_in(opportunity, person=cat, by=staff)
    services.record_walk_in(opportunity, person=dev, by=staff)

    statuses = {s.resident: (s.status, s.attendance) for s in opportunity.signups.all()}
    assert statuses == {
        ann: ("booked", ""),
        ben: ("cancelled", ""),
        cat: ("booked", "attended"),
        dev: ("booked", "attended"),
    }
    assert SignUp.objects.get(pk=waiting.pk).waiting_since is None
    assert not Message.objects.filter(kind="signup_confirmed", recipient__in=[cat, dev])


def test_someone_who_cancelled_but_came_anyway_goes_on_the_register(staff, resident):
    opportunity = OpportunityFactory(created_by=staff)
    place = services.sign_up(opportunity, resident=resident)
    services.cancel_sign_up(place, by=resident)
    _started(opportunity)

    signup = services.record_walk_in(opportunity, person=resident, by=staff)

    assert signup.pk == place.pk  # their one sign-up, booked again
    assert signup.status == SignUp.Status.BOOKED and signup.added_on_the_day
    assert signup.cancelled_by is None


def test_someone_who_had_a_place_is_marked_as_attended_not_added(staff, resident):
    opportunity = OpportunityFactory(created_by=staff)
    place = services.sign_up(opportunity, resident=resident)
    _started(opportunity)

    signup = services.record_walk_in(opportunity, person=resident, by=staff)

    assert signup.pk == place.pk
    assert signup.attendance == SignUp.Attendance.ATTENDED
    assert not signup.added_on_the_day and signup.signed_up_by is None


def test_recording_the_same_person_twice_records_them_once(staff, other_staff, resident):
    opportunity = _full_session(staff)

    services.record_walk_in(opportunity, person=resident, by=staff)
    again = services.record_walk_in(opportunity, person=resident, by=other_staff)

    assert opportunity.signups.filter(resident=resident).count() == 1
    assert again.attendance_recorded_by == staff  # the first record stands
    assert _kinds_to(resident) == ["claim_prompt", "outcome_survey"]


def test_before_the_session_starts_people_are_signed_up_as_before(staff, resident):
    opportunity = OpportunityFactory(created_by=staff, capacity=1)
    services.sign_up(opportunity, resident=UserFactory())

    with pytest.raises(services.ParticipationError, match="once the session has started"):
        services.record_walk_in(opportunity, person=resident, by=staff)
    waiting = services.sign_up(opportunity, resident=resident, by=staff)

    assert waiting.status == SignUp.Status.WAITING
    assert not waiting.added_on_the_day


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (Opportunity.Status.CANCELLED, "This opportunity was cancelled"),
        (Opportunity.Status.DRAFT, "never published"),
    ],
)
def test_sessions_called_off_or_never_published_take_nobody(staff, resident, status, words):
    opportunity = _started(OpportunityFactory(created_by=staff, status=status))

    with pytest.raises(services.ParticipationError, match=words):
        services.record_walk_in(opportunity, person=resident, by=staff)

    assert not opportunity.signups.exists()


def test_nobody_records_that_they_came_themselves():
    both = UserFactory(roles=[Role.STAFF, Role.RESIDENT])
    opportunity = _full_session(both)

    with pytest.raises(services.ParticipationError, match="cannot record that you came"):
        services.record_walk_in(opportunity, person=both, by=both)


def test_only_residents_can_be_recorded(staff, other_staff):
    opportunity = _full_session(staff)

    with pytest.raises(services.ParticipationError, match="does not have a resident account"):
        services.record_walk_in(opportunity, person=other_staff, by=staff)


def test_someone_new_who_came_gets_an_account_and_a_place_on_the_register(staff):
    opportunity = _full_session(staff)

    signup = services.add_person_who_came(
        opportunity,
        by=staff,
        display_name="Edna Offline",
        phone="01632 960 001",
        contact_by=Profile.ContactBy.POST_OR_PHONE,
    )

    edna = User.objects.get(display_name="Edna Offline")
    assert signup.resident == edna and edna.is_resident
    assert signup.attendance == SignUp.Attendance.ATTENDED and signup.added_on_the_day
    # She hears by phone or post: staff call her about claiming, nothing about a place.
    calls = Message.objects.filter(recipient=edna).values_list("kind", "status")
    assert sorted(calls) == [
        ("claim_prompt", Message.Status.CALL_LIST),
        ("outcome_survey", Message.Status.CALL_LIST),
    ]


def test_adding_someone_new_to_a_cancelled_session_leaves_no_account(staff):
    opportunity = _started(
        OpportunityFactory(created_by=staff, status=Opportunity.Status.CANCELLED)
    )

    with pytest.raises(services.ParticipationError, match="cancelled"):
        services.add_person_who_came(
            opportunity, by=staff, display_name="Pat New", email="pat@example.org"
        )

    assert not User.objects.filter(email="pat@example.org").exists()


def test_correcting_a_session_after_walk_ins_asks_for_no_more_places(staff, resident):
    opportunity = _full_session(staff)
    services.record_walk_in(opportunity, person=resident, by=staff)

    # Two people came to a session of one place: putting its times right still saves.
    services.update_opportunity(
        opportunity, by=staff, ends_at=opportunity.ends_at + timedelta(hours=1)
    )

    assert Opportunity.objects.get(pk=opportunity.pk).capacity == 1


def test_calls_about_a_place_they_waited_for_are_withdrawn_once_they_came(staff, resident):
    Profile.objects.create(
        user=resident, contact_by=Profile.ContactBy.POST_OR_PHONE, phone="01632 960 002"
    )
    opportunity = OpportunityFactory(created_by=staff, capacity=1)
    services.sign_up(opportunity, resident=UserFactory())
    services.sign_up(opportunity, resident=resident)
    _started(opportunity)
    services.tell_waiting_no_place_came_up()
    no_place = Message.objects.get(recipient=resident, kind="waiting_list_no_place")
    assert no_place.status == Message.Status.CALL_LIST

    services.record_walk_in(opportunity, person=resident, by=staff)

    no_place.refresh_from_db()
    assert no_place.status == Message.Status.WITHDRAWN
