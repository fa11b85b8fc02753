"""A small world of records owned by particular people, for the permission matrix.

Everything "belongs" to `owner` (a resident) or to `owner_staff` (a project owner), so the
other roles see records owned by someone else.
"""

from datetime import timedelta
from types import SimpleNamespace

from django.utils import timezone

from coprod_hub.users.roles import Role
from tests.factories import UserFactory

ROLES = [
    "visitor",
    "resident",
    "other_resident",
    "staff",
    "team_staff",
    "commissioner",
    "moderator",
    "admin",
]


def build_world():
    from insight.tokens import survey_token
    from learning.models import Entry
    from learning.services import publish_entry, resolve_findings, submit_entry
    from notifications.models import Message
    from notifications.tokens import unsubscribe_token
    from participation.models import Opportunity, Profile, SignUp, Venue
    from participation.tokens import calendar_token
    from payments import services as payments
    from payments.models import Claim, FeeAdjustment, FeeRate, PaymentRun
    from projects.models import Project, ServiceArea, Update
    from tests.payments.factories import make_policy

    people = SimpleNamespace(
        resident=UserFactory(display_name="Rose Resident", roles=[Role.RESIDENT]),
        other_resident=UserFactory(display_name="Omar Other", roles=[Role.RESIDENT]),
        staff=UserFactory(display_name="Stan Staff", roles=[Role.STAFF]),
        team_staff=UserFactory(display_name="Tara Team", roles=[Role.STAFF]),
        owner_staff=UserFactory(display_name="Owen Owner", roles=[Role.STAFF]),
        commissioner=UserFactory(display_name="Cara Commissioner", roles=[Role.COMMISSIONER]),
        second_commissioner=UserFactory(display_name="Colm Second", roles=[Role.COMMISSIONER]),
        moderator=UserFactory(display_name="Mo Moderator", roles=[Role.MODERATOR]),
        admin=UserFactory(display_name="Ada Admin", roles=[], is_superuser=True, is_staff=True),
    )
    area = ServiceArea.objects.create(name="Carers", slug="carers")
    project = Project.objects.create(
        title="Short breaks for carers",
        slug="short-breaks",
        summary="Planning short breaks with carers.",
        service_area=area,
        level="service",
        owner=people.owner_staff,
        is_published=True,
        status=Project.Status.ACTIVE,
        claimed_step=7,
        evidenced_step=4,
        not_coproduction_reason="The budget decision is statutory.",
    )
    project.team.add(people.team_staff)
    update = project.updates.create(
        said="The forms are long.", did="We cut them.", posted_by=people.owner_staff
    )
    venue = Venue.objects.create(name="Library", address="1 High Street", step_free=True)
    now = timezone.now()
    upcoming = Opportunity.objects.create(
        project=project,
        title="Carers' workshop",
        description="Plan short breaks.",
        kind=Opportunity.Kind.WORKSHOP,
        format=Opportunity.Format.IN_PERSON,
        venue=venue,
        starts_at=now + timedelta(days=10),
        ends_at=now + timedelta(days=10, hours=2),
        capacity=10,
        status=Opportunity.Status.PUBLISHED,
        published_at=now,
        created_by=people.owner_staff,
        fee_basis=Opportunity.FeeBasis.PER_HOUR,
    )
    past = Opportunity.objects.create(
        project=project,
        title="Carers' panel",
        description="Talk about respite.",
        kind=Opportunity.Kind.PANEL,
        format=Opportunity.Format.IN_PERSON,
        venue=venue,
        starts_at=now - timedelta(days=7),
        ends_at=now - timedelta(days=7) + timedelta(hours=2),
        capacity=10,
        status=Opportunity.Status.CLOSED,
        published_at=now - timedelta(days=30),
        created_by=people.owner_staff,
        fee_basis=Opportunity.FeeBasis.PER_HOUR,
    )
    # A session standing alone, run by whoever made it, and its "we said, we did" update.
    standalone = Opportunity.objects.create(
        title="Drop-in at the day centre",
        description="Tell us about day services.",
        kind=Opportunity.Kind.DROP_IN,
        format=Opportunity.Format.IN_PERSON,
        venue=venue,
        starts_at=now - timedelta(days=5),
        ends_at=now - timedelta(days=5) + timedelta(hours=2),
        capacity=10,
        status=Opportunity.Status.CLOSED,
        published_at=now - timedelta(days=20),
        created_by=people.team_staff,
        not_coproduction_reason="The council decides what happens next.",
    )
    standalone_update = Update.objects.create(
        said="The room was noisy.", did="We moved rooms.", posted_by=people.team_staff
    )
    standalone_update.opportunities.set([standalone])
    profile = Profile.objects.create(user=people.resident, access_needs="Hearing loop")
    signup = SignUp.objects.create(
        opportunity=upcoming, resident=people.resident, status=SignUp.Status.BOOKED
    )
    # A hybrid session, where people say how they will join (participation:joining).
    hybrid = Opportunity.objects.create(
        project=project,
        title="Carers' forum",
        description="Talk about short breaks, in the room or online.",
        kind=Opportunity.Kind.MEETING,
        format=Opportunity.Format.HYBRID,
        venue=venue,
        online_details="https://meet.example/carers",
        starts_at=now + timedelta(days=12),
        ends_at=now + timedelta(days=12, hours=2),
        capacity=10,
        status=Opportunity.Status.PUBLISHED,
        published_at=now,
        created_by=people.owner_staff,
    )
    hybrid_signup = SignUp.objects.create(
        opportunity=hybrid,
        resident=people.resident,
        status=SignUp.Status.BOOKED,
        joining=SignUp.Joining.ONLINE,
    )
    attended = SignUp.objects.create(
        opportunity=past,
        resident=people.resident,
        status=SignUp.Status.BOOKED,
        attendance=SignUp.Attendance.ATTENDED,
    )
    other_attended = SignUp.objects.create(
        opportunity=past,
        resident=people.other_resident,
        status=SignUp.Status.BOOKED,
        attendance=SignUp.Attendance.ATTENDED,
    )

    make_policy(by=people.commissioner, starts_on=(now - timedelta(days=365)).date())
    # A taxi agreed for the resident's place: shown on their place page and the taxis page.
    payments.agree_taxi(signup, by=people.owner_staff, note="There and back from home")
    claim = payments.start_claim(attended, by=people.resident)
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.payments.conftest import PNG_BYTES

    receipt = payments.store_receipt(
        SimpleUploadedFile("ticket.png", PNG_BYTES, content_type="image/png"),
        owner=people.resident,
        by=people.resident,
        content_type="image/png",
    )
    payments.save_expense(
        claim,
        by=people.resident,
        category="public_transport",
        description="Bus",
        amount_pence=460,
        miles=None,
        receipt=receipt,
    )
    claim = Claim.objects.get(pk=claim.pk)
    line = claim.lines.filter(kind="expense").first()
    paid_claim = payments.start_claim(other_attended, by=people.other_resident)
    payments.update_claim_details(
        paid_claim,
        by=people.other_resident,
        payment_method=Claim.PaymentMethod.BANK_TRANSFER,
        employed_by_partner=False,
        not_part_of_paid_job=False,
    )
    paid_claim = payments.submit_claim(
        Claim.objects.get(pk=paid_claim.pk), by=people.other_resident, benefits_acknowledged=True
    )
    payments.approve_claim(paid_claim, by=people.second_commissioner)
    run = payments.create_payment_run(by=people.second_commissioner)
    # Its session's fee corrected down after approval: an overpayment for commissioners.
    overpayment = FeeAdjustment.objects.create(
        claim=paid_claim,
        kind=FeeAdjustment.Kind.OVERPAYMENT,
        amount_pence=1000,
        fee_before_pence=4000,
        fee_after_pence=3000,
        what_changed="The fee for the session was corrected to £30 for taking part.",
        created_by=people.owner_staff,
    )
    # And a top-up waiting for a commissioner's approval (another correction, up this time).
    top_up = FeeAdjustment.objects.create(
        claim=paid_claim,
        kind=FeeAdjustment.Kind.TOP_UP,
        amount_pence=1000,
        fee_before_pence=4000,
        fee_after_pence=5000,
        what_changed="The fee for the session was corrected to £50 for a half day.",
        created_by=people.owner_staff,
    )
    # An earlier overpayment a commissioner asked back, none of it received yet.
    asked_back = FeeAdjustment.objects.create(
        claim=paid_claim,
        kind=FeeAdjustment.Kind.OVERPAYMENT,
        amount_pence=500,
        fee_before_pence=4500,
        fee_after_pence=4000,
        what_changed="The fee for the session was corrected to £40 for taking part.",
        created_by=people.owner_staff,
        outcome=FeeAdjustment.Outcome.RECOVER,
        closed_at=timezone.now(),
        closed_by=people.second_commissioner,
        reason="Agreed with them.",
    )
    conflict = payments.declare_conflict(
        commissioner=people.second_commissioner, person=people.resident, reason="Neighbour"
    )
    future_rate = payments.add_fee_rate(
        by=people.commissioner,
        basis="per_hour",
        amount_pence=2200,
        starts_on=(now + timedelta(days=60)).date(),
    )

    waiting_entry = submit_entry(
        kind=Entry.Kind.LESSON,
        title="What we learned from the carers panel",
        text="Call Priya on 07700 900123 about the venue.",
        outcome=Entry.Outcome.MIXED,
    )
    published = submit_entry(
        kind=Entry.Kind.GOOD_PRACTICE,
        title="Quiet rooms help",
        text="A quiet room helped people take part.",
        outcome=Entry.Outcome.WENT_WELL,
    )
    resolve_findings(
        published,
        by=people.moderator,
        resolutions={f.pk: "redact" for f in published.findings.all()},
    )
    published = publish_entry(published, by=people.moderator)

    message = Message.objects.create(
        kind="signup_confirmed",
        category="sign_ups",
        event_key="matrix:1",
        recipient=people.resident,
        channel=Message.Channel.EMAIL,
        to_address=people.resident.email,
        subject="You have a place",
        body_text="See you there.",
        status=Message.Status.FAILED,
    )
    call = Message.objects.create(
        kind="signup_confirmed",
        category="sign_ups",
        event_key="matrix:2",
        recipient=people.other_resident,
        channel=Message.Channel.CALL_LIST,
        subject="You have a place",
        body_text="See you there.",
        status=Message.Status.CALL_LIST,
    )
    from insight.services import invite_to_survey

    invite_to_survey(attended)

    today = timezone.localdate()
    kwargs = {
        "projects:detail": {"slug": project.slug},
        "projects:edit": {"slug": project.slug},
        "projects:step": {"slug": project.slug},
        "projects:step_history": {"slug": project.slug},
        "projects:publish": {"slug": project.slug},
        "projects:update_create": {"slug": project.slug},
        "projects:update_correct": {"slug": project.slug, "pk": update.pk},
        "projects:update": {"pk": update.pk},
        "projects:update_correct_any": {"pk": standalone_update.pk},
        "projects:session_update_create": {"pk": standalone.pk},
        "participation:detail": {"pk": upcoming.pk},
        "participation:calendar": {"pk": upcoming.pk},
        "participation:sign_up": {"pk": upcoming.pk},
        "participation:signup": {"pk": signup.pk},
        "participation:cancel": {"pk": signup.pk},
        "participation:accept": {"pk": signup.pk},
        "participation:share_needs": {"pk": signup.pk},
        "participation:session_needs": {"pk": signup.pk},
        "participation:joining": {"pk": hybrid_signup.pk},
        "participation:personal_feed": {"token": calendar_token(profile)},
        "participation:edit": {"pk": upcoming.pk},
        "participation:copy": {"pk": upcoming.pk},
        "participation:publish": {"pk": upcoming.pk},
        "participation:close": {"pk": upcoming.pk},
        "participation:cancel_opportunity": {"pk": upcoming.pk},
        "participation:manage": {"pk": upcoming.pk},
        "participation:sign_up_person": {"pk": upcoming.pk},
        "participation:add_person": {"pk": upcoming.pk},
        "participation:came": {"pk": past.pk},
        "participation:message_group": {"pk": upcoming.pk},
        "participation:group_messages": {"pk": upcoming.pk},
        "participation:attendance": {"pk": past.pk},
        "participation:attendance_csv": {"pk": past.pk},
        "participation:venue_edit": {"pk": venue.pk},
        "payments:start": {"signup_pk": attended.pk},
        "payments:claim": {"pk": claim.pk},
        "payments:claim_details": {"pk": claim.pk},
        "payments:expense_add": {"pk": claim.pk},
        "payments:expense_change": {"pk": claim.pk, "line_pk": line.pk},
        "payments:expense_remove": {"pk": claim.pk, "line_pk": line.pk},
        "payments:submit": {"pk": claim.pk},
        "payments:delete": {"pk": claim.pk},
        "payments:receipt": {"pk": claim.pk, "line_pk": line.pk},
        "payments:approve": {"pk": paid_claim.pk},
        "payments:return": {"pk": paid_claim.pk},
        "payments:reject": {"pk": paid_claim.pk},
        "payments:correct": {"pk": paid_claim.pk},
        "payments:withdraw_approval": {"pk": paid_claim.pk},
        "payments:reopen": {"pk": paid_claim.pk},
        "payments:taxis": {"pk": upcoming.pk},
        "payments:policy_history": {"kind": "fees"},
        "payments:remove_scheduled": {"kind": "fees", "pk": future_rate.pk},
        "payments:withdraw_conflict": {"pk": conflict.pk},
        "payments:decide_overpayment": {"pk": overpayment.pk},
        "payments:decide_top_up": {"pk": top_up.pk},
        "payments:record_money_back": {"pk": asked_back.pk},
        "payments:stop_asking": {"pk": asked_back.pk},
        "payments:run": {"pk": run.pk},
        "payments:run_csv": {"pk": run.pk},
        "payments:confirm_run": {"pk": run.pk},
        "payments:cancel_run": {"pk": run.pk},
        "payments:take_out_of_run": {"pk": run.pk, "claim_pk": run.items.first().claim_id},
        "payments:payment_returned": {"pk": run.pk, "claim_pk": run.items.first().claim_id},
        "learning:moderate": {"pk": waiting_entry.pk},
        "learning:edit": {"pk": waiting_entry.pk},
        "learning:resolve": {"pk": waiting_entry.pk},
        "learning:decide": {"pk": waiting_entry.pk},
        "learning:withdraw": {"pk": published.pk},
        "learning:detail": {"slug": published.slug},
        "notifications:retry": {"pk": message.pk},
        "notifications:mark_called": {"pk": call.pk},
        "notifications:unsubscribe": {"token": unsubscribe_token(people.resident.pk, "updates")},
        "insight:we_project": {"slug": project.slug},
        "insight:we_rate": {
            "slug": project.slug,
            "year": today.year,
            "quarter": (today.month - 1) // 3 + 1,
        },
        "insight:survey": {"token": survey_token(attended)},
        "insight:survey_done": {"token": survey_token(attended)},
    }
    assert FeeRate.objects.exists() and PaymentRun.objects.exists()
    return people, kwargs
