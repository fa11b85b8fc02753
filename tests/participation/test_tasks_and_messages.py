import re
from datetime import timedelta

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from notifications.models import Message
from participation import services, tasks
from participation.models import Opportunity, Profile, SignUp, Venue

from .factories import OpportunityFactory

pytestmark = pytest.mark.django_db

MODELS = [Venue, Opportunity, SignUp, Profile]


def test_the_offer_sweep_is_scheduled_every_ten_minutes():
    task = PeriodicTask.objects.get(task="participation.tasks.expire_offers")

    assert task.enabled
    assert (task.interval.every, task.interval.period) == (10, "minutes")


def test_the_periodic_task_passes_expired_offers_on(make_residents):
    opportunity = OpportunityFactory(capacity=1)
    first, second, third = make_residents(3)
    booked = services.sign_up(opportunity, resident=first)
    services.sign_up(opportunity, resident=second)
    services.sign_up(opportunity, resident=third)
    services.cancel_sign_up(booked, by=first)
    SignUp.objects.filter(status=SignUp.Status.OFFERED).update(
        offer_expires_at=timezone.now() - timedelta(minutes=1)
    )

    assert tasks.expire_offers.delay().get() == 1
    assert tasks.expire_offers.delay().get() == 0

    assert SignUp.objects.get(resident=third).status == SignUp.Status.OFFERED


def test_every_message_reads_well(make_residents, staff):
    opportunity = OpportunityFactory(
        title="Carers' panel", created_by=staff, capacity=1, fee_basis="per_hour"
    )
    first, second, third = make_residents(3)
    booked = services.sign_up(opportunity, resident=first)
    services.sign_up(opportunity, resident=second)
    services.sign_up(opportunity, resident=third)
    services.cancel_sign_up(booked, by=first)
    services.expire_offers(now=timezone.now() + timedelta(hours=49))
    services.update_opportunity(
        opportunity,
        by=staff,
        starts_at=opportunity.starts_at + timedelta(days=1),
        ends_at=opportunity.ends_at + timedelta(days=1),
    )
    services.accept_offer(SignUp.objects.get(resident=third), by=third)
    Opportunity.objects.filter(pk=opportunity.pk).update(
        starts_at=timezone.now() - timedelta(hours=2), ends_at=timezone.now() - timedelta(hours=1)
    )
    opportunity.refresh_from_db()
    services.record_attendance(
        opportunity, by=staff, marks={SignUp.objects.get(resident=third).pk: "attended"}
    )
    later = OpportunityFactory(title="Reading group", created_by=staff)
    services.sign_up(later, resident=first)
    services.cancel_opportunity(later, by=staff, reason="The room is closed for repairs.")

    kinds = set(Message.objects.values_list("kind", flat=True))
    assert kinds == {
        "signup_confirmed",
        "waiting_list_joined",
        "place_offered",
        "offer_expired",
        "signup_cancelled",
        "opportunity_changed",
        "opportunity_cancelled",
        "claim_prompt",
        "outcome_survey",  # from the insight app, when attendance is recorded
    }
    for message in Message.objects.all():
        assert message.subject and message.body_text.startswith("Hello ")
        assert "None" not in message.body_text and "{{" not in message.body_text
        assert "  " not in message.subject
        # Times as the pages write them: "10am to 12:30pm", never "10:00 a.m.".
        assert "a.m." not in message.body_text and "p.m." not in message.body_text
    offered = Message.objects.get(kind="place_offered", recipient=third)
    assert re.search(r"holding the place for you until \w+day .+\. After that", offered.body_text)
    assert SignUp.objects.get(resident=third).get_absolute_url() in offered.body_text
    assert Message.objects.get(kind="signup_confirmed", recipient=third).attachments
    cancelled = Message.objects.get(kind="opportunity_cancelled")
    assert "The room is closed for repairs." in cancelled.body_text


def test_cancelling_messages_say_what_happened(client, make_residents, staff):
    opportunity = OpportunityFactory(title="Carers panel", created_by=staff, capacity=1)
    booked, waiting, phoned = make_residents(3)
    services.sign_up(opportunity, resident=booked)
    waiting_signup = services.sign_up(opportunity, resident=waiting)
    other = OpportunityFactory(title="Reading group", created_by=staff)
    services.sign_up(other, resident=phoned)
    client.force_login(waiting)

    left = client.post(reverse("participation:cancel", args=[waiting_signup.pk]), follow=True)
    services.cancel_sign_up(SignUp.objects.get(resident=phoned), by=staff)

    def told(person):
        return Message.objects.get(kind="signup_cancelled", recipient=person).body_text

    assert "You have left the waiting list for Carers panel" in left.text
    assert "You have left the waiting list for Carers panel" in told(waiting)
    assert "We have cancelled your place for Reading group" in told(phoned)
    assert "as you asked" not in told(phoned) and "If you did not expect this" in told(phoned)


