"""Demo payments: a policy with illustrative rates, and claims in every state.

Runs after the participation demo. It uses attended sign-ups of the demo residents on past
opportunities that pay something; if there are not enough, it records attendance on past
paying opportunities, or makes a few past sessions of its own. Every step checks what
exists first, so running it twice leaves the same data.
"""

import random
from datetime import date, datetime, time, timedelta

from django.db.models import F
from django.utils import timezone

from coprod_hub.lib.demo_clock import demo_clock
from coprod_hub.lib.working_days import WorkingDays
from coprod_hub.users.models import User
from notifications.models import Message
from participation.demo import HISTORY
from participation.models import Opportunity, SignUp
from projects.models import ServiceArea

from . import services
from .models import (
    Claim,
    ExpenseCategory,
    ExpenseRule,
    FeeRate,
    PaymentPolicy,
    PaymentRun,
    TaxiAgreement,
)

# Illustrative rates. The hourly fee went up on 1 April 2024, so old claims show the old rate.
FEE_RATES = [
    ("per_hour", 1800, date(2023, 4, 1)),
    ("per_hour", 2000, date(2024, 4, 1)),
    ("half_day", 5000, date(2024, 4, 1)),
    ("full_day", 9000, date(2024, 4, 1)),
    ("per_activity", 2500, date(2024, 4, 1)),
]
RULES_FROM = date(2024, 4, 1)
EXPENSE_RULES = {
    ExpenseCategory.PUBLIC_TRANSPORT: {"receipt_rule": "over", "receipt_over_pence": 500},
    ExpenseCategory.MILEAGE: {"rate_per_mile_pence": 45, "receipt_rule": "never"},
    ExpenseCategory.TAXI: {
        "cap_pence": 4000,
        "receipt_rule": "always",
        "needs_prior_agreement": True,
    },
    ExpenseCategory.PARKING: {
        "cap_pence": 1000,
        "receipt_rule": "over",
        "receipt_over_pence": 300,
    },
    ExpenseCategory.CARE_COVER: {"cap_pence": 10000, "receipt_rule": "always"},
    ExpenseCategory.CHILDCARE: {"cap_pence": 10000, "receipt_rule": "always"},
    ExpenseCategory.MEALS: {"cap_pence": 1000, "receipt_rule": "always"},
    ExpenseCategory.PHONE_DATA: {"cap_pence": 500, "receipt_rule": "never"},
}

# Each demo claim's story, in days before today: (resident email, the state it is left in,
# days since it was sent (None: never sent), days since a commissioner decided it). Between
# them every state appears, and the queue shows its flags. The paid ones went in the payment
# run made RUN_MADE days ago and paid PAID_ON days ago (or the working days before), so they
# took 19 and 26 days to pay, or a day or two more.
# Every claim is for a session at least SESSIONS_BEFORE days ago, so each was sent after the
# session it is for, and decided after it was sent.
DEMO_CLAIMS = [
    ("resident@example.org", Claim.Status.PAID, 22, 12),
    ("resident@example.org", Claim.Status.APPROVED, 9, 2),
    ("resident@example.org", Claim.Status.SUBMITTED, 32, None),
    ("resident@example.org", Claim.Status.DRAFT, None, None),
    ("carer@example.org", Claim.Status.PAID, 29, 20),
    ("carer@example.org", Claim.Status.RETURNED, 5, 2),
    ("carer@example.org", Claim.Status.REJECTED, 12, 8),
    ("carer@example.org", Claim.Status.SUBMITTED, 23, None),
]
RUN_MADE, PAID_ON = 5, 3
SESSIONS_BEFORE = 40
DRAFT_STARTED = 2  # days ago

RETURN_REASON = "Please say which bus you took, so we can check the fare."
# Rejected, not returned, because nothing in the claim can be changed to make it payable:
# the fee and fare it asks for (a fee and a bus fare, as every demo claim does) were paid in
# cash on the day, as the practice guide's "Paying expenses on the day" lesson describes.
REJECT_REASON = (
    "We paid your fee and your bus fare in cash at the end of this session, and you signed "
    "for them on the day. We cannot pay them twice."
)

