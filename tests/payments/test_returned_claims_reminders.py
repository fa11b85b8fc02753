"""Returned claims are not forgotten: the person is reminded two and six weeks after we
returned their claim if they have not sent it again, and commissioners' daily prompt counts
claims returned over four weeks ago and not sent again."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from coprod_hub.users.roles import Role
from notifications import services as notifications
from notifications.kinds import Category
from notifications.models import Message
from notifications.prompts import prompt_commissioners_about_claims
from payments import services, tasks
from payments.models import Claim
from payments.reminders import remind_about_returned_claims
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _returned(make_claim, person, reviewer, *, weeks_ago, days=0):
    with time_machine.travel(timezone.now() - timedelta(weeks=weeks_ago, days=days)):
        return make_claim(person, status=Claim.Status.RETURNED, reviewer=reviewer)


def _reminders(person=None):
    found = Message.objects.filter(kind="claim_returned_reminder").order_by("pk")
    return found.filter(recipient=person) if person else found


def test_two_weeks_after_a_return_the_person_is_reminded_once(make_claim, resident, commissioner):
    claim = _returned(make_claim, resident, commissioner, weeks_ago=2, days=1)

    assert remind_about_returned_claims() == 1
    assert remind_about_returned_claims() == 0  # the next run that day, or a retry

    message = _reminders(resident).get()
    assert message.subject == f"Your claim {claim.reference} still needs changes"
    body = " ".join(message.body_text.split())
    assert "still needs changes. We cannot pay it until you change it and send it again." in body
    returned_on = timezone.localdate(claim.decided_at)
    assert f"On {returned_on:%-d %B %Y} we asked you to change this: Add a receipt" in body
    assert claim.get_absolute_url() in body


def test_nobody_is_reminded_sooner(make_claim, resident, commissioner):
    _returned(make_claim, resident, commissioner, weeks_ago=1, days=6)

    assert remind_about_returned_claims() == 0
    assert not _reminders().exists()


def test_six_weeks_after_it_they_are_reminded_again_and_then_no_more(
    make_claim, resident, commissioner
):
    _returned(make_claim, resident, commissioner, weeks_ago=2, days=1)
    remind_about_returned_claims()

    with time_machine.travel(timezone.now() + timedelta(weeks=4)):
        assert remind_about_returned_claims() == 1
        assert remind_about_returned_claims() == 0
    with time_machine.travel(timezone.now() + timedelta(weeks=10)):
        assert remind_about_returned_claims() == 0

    assert _reminders(resident).count() == 2


def test_a_claim_past_both_hears_only_the_later_reminder(make_claim, resident, commissioner):
    _returned(make_claim, resident, commissioner, weeks_ago=6, days=3)

    remind_about_returned_claims()

    assert _reminders(resident).get().event_key.endswith(":6-weeks")


def test_the_reminder_comes_even_to_someone_who_stopped_claim_messages(
    make_claim, resident, commissioner
):
    _returned(make_claim, resident, commissioner, weeks_ago=3)
    notifications.unsubscribe(resident.pk, Category.CLAIMS)

    remind_about_returned_claims()

    assert _reminders(resident).get().status == Message.Status.PENDING


def test_a_claim_sent_again_is_not_chased(make_claim, resident, commissioner):
    claim = _returned(make_claim, resident, commissioner, weeks_ago=3)
    services.submit_claim(claim, by=resident, benefits_acknowledged=True)

    assert remind_about_returned_claims() == 0


def test_a_claim_returned_again_is_chased_from_its_latest_return(
    make_claim, resident, commissioner
):
    claim = _returned(make_claim, resident, commissioner, weeks_ago=5)
    remind_about_returned_claims()  # the two-week reminder of the first return
    with time_machine.travel(timezone.now() - timedelta(weeks=1)):
        claim = services.submit_claim(claim, by=resident, benefits_acknowledged=True)
        services.return_claim(claim, by=commissioner, reason="Add the date of the bus ticket")

    assert remind_about_returned_claims() == 0  # returned again a week ago

    with time_machine.travel(timezone.now() + timedelta(weeks=1, days=1)):
        assert remind_about_returned_claims() == 1
    latest = _reminders(resident).last()
    assert "Add the date of the bus ticket" in latest.body_text


def test_a_reopened_claim_is_chased_too(make_claim, resident, commissioner):
    with time_machine.travel(timezone.now() - timedelta(weeks=2, days=1)):
        claim = make_claim(resident, status=Claim.Status.REJECTED, reviewer=commissioner)
        services.reopen_claim(
            claim, by=UserFactory(roles=[Role.COMMISSIONER]), reason="Add the bus ticket"
        )

    assert remind_about_returned_claims() == 1
    assert "Add the bus ticket" in _reminders(resident).get().body_text


def test_an_erased_person_is_not_reminded(make_claim, resident, commissioner):
    _returned(make_claim, resident, commissioner, weeks_ago=3)
    resident.is_active = False
    resident.save()

    assert remind_about_returned_claims() == 0


def test_the_reminders_run_every_day_on_the_beat_schedule(settings):
    (entry,) = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == tasks.remind_about_returned_claims.name
    ]

    assert entry["schedule"].day_of_week == set(range(7))
    assert len(entry["schedule"].hour) == 1 and len(entry["schedule"].minute) == 1


# --- The commissioners' daily prompt ------------------------------------------------------


def test_commissioners_hear_of_claims_returned_over_four_weeks_ago_and_not_sent_again(
    make_claim, resident, other_resident, commissioner
):
    _returned(make_claim, resident, commissioner, weeks_ago=4, days=1)
    _returned(make_claim, other_resident, commissioner, weeks_ago=5)
    _returned(make_claim, UserFactory(), commissioner, weeks_ago=3)  # not yet

    assert prompt_commissioners_about_claims() == 1

    message = Message.objects.get(kind="claims_waiting", recipient=commissioner)
    assert message.subject == "2 returned claims not sent again in 4 weeks"
    body = " ".join(message.body_text.split())
    assert (
        "2 claims were returned for changes more than 4 weeks ago and not sent again. "
        "The people may need help to change them."
    ) in body
    assert "/claims/review/?status=returned" in body
    assert "past the target" not in body and "payment run" not in body


def test_claims_returned_lately_are_left_to_the_person(make_claim, resident, commissioner):
    _returned(make_claim, resident, commissioner, weeks_ago=3, days=6)

    assert prompt_commissioners_about_claims() == 0


def test_a_returned_claim_sent_again_is_counted_as_waiting_not_as_returned(
    make_claim, resident, commissioner
):
    claim = _returned(make_claim, resident, commissioner, weeks_ago=6)
    services.submit_claim(claim, by=resident, benefits_acknowledged=True)

    prompt_commissioners_about_claims()

    body = Message.objects.get(kind="claims_waiting").body_text
    assert "- 1 past the target" in body
    assert "returned" not in body
