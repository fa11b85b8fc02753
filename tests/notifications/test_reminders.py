from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail

from notifications.models import Message
from notifications.reminders import (
    morning_reminder_due,
    send_due_reminders,
    two_day_reminder_due,
)
from participation.models import Opportunity, Profile, SignUp
from tests.factories import UserFactory


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("starts_at", "two_day", "morning"),
    [
        # Winter (GMT = UTC).
        (utc(2026, 1, 15, 14), utc(2026, 1, 13, 9), utc(2026, 1, 15, 7)),
        # Summer (BST = UTC+1): 9am and 7am local are 8:00 and 6:00 UTC.
        (utc(2026, 7, 15, 13), utc(2026, 7, 13, 8), utc(2026, 7, 15, 6)),
        # Clocks go forward on Sunday 29 March 2026: the two-day reminder is on Saturday in
        # GMT, the morning one on Monday in BST.
        (utc(2026, 3, 30, 9), utc(2026, 3, 28, 9), utc(2026, 3, 30, 6)),
        # Clocks go back on Sunday 25 October 2026: Saturday is still BST, Monday is GMT.
        (utc(2026, 10, 26, 10), utc(2026, 10, 24, 8), utc(2026, 10, 26, 7)),
        # A session starting at 7:30am gets its on-the-day reminder an hour before.
        (utc(2026, 1, 15, 7, 30), utc(2026, 1, 13, 9), utc(2026, 1, 15, 6, 30)),
    ],
)
def test_reminders_are_due_at_uk_local_times(starts_at, two_day, morning):
    assert two_day_reminder_due(starts_at) == two_day
    assert morning_reminder_due(starts_at) == morning


@pytest.fixture
def booked(db):
    def make(starts_at, *, signed_up_at):
        staff = UserFactory()
        opportunity = Opportunity.objects.create(
            title="Carers' focus group",
            description="Tell us about respite care.",
            kind=Opportunity.Kind.FOCUS_GROUP,
            format=Opportunity.Format.IN_PERSON,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=2),
            capacity=10,
            status=Opportunity.Status.PUBLISHED,
            created_by=staff,
        )
        with time_machine.travel(signed_up_at, tick=False):
            return SignUp.objects.create(
                opportunity=opportunity, resident=UserFactory(), status=SignUp.Status.BOOKED
            )

    return make


def kinds_sent():
    return sorted(Message.objects.values_list("kind", flat=True))


def test_nothing_is_sent_before_the_two_day_point(booked, after_commit):
    booked(utc(2026, 3, 30, 9), signed_up_at=utc(2026, 3, 1))

    with time_machine.travel(utc(2026, 3, 28, 8, 59), tick=False):
        after_commit(send_due_reminders)

    assert kinds_sent() == []


def test_the_two_day_reminder_goes_at_9am_on_the_saturday_before_bst(booked, after_commit):
    booked(utc(2026, 3, 30, 9), signed_up_at=utc(2026, 3, 1))

    with time_machine.travel(utc(2026, 3, 28, 9, 0), tick=False):
        after_commit(send_due_reminders)
        send_due_reminders()  # the next run of the periodic task adds nothing

    assert kinds_sent() == ["reminder_two_days"]
    assert len(mail.outbox) == 1
    assert "Monday 30 March" in mail.outbox[0].subject


def test_the_morning_reminder_goes_at_7am_bst_after_the_clocks_change(booked, after_commit):
    booked(utc(2026, 3, 30, 9), signed_up_at=utc(2026, 3, 1))
    with time_machine.travel(utc(2026, 3, 28, 9, 0), tick=False):
        after_commit(send_due_reminders)

    with time_machine.travel(utc(2026, 3, 30, 5, 59), tick=False):
        after_commit(send_due_reminders)
    assert kinds_sent() == ["reminder_two_days"]

    with time_machine.travel(utc(2026, 3, 30, 6, 0), tick=False):  # 7am BST
        after_commit(send_due_reminders)
    assert kinds_sent() == ["reminder_on_the_day", "reminder_two_days"]
    assert mail.outbox[-1].subject.endswith(" at 10am")  # 9am UTC is 10am BST


def test_the_morning_reminder_goes_at_7am_gmt_after_the_clocks_go_back(booked, after_commit):
    booked(utc(2026, 10, 26, 10), signed_up_at=utc(2026, 10, 1))

    with time_machine.travel(utc(2026, 10, 26, 6, 59), tick=False):
        after_commit(send_due_reminders)
    assert "reminder_on_the_day" not in kinds_sent()

    with time_machine.travel(utc(2026, 10, 26, 7, 0), tick=False):
        after_commit(send_due_reminders)
    assert "reminder_on_the_day" in kinds_sent()


def test_a_worker_that_was_down_at_9am_still_sends_later_and_only_once(booked, after_commit):
    booked(utc(2026, 1, 15, 14), signed_up_at=utc(2026, 1, 1))

    with time_machine.travel(utc(2026, 1, 13, 16, 45), tick=False):
        after_commit(send_due_reminders)
    with time_machine.travel(utc(2026, 1, 13, 17, 0), tick=False):
        after_commit(send_due_reminders)

    assert kinds_sent() == ["reminder_two_days"]