# People at the sessions held before this year's (participation.demo.HISTORY) who claimed:
# this many from each session, paid in a run made soon after it.
HISTORY_CLAIMS_PER_SESSION = 2

# title, kind, fee basis, hours, topic (standing alone, each has its own).
DEMO_SESSIONS = [
    ("Carers' panel: short breaks", "panel", "half_day", 3, "carers"),
    ("Day services review workshop", "workshop", "per_hour", 2.5, "learning-disability"),
    ("Home care recruitment panel", "recruitment_panel", "full_day", 6, "home-care"),
    ("Online reading group: information leaflets", "reading_group", "per_activity", 1.5,
     "older-people"),
]  # fmt: skip


def _policy(commissioner, log):
    # The weekly fee check at Carer's Allowance's weekly earnings limit (2025 to 2026).
    PaymentPolicy.objects.get_or_create(pk=1, defaults={"weekly_fee_check_pence": 19_600})
    for basis, amount, starts_on in FEE_RATES:
        FeeRate.objects.get_or_create(
            basis=basis,
            starts_on=starts_on,
            defaults={"amount_pence": amount, "created_by": commissioner},
        )
    for category, fields in EXPENSE_RULES.items():
        ExpenseRule.objects.get_or_create(
            category=category,
            starts_on=RULES_FROM,
            defaults={**fields, "created_by": commissioner},
        )
    log("  Payment policy: £20 an hour, £50 half day, £90 full day, mileage 45p a mile")


def _paying_past_opportunities(now):
    # From midnight, so whether a session counts does not depend on the hour it is seeded.
    before = timezone.make_aware(
        datetime.combine(timezone.localdate(now) - timedelta(days=SESSIONS_BEFORE - 1), time.min)
    )
    return (
        Opportunity.objects.filter(ends_at__lt=before)
        .exclude(fee_basis=Opportunity.FeeBasis.NONE, pays_expenses=False)
        .exclude(status=Opportunity.Status.CANCELLED)
        .order_by("-starts_at", "pk")
    )


def _working_day(day, *, back=False):
    """`day`, or the nearest working day after it (before it, with `back`): finance makes
    and pays runs on working days."""
    working = WorkingDays()
    while day not in working:
        day += timedelta(days=-1 if back else 1)
    return day


def _moment(days_ago, hour, now):
    """`days_ago` days before today at `hour` o'clock, and never later than now."""
    day = timezone.localdate(now) - timedelta(days=days_ago)
    return min(timezone.make_aware(datetime.combine(day, time(hour, 0))), now)


def _demo_sessions(staff, now):
    """A few past sessions of our own, for when the participation demo made none."""
    made = []
    for index, (title, kind, basis, hours, topic) in enumerate(DEMO_SESSIONS):
        starts = (now - timedelta(days=45 + 14 * index)).replace(
            hour=10, minute=0, second=0, microsecond=0
        )
        opportunity, _ = Opportunity.objects.get_or_create(
            title=title,
            defaults={
                "description": "A session from earlier this year, kept for the demo.",
                "kind": kind,
                "topic": ServiceArea.objects.filter(slug=topic).first(),
                "format": Opportunity.Format.ONLINE
                if kind == "reading_group"
                else Opportunity.Format.IN_PERSON,
                "starts_at": starts,
                "ends_at": starts + timedelta(hours=hours),
                "capacity": 12,
                "fee_basis": basis,
                "pays_expenses": True,
                "status": Opportunity.Status.CLOSED,
                "created_by": staff,
            },
        )
        made.append(opportunity)
    return made


