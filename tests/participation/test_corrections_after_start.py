"""Once a session has started, changes to it put the record right: nobody is told, closed
accounts are never told anything, and what payment rests on keeps its history."""

from datetime import timedelta

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.utils import timezone

from coprod_hub.users import privacy
from notifications.models import Message
from participation import services
from participation.models import Opportunity, SignUp

from .factories import OpportunityFactory, SignUpFactory
from .test_staff_pages import form_data, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def held_two_days_ago(staff, make_residents):
    """A session paid by the hour two days ago, which two people came to."""
    start = timezone.now() - timedelta(days=2)
    opportunity = OpportunityFactory(
        created_by=staff,
        title="Leaving hospital: interviews",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        fee_basis=Opportunity.FeeBasis.PER_HOUR,
    )
    for person in make_residents(2):
        SignUpFactory(opportunity=opportunity, resident=person, attendance="attended")
    return opportunity


def test_putting_right_the_times_of_a_session_that_took_place_tells_nobody(
    client, staff, held_two_days_ago
):
    two_days_ago = timezone.localdate() - timedelta(days=2)
    client.force_login(staff)

    response = client.post(
        url("edit", held_two_days_ago),
        form_data(
            day=two_days_ago,
            start_time="9am",
            end_time="1pm",
            title=held_two_days_ago.title,
            fee_basis="half_day",
        ),
    )

    assert response.status_code == 302
    held_two_days_ago.refresh_from_db()
    assert timezone.localtime(held_two_days_ago.ends_at).hour == 13
    assert not Message.objects.filter(kind="opportunity_changed").exists()


def test_a_session_moved_before_it_starts_is_still_news(staff, opportunity, resident):
    services.sign_up(opportunity, resident=resident)

    services.update_opportunity(
        opportunity, by=staff, ends_at=opportunity.ends_at + timedelta(hours=1)
    )

    assert Message.objects.filter(kind="opportunity_changed", recipient=resident).exists()


def test_changes_and_cancellations_never_go_to_closed_accounts(staff, opportunity, make_residents):
    opportunity.capacity = 2
    opportunity.save()
    still_here, closed_with_a_place, closed_while_waiting = make_residents(3)
    for person in (still_here, closed_with_a_place, closed_while_waiting):
        services.sign_up(opportunity, resident=person)
    assert SignUp.objects.get(resident=closed_while_waiting).status == SignUp.Status.WAITING
    # Closed by an administrator, say: their place and place in the queue stay.
    for person in (closed_with_a_place, closed_while_waiting):
        person.is_active = False
        person.save()

    services.update_opportunity(
        opportunity,
        by=staff,
        starts_at=opportunity.starts_at + timedelta(days=1),
        ends_at=opportunity.ends_at + timedelta(days=1),
    )
    services.cancel_opportunity(opportunity, by=staff, reason="The room flooded.")

    sent_to = set(
        Message.objects.filter(
            kind__in=["opportunity_changed", "opportunity_cancelled"]
        ).values_list("recipient_id", "kind")
    )
    assert sent_to == {
        (still_here.pk, "opportunity_changed"),
        (still_here.pk, "opportunity_cancelled"),
    }


def test_what_payment_rests_on_keeps_its_history_with_who_changed_it(
    staff, other_staff, held_two_days_ago
):
    ends_at = held_two_days_ago.ends_at

    with set_actor(other_staff):
        services.update_opportunity(
            held_two_days_ago,
            by=other_staff,
            ends_at=ends_at + timedelta(hours=2),
            fee_basis=Opportunity.FeeBasis.FULL_DAY,
            title="Leaving hospital: phone interviews",
        )

    entry = LogEntry.objects.get_for_object(held_two_days_ago).latest("pk")
    assert entry.actor == other_staff
    assert set(entry.changes_dict) == {"ends_at", "fee_basis"}  # not the words
    assert entry.changes_dict["fee_basis"] == ["per_hour", "full_day"]


def test_who_was_marked_as_coming_keeps_its_history_and_loses_the_name_on_erasure(
    staff, other_staff, held_two_days_ago
):
    first, second = held_two_days_ago.signups.order_by("pk")
    SignUp.objects.filter(pk__in=[first.pk, second.pk]).update(attendance="")
    services.record_attendance(
        held_two_days_ago, by=staff, marks={first.pk: "attended", second.pk: "no_show"}
    )
    services.record_attendance(held_two_days_ago, by=other_staff, marks={second.pk: "attended"})
    person = second.resident
    name = person.display_name

    changes = LogEntry.objects.get_for_object(second).filter(action=LogEntry.Action.UPDATE)
    trail = [(e.actor, e.changes_dict) for e in changes.order_by("pk")]
    assert trail == [
        (staff, {"attendance": ["", "no_show"], "attendance_recorded_by": [None, staff.pk]}),
        (
            other_staff,
            {
                "attendance": ["no_show", "attended"],
                "attendance_recorded_by": [staff.pk, other_staff.pk],
            },
        ),
    ]
    assert name in LogEntry.objects.get_for_object(second).first().object_repr

    privacy.erase(person)

    names = LogEntry.objects.get_for_object(second).values_list("object_repr", flat=True)
    assert set(names) == {f"Sign-up of erased person {person.pk}"}
