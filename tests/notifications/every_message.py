"""Every kind of message, queued through the code that sends it in real life, with the
context it was queued with: what the tests in test_every_message.py read, as residents and
staff would.

`queue_every_kind()` takes a few seconds: it signs people up, moves a session, cancels it,
lowers a project's step, pays and corrects claims, posts an update, runs the alert and prompt
sweeps and moderates the practice guide."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import time_machine
from django.core import mail
from django.utils import timezone

from coprod_hub.users.roles import Role
from learning import services as learning
from learning.models import Entry
from notifications import channels
from notifications import services as notifications
from notifications.alerts import digest_due, send_immediate_alerts, send_weekly_digests
from notifications.kinds import category_for
from notifications.models import Message
from notifications.prompts import (
    prompt_commissioners_about_claims,
    prompt_for_overdue_updates,
    prompt_for_registers,
    prompt_moderators,
)
from notifications.reminders import send_due_reminders
from participation import services as participation
from participation.models import Opportunity, Profile, SignUp, Venue
from payments import services as payments
from payments.models import Claim, FeeAdjustment, PaymentRun
from payments.reminders import remind_about_returned_claims
from projects import services as projects
from projects.models import Project, ServiceArea
from tests.factories import UserFactory
from tests.payments.factories import claim_in_state, make_policy
from tests.projects.factories import CONSULTATION_EVIDENCE

UK = ZoneInfo("Europe/London")


@dataclass
class Rendered:
    """One kind's message in every form the hub can send it."""

    kind: str
    subject: str
    body: str  # the e-mail's words
    easy_read: str  # the easy read words (the e-mail's where the kind has none)
    has_easy_read: bool
    text_message: str  # what a text message says
    call_list: str  # what staff read out or post
    email_text: str  # the whole plain-text e-mail, footer included
    email_html: str
    for_residents: bool
    recipient_id: int | None


STAFF_KINDS = frozenset(
    {
        "staff_update_overdue",
        "moderation_overdue",
        "register_not_taken",
        "claims_waiting",
        "access_needs_changed",
        "access_needs_place_ended",
        "claims_nobody_may_decide",
        "access_needs_session_cancelled",
        "joining_changed",
    }
)


def _at(days_ahead: int, hour: int, minute: int = 0) -> datetime:
    day = timezone.localdate() + timedelta(days=days_ahead)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UK)


def _person(name, *, roles=(Role.RESIDENT,), **profile):
    person = UserFactory(display_name=name, roles=list(roles))
    if profile:
        interests = profile.pop("interests", ())
        made = Profile.objects.create(user=person, **profile)
        made.interests.set(interests)
    return person