def _attended_signups(person, needed, staff, now):
    """The person's attended sign-ups on past paying sessions, most recent first, making
    more if needed."""
    signups = list(
        SignUp.objects.filter(
            resident=person,
            attendance=SignUp.Attendance.ATTENDED,
            opportunity__in=_paying_past_opportunities(now),
        ).order_by("-opportunity__starts_at", "pk")[:needed]
    )
    if len(signups) >= needed:
        return signups
    candidates = list(_paying_past_opportunities(now).exclude(signups__resident=person)[:needed])
    if len(candidates) < needed - len(signups):
        candidates += [
            o for o in _demo_sessions(staff, now) if not o.signups.filter(resident=person).exists()
        ]
    for opportunity in candidates[: needed - len(signups)]:
        signup, _ = SignUp.objects.get_or_create(
            opportunity=opportunity,
            resident=person,
            defaults={"status": SignUp.Status.BOOKED},
        )
        SignUp.objects.filter(pk=signup.pk).update(
            attendance=SignUp.Attendance.ATTENDED,
            attendance_recorded_at=opportunity.ends_at,
            attendance_recorded_by=staff,
            created_at=min(signup.created_at, opportunity.starts_at - timedelta(days=7)),
        )
        signup.refresh_from_db()
        signups.append(signup)
    return signups


def _fill_in(claim, person):
    services.update_claim_details(
        claim,
        by=person,
        payment_method=Claim.PaymentMethod.BANK_TRANSFER,
        employed_by_partner=False,
        not_part_of_paid_job=False,
    )
    # What taking part cost them: nobody travels to a session online or by phone.
    if claim.opportunity.nobody_travels:
        category, description, pence = ExpenseCategory.PHONE_DATA, "Mobile data for the call", 300
    else:
        category, description, pence = ExpenseCategory.PUBLIC_TRANSPORT, "Bus there and back", 460
    services.save_expense(
        claim,
        by=person,
        category=category,
        description=description,
        amount_pence=pence,
        miles=None,
    )
    return Claim.objects.get(pk=claim.pk)


def _make_claim(signup, state, sent, decided, *, person, commissioner, now):
    """One claim, each step taken on its day in the story (see DEMO_CLAIMS)."""
    started = DRAFT_STARTED if sent is None else sent
    with demo_clock(_moment(started, 19, now) - timedelta(minutes=20)):
        claim = services.start_claim(signup, by=person)
        claim = _fill_in(claim, person)
    if state == Claim.Status.DRAFT:
        return claim
    with demo_clock(_moment(sent, 19, now)):
        services.submit_claim(claim, by=person, benefits_acknowledged=True)
    if decided is None:
        return claim
    with demo_clock(_moment(decided, 11, now)):
        if state == Claim.Status.RETURNED:
            return services.return_claim(claim, by=commissioner, reason=RETURN_REASON)
        if state == Claim.Status.REJECTED:
            return services.reject_claim(claim, by=commissioner, reason=REJECT_REASON)
        return services.approve_claim(claim, by=commissioner)


def _pay_run(commissioner, made_at, paid_on):
    """Pay every approved claim waiting, in one run made at `made_at` and confirmed as paid
    on `paid_on`, as finance would."""
    if not Claim.objects.approved_unpaid_not_in_run().exists():
        return
    with demo_clock(made_at):
        run = services.create_payment_run(by=commissioner)
    confirmed = timezone.make_aware(datetime.combine(paid_on, time(16, 0)))
    with demo_clock(confirmed):
        services.confirm_payment_run(run, by=commissioner, paid_on=paid_on)


def _make_claims(plan, *, commissioner, now, log, states) -> int:
    made = 0
    for person, signup, state, sent, decided in plan:
        if state not in states or Claim.objects.filter(signup=signup).exists():
            continue
        try:
            _make_claim(
                signup, state, sent, decided, person=person, commissioner=commissioner, now=now
            )
        except services.PaymentError as problem:
            log(f"  Skipped a demo claim for {person}: {problem}")
            continue
        made += 1
    return made


