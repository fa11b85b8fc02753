"""Claims nobody may decide that the check after commit never told anyone of (the process
stopped before it ran): the hourly check tells the administrators, once. Someone always hears:
administrators who stopped staff prompts still get it, and with no administrator at all an
error is logged and the pages say nobody was told."""

import logging

import pytest
from django.core import mail
from django.urls import reverse

from coprod_hub.celery import app
from notifications.models import Message
from payments import tasks
from payments.models import Claim, ConflictOfInterest
from payments.services import deciders
from tests.factories import UserFactory
from tests.notifications.test_always_sent import stop

from .factories import claim_in_state

pytestmark = pytest.mark.django_db

TOLD = "We have told the hub’s administrators"
NO_ADMINISTRATORS = "The hub has no administrators, so nobody has been told."


def _told(person=None):
    told = Message.objects.filter(kind=deciders.KIND)
    return told.filter(recipient=person) if person is not None else told


@pytest.fixture
def untold(policy, commissioner):
    """The only commissioner's own claim, sent, with the check after commit lost: these tests
    run each in one transaction that never commits, so it never runs."""
    return claim_in_state(commissioner)


def test_the_hourly_check_tells_the_administrators_of_a_claim_never_told(
    untold, admin_user, django_capture_on_commit_callbacks
):
    assert not _told().exists()

    with django_capture_on_commit_callbacks(execute=True):
        assert deciders.tell_of_every_claim_nobody_may_decide() == 1

    message = _told(admin_user).get()
    assert message.subject == f"No commissioner may decide claim {untold.reference}"
    assert message.status == Message.Status.SENT
    (email,) = [e for e in mail.outbox if e.subject == message.subject]
    assert email.to == [admin_user.email]


def test_the_hourly_check_never_tells_the_same_claim_twice(untold, admin_user):
    assert deciders.tell_of_every_claim_nobody_may_decide() == 1
    assert deciders.tell_of_every_claim_nobody_may_decide() == 0
    # Nor what the check after commit told already.
    assert deciders.tell_administrators(Claim.objects.filter(pk=untold.pk)) == 0

    assert _told(admin_user).count() == 1


def test_the_hourly_check_says_nothing_when_every_claim_was_told(
    policy, commissioner, resident, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        claim_in_state(commissioner)  # told after commit, as usual
    claim_in_state(resident)  # the commissioner may decide this one: nothing to tell

    assert deciders.tell_of_every_claim_nobody_may_decide() == 0
    assert _told().count() == 1


def test_the_hourly_check_tells_only_the_claims_not_yet_told(
    policy, commissioner, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        told = claim_in_state(commissioner)
    lost = claim_in_state(commissioner)

    assert deciders.tell_of_every_claim_nobody_may_decide() == 1

    latest = _told(admin_user).latest("pk")
    assert latest.subject == f"No commissioner may decide claim {lost.reference}"
    assert told.reference not in latest.body_text


def test_a_claim_stuck_again_by_a_new_conflict_is_told_again_by_the_hourly_check(
    policy, commissioner, resident, admin_user
):
    ConflictOfInterest.objects.create(commissioner=commissioner, person=resident, reason="Friend")
    claim_in_state(resident)
    assert deciders.tell_of_every_claim_nobody_may_decide() == 1
    # Someone given the role, who then declares a conflict too (its check after commit lost).
    newcomer = UserFactory(roles=["commissioner"])
    ConflictOfInterest.objects.create(commissioner=newcomer, person=resident, reason="Cousin")

    assert deciders.tell_of_every_claim_nobody_may_decide() == 1
    assert _told(admin_user).count() == 2


# Someone always hears.


def test_an_administrator_who_stopped_staff_prompts_still_hears(
    client, untold, admin_user, django_capture_on_commit_callbacks
):
    stop(client, admin_user, "staff")

    with django_capture_on_commit_callbacks(execute=True):
        deciders.tell_of_every_claim_nobody_may_decide()

    assert _told(admin_user).get().status == Message.Status.SENT
    (email,) = [e for e in mail.outbox if e.to == [admin_user.email]]
    assert (
        "We always send messages like this, even if you have stopped others, because someone "
        "is not paid until an administrator acts on it." in email.body
    )
    assert "/unsubscribe/" not in email.body


def test_with_no_administrator_an_error_is_logged_and_the_claim_waits_to_be_told(untold, caplog):
    UserFactory(roles=[], is_superuser=True, is_active=False)  # an account closed

    with caplog.at_level(logging.ERROR, logger="payments.services.deciders"):
        assert deciders.tell_of_every_claim_nobody_may_decide() == 0

    assert not _told().exists()
    (record,) = caplog.records
    assert record.levelno == logging.ERROR
    assert "there is no active administrator to tell" in record.getMessage()
    assert untold.reference in record.getMessage()

    # Whoever is made an administrator hears at the next check.
    admin = UserFactory(roles=[], is_superuser=True, is_staff=True)
    assert deciders.tell_of_every_claim_nobody_may_decide() == 1
    assert _told(admin).exists()


def test_with_no_administrator_the_pages_say_nobody_was_told(
    client, untold, commissioner, resident
):
    client.force_login(commissioner)

    queue = client.get(reverse("payments:review")).text
    claim_page = client.get(untold.get_absolute_url()).text

    for page in (queue, claim_page):
        assert NO_ADMINISTRATORS in page
        assert TOLD not in page
    assert "No admin to tell" in queue
    assert "An admin has been told" not in queue


@pytest.mark.usefixtures("caching_as_in_production")
def test_the_queue_says_who_was_told_as_soon_as_someone_is_made_an_administrator(
    client, settings, untold, commissioner
):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    client.force_login(commissioner)
    assert NO_ADMINISTRATORS in client.get(reverse("payments:review")).text

    person = UserFactory(roles=[])
    person.is_superuser = True
    person.save(update_fields=["is_superuser"])

    page = client.get(reverse("payments:review")).text
    assert TOLD in page and NO_ADMINISTRATORS not in page
    assert "An admin has been told" in page


def test_with_no_administrator_declaring_the_conflict_says_nobody_was_told(
    client, policy, commissioner, resident
):
    claim = claim_in_state(resident)
    client.force_login(commissioner)

    page = client.post(
        reverse("payments:conflicts"),
        {"email": resident.email, "reason": "My neighbour"},
        follow=True,
    ).text

    assert f"No commissioner may now decide this claim of theirs: {claim.reference}." in page
    # In the confirmation, and against the conflict listed.
    assert page.count(NO_ADMINISTRATORS) == 2
    assert TOLD not in page


def test_the_conflicts_page_says_the_administrators_were_told(
    client, policy, commissioner, resident, admin_user
):
    ConflictOfInterest.objects.create(commissioner=commissioner, person=resident, reason="Friend")
    claim_in_state(resident)
    claim_in_state(resident)
    client.force_login(commissioner)

    page = client.get(reverse("payments:conflicts")).text

    assert f"{TOLD}, so they can give the commissioner role to someone who may decide them." in page


# On the beat schedule.


def test_the_hourly_check_is_on_the_beat_schedule_and_runs(settings, untold, admin_user):
    (entry,) = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == tasks.tell_of_claims_nobody_may_decide.name
    ]
    assert len(entry["schedule"].hour) == 24 and len(entry["schedule"].minute) == 1  # hourly

    # Beat sends the task by its name: the worker knows it by that name, and it tells.
    assert app.tasks[entry["task"]].apply().get() == 1
    assert _told(admin_user).exists()