def _build_world(run_on_commit):
    staff = _person("Sam Patel", roles=[Role.STAFF])
    commissioner = _person("Connor Hughes", roles=[Role.COMMISSIONER])
    moderator = _person("Mina Shah", roles=[Role.MODERATOR])
    carers, _ = ServiceArea.objects.get_or_create(slug="carers", defaults={"name": "Carers"})
    project = Project.objects.create(
        title="What do carers need from short breaks?",
        slug="short-breaks-every-message",
        summary="Planning short breaks with carers.",
        service_area=carers,
        level="service",
        owner=staff,
        is_published=True,
        status=Project.Status.ACTIVE,
        claimed_step=4,
        evidenced_step=4,
        not_coproduction_reason="The budget decision is statutory.",
    )
    venue = Venue.objects.create(
        name="Northfield Library",
        address="1 High Street\nNorthfield",
        postcode="AT1 1AA",
        step_free=True,
    )
    other_venue = Venue.objects.create(
        name="Town Hall", address="Market Square", postcode="AT1 2BB", step_free=True
    )

    def session(title, starts_at, **fields):
        defaults = {
            "project": project,
            "description": "Help us plan short breaks for carers.",
            "kind": Opportunity.Kind.WORKSHOP,
            "format": Opportunity.Format.IN_PERSON,
            "venue": venue,
            "starts_at": starts_at,
            "ends_at": starts_at + timedelta(hours=2),
            "capacity": 10,
            "fee_basis": Opportunity.FeeBasis.PER_HOUR,
            "pays_expenses": True,
            "contact_name": "Priya Shah",
            "contact_email": "priya.shah@anytown.example",
            "contact_phone": "01632 960 123",
            "status": Opportunity.Status.PUBLISHED,
            "published_at": timezone.now(),
            "created_by": staff,
        }
        return Opportunity.objects.create(title=title, **{**defaults, **fields})

    # Sign-ups, the waiting list, an offer that runs out, a move, a group message, a
    # place cancelled by staff and the session called off.
    panel = session("Short breaks: what works for carers?", _at(10, 10, 30), capacity=1)
    rita = _person("Rita Jones")
    wendy = _person("Wendy Clarke")
    booked = participation.sign_up(panel, resident=rita)
    waiting = participation.sign_up(panel, resident=wendy)
    participation.cancel_sign_up(booked, by=rita)
    waiting.refresh_from_db()
    participation.expire_offers(now=waiting.offer_expires_at + timedelta(minutes=1))
    olu = _person("Olu Adeyemi")
    participation.sign_up(panel, resident=olu)
    participation.sign_up(panel, resident=_person("Will Brown"))
    participation.update_opportunity(
        panel, by=staff, starts_at=_at(11, 14), ends_at=_at(11, 16), venue=other_venue
    )
    # What taking part offers changes too: said in words, with no new time for calendars.
    participation.update_opportunity(
        panel, by=staff, fee_basis=Opportunity.FeeBasis.NONE, refreshments=True
    )
    participation.message_group(
        panel,
        by=staff,
        token=uuid.uuid4(),
        subject="Parking at the Town Hall",
        text="Park at the back of the Town Hall. The front car park is closed on the day.",
        include_waiting=True,
    )
    dan = _person("Dan Green")
    other = session("Is the respite service working?", _at(12, 13), capacity=5)
    daniel = participation.sign_up(other, resident=dan)
    participation.cancel_sign_up(daniel, by=staff)
    participation.cancel_opportunity(panel, by=staff, reason="The speaker is ill.")

    # A full session starts with someone still on its waiting list: no place came up.
    cafe = session("Carers' café: what would help?", _at(30, 10), capacity=1)
    participation.sign_up(cafe, resident=_person("Fay Morris"))
    participation.sign_up(cafe, resident=_person("Gus Patel"))
    participation.tell_waiting_no_place_came_up(now=cafe.starts_at + timedelta(minutes=10))

    # Reminders: a hybrid session the day after tomorrow.
    soon = session(
        "Day services: are they working?",
        _at(2, 10),
        format=Opportunity.Format.HYBRID,
        online_details="Join on Zoom: https://zoom.example/j/123. Meeting code 123 456.",
        fee_basis=Opportunity.FeeBasis.NONE,
    )
    with time_machine.travel(_at(-1, 12)):
        rose = participation.sign_up(soon, resident=_person("Rose Taylor"), joining="online")
    send_due_reminders(now=_at(2, 8))
    # She adds what she needs for it: the staff running it are told to look, not what it is.
    participation.change_session_needs(rose, by=rose.resident, note="A seat near the door")
    # Someone who told us what they need cancels: the staff told of it hear that too.
    lena = participation.sign_up(
        soon,
        resident=_person("Lena Brooks"),
        access_needs_note="A BSL interpreter",
        joining="in_person",
    )
    participation.cancel_sign_up(lena, by=lena.resident)
    # A session with two people whose needs staff were told of is called off: staff get the
    # list of whose support to cancel.
    transport = session("Getting to day services: what helps?", _at(5, 10))
    for name, needs in [("Hari Singh", "A taxi from home"), ("Ivy Moss", "A BSL interpreter")]:
        participation.sign_up(transport, resident=_person(name), access_needs_note=needs)
    participation.cancel_opportunity(transport, by=staff, reason="The minibus is off the road.")

    # The project's honest step goes down: people booked on its sessions to come are told.
    projects.record_step(
        project,
        by=staff,
        claimed=3,
        evidence=CONSULTATION_EVIDENCE,
        reason="The law sets the budget, so carers can only hear what we decided.",
        note="We found the budget was set before carers were asked.",
    )

    # After a session: attendance gives the prompt to claim and the survey.
    past = session("Carers' lunch and chat", _at(-7, 11), status=Opportunity.Status.CLOSED)
    attender = _person("Amir Khan")
    attended = SignUp.objects.create(
        opportunity=past, resident=attender, status=SignUp.Status.BOOKED
    )
    participation.record_attendance(past, by=staff, marks={attended.pk: "attended"})

    # Claims, through every change a person hears about.
    make_policy()
    claimant = _person("Cara Evans")
    claim_in_state(claimant, status=Claim.Status.SUBMITTED)
    claim_in_state(claimant, status=Claim.Status.RETURNED, reviewer=commissioner)
    rejected = claim_in_state(claimant, status=Claim.Status.REJECTED, reviewer=commissioner)
    # Another commissioner looks again at the rejected claim and sends it back to change.
    rhea = _person("Rhea Cole", roles=[Role.COMMISSIONER])
    payments.reopen_claim(
        rejected,
        by=rhea,
        reason="We can pay your bus fare if you add the ticket.",
    )
    withdrawn = claim_in_state(claimant, status=Claim.Status.APPROVED, reviewer=commissioner)
    payments.withdraw_approval(
        withdrawn, by=commissioner, reason="We paid this session on another claim."
    )
    corrected = claim_in_state(claimant, status=Claim.Status.APPROVED, reviewer=commissioner)
    payments.correct_claim(
        corrected,
        by=commissioner,
        fee_pence=4000,
        expenses_pence=420,
        reason="Your bus ticket was £4.20, not £4.60.",
    )
    paid = claim_in_state(claimant, status=Claim.Status.PAID, reviewer=commissioner)
    run = PaymentRun.objects.get(pk=paid.payment_run_id)
    payments.record_payment_returned(
        run, paid, by=commissioner, reason="The bank account is closed."
    )

    # Staff correct a session's fee after people claimed: it was a full day, not two hours.
    # A claim not sent yet gets the new fee; two paid ones are owed more. One top-up is paid,
    # the other is not, then the fee is put back and the second is no longer owed.
    planning_day = session("Carers' planning day", _at(-14, 10), status=Opportunity.Status.CLOSED)

    def claim_for_planning_day(name, status):
        person = _person(name)
        place = SignUp.objects.create(
            opportunity=planning_day,
            resident=person,
            status=SignUp.Status.BOOKED,
            attendance=SignUp.Attendance.ATTENDED,
        )
        return claim_in_state(person, status=status, reviewer=commissioner, signup=place)

    claim_for_planning_day("Dev Rao", Claim.Status.DRAFT)
    claim_for_planning_day("Ella Grant", Claim.Status.PAID)
    topped_up_later = claim_for_planning_day("Finn Doyle", Claim.Status.PAID)
    participation.update_opportunity(
        planning_day, by=staff, fee_basis=Opportunity.FeeBasis.FULL_DAY
    )
    for top_up in FeeAdjustment.objects.filter(claim__opportunity=planning_day).order_by("pk"):
        payments.approve_top_up(top_up, by=commissioner)
    top_ups = payments.create_payment_run(by=commissioner)
    payments.take_out_of_run(
        top_ups, topped_up_later, by=commissioner, reason="The bank details are being checked."
    )
    payments.confirm_payment_run(top_ups, by=commissioner, paid_on=timezone.localdate())
    participation.update_opportunity(
        planning_day, by=staff, fee_basis=Opportunity.FeeBasis.PER_HOUR
    )
    # A half day that was really one activity, corrected after the claim was paid: a
    # commissioner asks for the difference back, part of it comes back, then they stop asking
    # for the rest.
    workshop = session(
        "Carers' budget workshop",
        _at(-21, 10),
        status=Opportunity.Status.CLOSED,
        fee_basis=Opportunity.FeeBasis.HALF_DAY,
    )
    gwen = _person("Gwen Hart")
    overpaid = claim_in_state(
        gwen,
        status=Claim.Status.PAID,
        reviewer=commissioner,
        signup=SignUp.objects.create(
            opportunity=workshop,
            resident=gwen,
            status=SignUp.Status.BOOKED,
            attendance=SignUp.Attendance.ATTENDED,
        ),
    )
    participation.update_opportunity(
        workshop, by=staff, fee_basis=Opportunity.FeeBasis.PER_ACTIVITY
    )
    asked_back = FeeAdjustment.objects.to_decide().get(claim=overpaid)
    payments.decide_overpayment(
        asked_back, by=commissioner, outcome="recover", reason="Finn agreed on the phone."
    )
    payments.record_money_back(
        asked_back, by=commissioner, amount_pence=500, received_on=timezone.localdate()
    )
    payments.stop_asking_for_money_back(
        asked_back, by=commissioner, reason="Paying the rest would be hard for Finn."
    )

    # Two weeks on, the returned claims are not sent again: the person is reminded.
    remind_about_returned_claims(now=timezone.now() + timedelta(weeks=2, days=1))

    # A taxi agreed for someone with a place, then withdrawn.
    walk_there = session("Carers' walk round the allotments", _at(9, 10, 30))
    taxi_place = participation.sign_up(walk_there, resident=_person("Tia Lewis"))
    agreement = payments.agree_taxi(taxi_place, by=staff, note="There and back from home.")
    payments.withdraw_taxi(agreement, by=staff)

    # A hybrid session: Kit, who told us what she needs, has a taxi agreed to come in person.
    # She then joins online (the taxi withdrawn: she and the staff are told), and comes in
    # person again (the staff told of her needs hear). Staff move Jo online for her, and her
    # taxi goes too. The session is full: Lou waits to join online, Max to come in person;
    # Kit cancels and Lou is offered her place.
    forum = session(
        "Carers' forum",
        _at(6, 10),
        format=Opportunity.Format.HYBRID,
        online_details="Join on Zoom: https://zoom.example/j/456.",
        capacity=2,
    )
    kit = participation.sign_up(
        forum,
        resident=_person("Kit Morgan"),
        joining="in_person",
        access_needs_note="A hearing loop",
    )
    payments.agree_taxi(kit, by=staff, note="From home.")
    participation.change_joining(kit, by=kit.resident, joining="online")
    participation.change_joining(kit, by=kit.resident, joining="in_person")
    jo = participation.sign_up(forum, resident=_person("Jo Walsh"), joining="in_person")
    payments.agree_taxi(jo, by=staff)
    participation.change_joining(jo, by=staff, joining="online")
    participation.sign_up(forum, resident=_person("Lou Baker"), joining="online")
    participation.sign_up(forum, resident=_person("Max Hill"), joining="in_person")
    participation.cancel_sign_up(kit, by=kit.resident)

    # "We said, we did" to everyone who took part in the project.
    run_on_commit(
        projects.post_update,
        project,
        by=staff,
        said="The booking form is too long.",
        did="We cut the form to one page.",
        next_steps="We will check in March whether it helped.",
    )

    # New opportunities for people who asked to hear about them.
    _person("Nina Fox", alert_frequency="immediately", interests=[carers])
    _person("Will Ward", alert_frequency="weekly", interests=[carers])
    session("Short breaks: what should change?", _at(20, 10), published_at=timezone.now())
    session("Carers' card: have your say", _at(21, 18, 30), published_at=timezone.now())
    send_immediate_alerts()
    # A digest lists what was published in the week before it is due (Monday 9am): run the
    # next one, an hour after it is due.
    next_digest = digest_due(timezone.now())
    if next_digest <= timezone.now():
        next_digest += timedelta(days=7)
    send_weekly_digests(now=next_digest + timedelta(hours=1))

    # Prompts for staff.
    quiet = session("Carers' forum", _at(-50, 10), status=Opportunity.Status.CLOSED)
    SignUp.objects.create(
        opportunity=quiet,
        resident=_person("Quentin Hall"),
        status=SignUp.Status.BOOKED,
        attendance=SignUp.Attendance.ATTENDED,
    )
    # The update posted above came before this session, so the owner is due a prompt.
    project.updates.all().update(posted_at=_at(-60, 9))
    prompt_for_overdue_updates()
    # Two weeks: more than 5 working days whatever bank holidays fall between.
    with time_machine.travel(timezone.now() - timedelta(days=14)):
        learning.submit_entry(
            kind=Entry.Kind.LESSON,
            title="Waiting for the moderator",
            text="It went well.",
            outcome=Entry.Outcome.WENT_WELL,
        )
    prompt_moderators()
    # Registers not taken: two of the owner's sessions in one message, and a session standing
    # alone for whoever made it.
    for title, days_ago in [("Carers' coffee morning", 3), ("Young carers: what helps?", 4)]:
        untaken = session(title, _at(-days_ago, 10), status=Opportunity.Status.CLOSED)
        for name in ("Tom Reid", "Ann Bell"):
            SignUp.objects.create(
                opportunity=untaken, resident=_person(name), status=SignUp.Status.BOOKED
            )
    walker = _person("Priya Shah", roles=[Role.STAFF])
    walk = session(
        "Walk and talk in the park",
        _at(-2, 14),
        project=None,
        status=Opportunity.Status.CLOSED,
        created_by=walker,
    )
    SignUp.objects.create(opportunity=walk, resident=_person("Ray Cole"), status="booked")
    prompt_for_registers()
    # Claims past the target days to pay, an approved claim in no payment run yet, and
    # claims returned over four weeks before and not sent again.
    claim_in_state(claimant, status=Claim.Status.APPROVED, reviewer=commissioner)
    prompt_commissioners_about_claims(now=timezone.now() + timedelta(days=40))

    # The only commissioners left who may decide someone's claim declare a conflict of
    # interest with them: the administrators hear that nobody may decide it.
    UserFactory(display_name="Ada Admin", roles=[], is_superuser=True, is_staff=True)
    stuck = claim_in_state(_person("Sid Morgan"), status=Claim.Status.SUBMITTED)
    for deciding in (commissioner, rhea):
        run_on_commit(
            payments.declare_conflict,
            commissioner=deciding,
            person=stuck.claimant,
            reason="My neighbour",
        )

    # What happened to something shared in the practice guide: signed in, and not.
    sharer = _person("Pat Morgan")
    for decision, extra in [
        ("publish", {}),
        ("return", {"note": "Please take out the name of the care home."}),
        ("reject", {"reason": "It is about one person's care, not about taking part."}),
    ]:
        for by_account in (True, False):
            entry = learning.submit_entry(
                kind=Entry.Kind.LESSON,
                title="Why did nobody come to our meeting?",
                text="We held it at 9am. Carers could not come before the school run.",
                outcome=Entry.Outcome.NOT_WELL,
                submitted_by=sharer if by_account else None,
                contact_email="" if by_account else "sharer@example.org",
            )
            learning.resolve_findings(
                entry,
                by=moderator,
                resolutions=dict.fromkeys(
                    entry.findings.values_list("pk", flat=True), "false_positive"
                ),
            )
            learning.decide(entry, by=moderator, decision=decision, **extra)