def _history_claims(commissioner, now) -> int:
    """Claims from the sessions held before this year's demo ones: sent a few days after
    each session, approved a week or so later, and paid in a run soon after."""
    sessions = Opportunity.objects.filter(
        title__in=[spec[0] for spec in HISTORY], ends_at__lt=now
    ).order_by("starts_at")
    made = 0
    for session in sessions:
        if session.claims.exists():
            continue
        attended = session.signups.filter(attendance=SignUp.Attendance.ATTENDED)
        attended = list(attended.select_related("resident").order_by("resident__email"))
        pick = random.Random(session.title)  # the same story every time
        signups = pick.sample(attended, k=min(HISTORY_CLAIMS_PER_SESSION, len(attended)))
        held = (timezone.localdate(now) - timezone.localdate(session.ends_at)).days
        for signup in signups:
            sent = held - pick.randint(1, 6)
            try:
                _make_claim(
                    signup,
                    Claim.Status.APPROVED,
                    sent,
                    sent - pick.randint(3, 9),
                    person=signup.resident,
                    commissioner=commissioner,
                    now=now,
                )
            except services.PaymentError:
                continue  # the policy pays nothing for it
            made += 1
        # After the last of its claims was approved (at most 15 days after the session).
        run_made = _working_day(timezone.localdate(now) - timedelta(days=held - 16))
        _pay_run(
            commissioner,
            timezone.make_aware(datetime.combine(run_made, time(10, 0))),
            _working_day(run_made + timedelta(days=pick.randint(2, 6))),
        )
    return made


def _mark_past_messages_sent(since):
    """Messages about the demo's past events were sent when they happened, not when the demo
    was seeded: record them so, and send none of them now (delivery finds them sent)."""
    Message.objects.filter(
        status=Message.Status.PENDING,
        channel__in=[Message.Channel.EMAIL, Message.Channel.SMS],
        created_at__lt=since,
    ).update(
        status=Message.Status.SENT,
        attempts=1,
        sent_at=F("created_at"),
        next_attempt_at=F("created_at"),
    )


def seed(*, scale, log):
    now = timezone.now()
    commissioner = User.objects.get(email="commissioner@example.org")
    staff = User.objects.get(email="staff@example.org")
    _policy(commissioner, log)

    # Oldest first, so ledger lines, claims and payment runs are written in the order the
    # story happened.
    made = _history_claims(commissioner, now)
    plan = []
    for email in dict.fromkeys(email for email, *_ in DEMO_CLAIMS):
        person = User.objects.get(email=email)
        wanted = [story for e, *story in DEMO_CLAIMS if e == email]
        signups = _attended_signups(person, len(wanted), staff, now)
        plan += [(person, signup, *story) for signup, story in zip(signups, wanted, strict=False)]
    # Claims to be paid are approved first and paid in one run; the claims left approved
    # afterwards wait for the next run, as they would in real life.
    paid = {Claim.Status.PAID}
    made += _make_claims(plan, commissioner=commissioner, now=now, log=log, states=paid)
    today = timezone.localdate(now)
    run_made = _working_day(today - timedelta(days=RUN_MADE), back=True)
    if not PaymentRun.objects.filter(created_at__date__gte=run_made).exists():
        _pay_run(
            commissioner,
            timezone.make_aware(datetime.combine(run_made, time(10, 0))),
            _working_day(today - timedelta(days=PAID_ON), back=True),
        )
    others = set(Claim.Status) - paid
    made += _make_claims(plan, commissioner=commissioner, now=now, log=log, states=others)
    _mark_past_messages_sent(now)
    if made:
        log(f"  Claims: {made} demo claims, one in every state, and paid payment runs")
    else:
        log("  Claims: the demo claims are already there")
    _taxi(User.objects.get(email="resident@example.org"), staff, now, log)


def _taxi(person, staff, now, log):
    """A taxi agreed for one of the demo resident's coming sessions, so the place page, the
    staff taxi page and a later claim show how it looks."""
    if TaxiAgreement.objects.filter(signup__resident=person).exists():
        return
    places = SignUp.objects.filter(
        resident=person,
        status=SignUp.Status.BOOKED,
        opportunity__starts_at__gt=now,
        opportunity__pays_expenses=True,
        opportunity__status=Opportunity.Status.PUBLISHED,
    ).order_by("opportunity__starts_at")
    for place in places:
        try:
            services.agree_taxi(place, by=staff, note="There and back from home")
        except services.PaymentError:
            continue  # staff@ does not run that session, or the policy pays no taxis then
        log(f"  Taxis: agreed one for {person} to {place.opportunity.title}")
        return