def test_someone_who_signs_up_the_day_before_gets_no_two_day_reminder(booked, after_commit):
    booked(utc(2026, 1, 15, 14), signed_up_at=utc(2026, 1, 14, 12))

    with time_machine.travel(utc(2026, 1, 14, 12, 15), tick=False):
        after_commit(send_due_reminders)

    assert kinds_sent() == []


def test_someone_given_a_place_from_the_waiting_list_the_day_before_gets_no_two_day_reminder(
    booked, after_commit
):
    # Joined the waiting list weeks ago; a place came to them the day before.
    signup = booked(utc(2026, 1, 15, 14), signed_up_at=utc(2026, 1, 1))
    SignUp.objects.filter(pk=signup.pk).update(status_changed_at=utc(2026, 1, 14, 12))

    with time_machine.travel(utc(2026, 1, 14, 12, 15), tick=False):
        after_commit(send_due_reminders)

    assert kinds_sent() == []


def test_someone_who_books_on_the_morning_gets_their_confirmation_and_no_reminder(
    booked, after_commit
):
    # Booked at 10:55 for 2pm: the morning reminder was due at 7am, before the place was theirs.
    signup = booked(utc(2026, 1, 15, 14), signed_up_at=utc(2026, 1, 15, 10, 55))

    with time_machine.travel(utc(2026, 1, 15, 11), tick=False):
        after_commit(send_due_reminders)

    assert kinds_sent() == []
    assert not mail.outbox
    assert signup.status_changed_at == utc(2026, 1, 15, 10, 55)


def test_someone_given_a_place_from_the_waiting_list_on_the_morning_gets_no_reminder(
    booked, after_commit
):
    signup = booked(utc(2026, 1, 15, 14), signed_up_at=utc(2026, 1, 1))
    SignUp.objects.filter(pk=signup.pk).update(status_changed_at=utc(2026, 1, 15, 9, 30))

    with time_machine.travel(utc(2026, 1, 15, 9, 45), tick=False):
        after_commit(send_due_reminders)

    assert kinds_sent() == []


@pytest.mark.parametrize(
    ("kind", "due"),
    [
        ("reminder_two_days", utc(2026, 1, 13, 9)),
        ("reminder_on_the_day", utc(2026, 1, 15, 7)),
    ],
)
def test_a_reminder_goes_to_places_booked_before_it_was_due_and_not_after(
    booked, after_commit, kind, due
):
    before = booked(utc(2026, 1, 15, 14), signed_up_at=due - timedelta(minutes=1))
    after = booked(utc(2026, 1, 15, 14), signed_up_at=due + timedelta(minutes=1))

    with time_machine.travel(due + timedelta(minutes=30), tick=False):
        after_commit(send_due_reminders)

    assert [m.to for m in mail.outbox] == [[before.resident.email]]
    assert list(Message.objects.values_list("kind", "recipient")) == [(kind, before.resident_id)]
    assert not Message.objects.filter(recipient=after.resident).exists()


def test_cancelled_places_and_started_sessions_get_no_reminder(booked, after_commit):
    signup = booked(utc(2026, 1, 15, 14), signed_up_at=utc(2026, 1, 1))
    signup.status = SignUp.Status.CANCELLED
    signup.save()
    booked(utc(2026, 1, 15, 10), signed_up_at=utc(2026, 1, 1))

    with time_machine.travel(utc(2026, 1, 15, 11), tick=False):
        after_commit(send_due_reminders)

    assert kinds_sent() == []


def test_people_booked_on_a_session_whose_sign_up_has_closed_still_get_reminders(
    booked, after_commit
):
    # Closing stops new sign-ups once a session is full; those with places still come.
    signup = booked(utc(2026, 1, 15, 14), signed_up_at=utc(2026, 1, 1))
    Opportunity.objects.filter(pk=signup.opportunity_id).update(status=Opportunity.Status.CLOSED)
    cancelled = booked(utc(2026, 1, 15, 14), signed_up_at=utc(2026, 1, 1))
    Opportunity.objects.filter(pk=cancelled.opportunity_id).update(
        status=Opportunity.Status.CANCELLED
    )

    with time_machine.travel(utc(2026, 1, 15, 7, 5), tick=False):
        after_commit(send_due_reminders)

    assert kinds_sent() == ["reminder_on_the_day", "reminder_two_days"]


@pytest.mark.parametrize("information_format", ["standard", "easy_read"])
def test_reminders_send_people_to_their_own_place_where_they_can_cancel(
    booked, after_commit, information_format
):
    signup = booked(utc(2026, 1, 15, 14), signed_up_at=utc(2026, 1, 1))
    Profile.objects.create(user=signup.resident, format=information_format)

    with time_machine.travel(utc(2026, 1, 15, 7, 5), tick=False):
        after_commit(send_due_reminders)

    for message in Message.objects.all():
        assert f"{settings.SITE_URL}{signup.get_absolute_url()}" in message.body_text
        # The session's public page has no way to cancel a place.
        assert signup.opportunity.get_absolute_url() not in message.body_text


def test_the_morning_reminder_ends_its_sentence_after_the_time(booked, after_commit):
    booked(utc(2026, 1, 15, 14), signed_up_at=utc(2026, 1, 1))

    with time_machine.travel(utc(2026, 1, 15, 7, 5), tick=False):
        after_commit(send_due_reminders)

    today = Message.objects.get(kind="reminder_on_the_day").body_text
    assert "Your session is today: Carers' focus group. It starts at 2pm.\n" in today