def queue_every_kind(django_capture_on_commit_callbacks) -> list[tuple[str, dict]]:
    """(kind, context) for every message queued: every kind the hub sends, some several
    times (to a person with a place and one waiting, say)."""
    contexts: list[tuple[str, dict]] = []
    original = notifications.render_message

    def recording(kind, context):
        contexts.append((kind, dict(context)))
        return original(kind, context)

    def run_on_commit(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    with mock.patch.object(notifications, "render_message", recording):
        _build_world(run_on_commit)
    return contexts


def render_every_part(kind: str, context: dict) -> Rendered:
    subject, body = notifications.render_message(kind, context)
    easy_read = notifications.body_in_format(kind, "easy_read.txt", context, body)
    recipient = context.get("recipient")
    message = Message(
        pk=1,
        kind=kind,
        category=category_for(kind),
        event_key="every-message",
        recipient=recipient,
        channel=Message.Channel.EMAIL,
        to_address=getattr(recipient, "email", "sharer@example.org"),
        subject=subject,
        body_text=body,
    )
    mail.outbox = []
    channels.send_email(message)
    email = mail.outbox[0]
    return Rendered(
        kind=kind,
        subject=subject,
        body=body,
        easy_read=easy_read,
        has_easy_read=easy_read != body,
        text_message=notifications.render_text_message(kind, context, email_body=body),
        call_list=notifications.render_call_list_message(kind, context, email_body=body),
        email_text=email.body,
        email_html=email.alternatives[0][0],
        for_residents=kind not in STAFF_KINDS,
        recipient_id=getattr(recipient, "pk", None),
    )
