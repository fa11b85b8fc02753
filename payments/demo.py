"""Demo payments: a policy with illustrative rates, and claims in every state.

Runs after the participation demo. It uses attended sign-ups of the demo residents on past
opportunities that pay something; if there are not enough, it records attendance on past
paying opportunities, or makes a few past sessions of its own. Every step checks what
exists first, so running it twice leaves the same data.
"""

from datetime import date, timedelta

from django.utils import timezone

from coprod_hub.users.models import User
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

# (resident email, the state to leave the claim in, days the claim has been waiting or
# took to pay). Between them every state appears, and the queue shows its flags.
DEMO_CLAIMS = [
    ("resident@example.org", Claim.Status.PAID, 19),
    ("resident@example.org", Claim.Status.APPROVED, 9),
    ("resident@example.org", Claim.Status.SUBMITTED, 32),
    ("resident@example.org", Claim.Status.DRAFT, 0),
    ("carer@example.org", Claim.Status.PAID, 26),
    ("carer@example.org", Claim.Status.RETURNED, 5),
    ("carer@example.org", Claim.Status.REJECTED, 12),
    ("carer@example.org", Claim.Status.SUBMITTED, 23),
]

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
    return (
        Opportunity.objects.filter(starts_at__lt=now - timedelta(days=40))
        .exclude(fee_basis=Opportunity.FeeBasis.NONE, pays_expenses=False)
        .exclude(status=Opportunity.Status.CANCELLED)
        .order_by("-starts_at", "pk")
    )


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
    """The person's attended sign-ups on past paying sessions, making more if needed."""
    signups = list(
        SignUp.objects.filter(
            resident=person,
            attendance=SignUp.Attendance.ATTENDED,
            opportunity__in=_paying_past_opportunities(now),
        ).order_by("opportunity__starts_at", "pk")[:needed]
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
    services.save_expense(
        claim,
        by=person,
        category=ExpenseCategory.PUBLIC_TRANSPORT,
        description="Bus there and back",
        amount_pence=460,
        miles=None,
    )
    return Claim.objects.get(pk=claim.pk)


def _backdate_sending(claim, days_ago, now):
    # Demo claims are sent "now" by the services; move the date back so ages and days to
    # pay look like a real month's work.
    sent_at = now - timedelta(days=days_ago)
    Claim.objects.filter(pk=claim.pk).update(submitted_at=sent_at, first_submitted_at=sent_at)


def _make_claim(signup, state, days, *, person, commissioner, now):
    claim = services.start_claim(signup, by=person)
    claim = _fill_in(claim, person)
    if state == Claim.Status.DRAFT:
        return claim
    services.submit_claim(claim, by=person, benefits_acknowledged=True)
    # A paid claim took `days` to pay, and was paid three days ago.
    _backdate_sending(claim, days + 3 if state == Claim.Status.PAID else days, now)
    if state == Claim.Status.RETURNED:
        return services.return_claim(
            claim,
            by=commissioner,
            reason="Please say which bus you took, so we can check the fare.",
        )
    if state == Claim.Status.REJECTED:
        return services.reject_claim(
            claim,
            by=commissioner,
            reason="This session was part of your paid work with the carers' centre, so we "
            "cannot pay a fee for it as well.",
        )
    if state in (Claim.Status.APPROVED, Claim.Status.PAID):
        return services.approve_claim(claim, by=commissioner)
    return claim


def _paid_run(commissioner, now):
    """Pay every approved claim waiting, in one confirmed payment run made last week."""
    if PaymentRun.objects.filter(status=PaymentRun.Status.PAID).exists():
        return
    if not Claim.objects.approved_unpaid_not_in_run().exists():
        return
    run = services.create_payment_run(by=commissioner)
    PaymentRun.objects.filter(pk=run.pk).update(created_at=now - timedelta(days=5))
    run.refresh_from_db()
    services.confirm_payment_run(
        run, by=commissioner, paid_on=timezone.localdate(now) - timedelta(days=3)
    )


def _make_claims(plan, *, commissioner, now, log, states) -> int:
    made = 0
    for person, signup, state, days in plan:
        if state not in states or Claim.objects.filter(signup=signup).exists():
            continue
        try:
            _make_claim(signup, state, days, person=person, commissioner=commissioner, now=now)
        except services.PaymentError as problem:
            log(f"  Skipped a demo claim for {person}: {problem}")
            continue
        made += 1
    return made


def seed(*, scale, log):
    now = timezone.now()
    commissioner = User.objects.get(email="commissioner@example.org")
    staff = User.objects.get(email="staff@example.org")
    _policy(commissioner, log)

    plan = []
    for email in dict.fromkeys(email for email, _, _ in DEMO_CLAIMS):
        person = User.objects.get(email=email)
        wanted = [(state, days) for e, state, days in DEMO_CLAIMS if e == email]
        signups = _attended_signups(person, len(wanted), staff, now)
        plan += [
            (person, signup, state, days)
            for signup, (state, days) in zip(signups, wanted, strict=False)
        ]
    # Claims to be paid are approved first and paid in one run; the claims left approved
    # afterwards wait for the next run, as they would in real life.
    paid = {Claim.Status.PAID}
    made = _make_claims(plan, commissioner=commissioner, now=now, log=log, states=paid)
    _paid_run(commissioner, now)
    others = set(Claim.Status) - paid
    made += _make_claims(plan, commissioner=commissioner, now=now, log=log, states=others)
    if made:
        log(f"  Claims: {made} demo claims, one in every state, and a paid payment run")
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