def test_saying_no_to_an_offered_place_is_told_as_that_not_as_a_cancelled_place(
    make_residents,
):
    opportunity = OpportunityFactory(title="Carers panel", capacity=1)
    booked, offered = make_residents(2)
    place = services.sign_up(opportunity, resident=booked)
    services.sign_up(opportunity, resident=offered)
    services.cancel_sign_up(place, by=booked)  # the place is offered to the person waiting

    services.cancel_sign_up(SignUp.objects.get(resident=offered), by=offered)

    told = Message.objects.get(kind="signup_cancelled", recipient=offered).body_text
    assert "You have said no to the place we offered you for Carers panel" in told
    assert "You have cancelled your place" not in told
    # Never "while places are free": it may be full, and signing up joins the waiting list.
    assert "If all the places are taken, you will join the end of the waiting list" in told


def test_an_offer_that_ran_out_at_the_start_does_not_invite_a_sign_up(make_residents):
    opportunity = OpportunityFactory(capacity=1)
    first, second = make_residents(2)
    services.cancel_sign_up(services.sign_up(opportunity, resident=first), by=first)
    services.sign_up(opportunity, resident=first)  # a place for the second person to wait for
    services.sign_up(opportunity, resident=second)
    services.cancel_sign_up(SignUp.objects.get(resident=first), by=first)

    services.expire_offers(now=opportunity.starts_at + timedelta(minutes=1))

    expired = Message.objects.get(kind="offer_expired", recipient=second).body_text
    assert "could not keep it for you" in expired
    assert opportunity.get_absolute_url() not in expired


def test_the_call_list_drops_what_stopped_being_true_when_a_place_ends(make_residents, staff):
    opportunity = OpportunityFactory(created_by=staff, capacity=1)
    booked, offline, other_place = make_residents(3)
    Profile.objects.create(user=offline, contact_by=Profile.ContactBy.POST_OR_PHONE, phone="1")
    services.sign_up(opportunity, resident=booked)
    services.sign_up(opportunity, resident=offline)  # waiting: on the call list
    elsewhere = OpportunityFactory(created_by=staff)
    services.sign_up(elsewhere, resident=offline)  # a place somewhere else: still true
    services.cancel_sign_up(SignUp.objects.get(resident=booked), by=booked)  # offered to her

    def calls():
        return set(
            Message.objects.filter(recipient=offline, status=Message.Status.CALL_LIST).values_list(
                "kind", flat=True
            )
        )

    assert calls() == {"waiting_list_joined", "place_offered", "signup_confirmed"}
    services.expire_offers(now=timezone.now() + timedelta(hours=49))

    # The offer ran out: staff phone that, not "a place is free" or "you are on the list".
    assert calls() == {"offer_expired", "signup_confirmed"}
    withdrawn = Message.objects.filter(recipient=offline, status=Message.Status.WITHDRAWN)
    assert set(withdrawn.values_list("kind", flat=True)) == {"waiting_list_joined", "place_offered"}

    services.cancel_opportunity(elsewhere, by=staff, reason="The room flooded.")
    assert calls() == {"offer_expired", "opportunity_cancelled"}


@pytest.mark.parametrize("model", ["venue", "opportunity", "signup", "profile"])
def test_admins_can_list_and_search_participation_records(client, admin_user, model, opportunity):
    services.sign_up(opportunity, resident=admin_user)
    client.force_login(admin_user)

    response = client.get(reverse(f"admin:participation_{model}_changelist"), {"q": "a"})

    assert response.status_code == 200
    assert admin.site.is_registered({m._meta.model_name: m for m in MODELS}[model])


def test_a_title_that_asks_a_question_gets_no_full_stop_after_it(client, make_residents, staff):
    opportunity = OpportunityFactory(title="What would make short breaks easier?", created_by=staff)
    (resident,) = make_residents(1)
    services.sign_up(opportunity, resident=resident)

    confirmation = Message.objects.get(kind="signup_confirmed", recipient=resident)
    assert "at What would make short breaks easier?\n" in confirmation.body_text
    client.force_login(staff)
    page = client.get(reverse("participation:sign_up_person", args=[opportunity.pk]))
    assert "easier?</strong> Use this when" in page.content.decode()
    assert "?." not in confirmation.body_text + page.content.decode()
