"""Every table holding a person's data is covered by "download my data" and "delete my account".

The registries below say, for every column that points at a person's account and every
column that holds personal data some other way (an address, a name, words quoted in the
audit trail), what erasing the account does with it. The first tests fail when a model or
field is added without being listed here, so a new table cannot be forgotten: list it, and
make the `<app>/privacy.py` of its app export and erase it as the list says.

The last test builds one person with a row in every such table, downloads their data, erases
the account through the real page, and then looks through every text column of every table
for anything that still names them.
"""

import io
import json
import re
import uuid
import zipfile
from datetime import date

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.apps import apps
from django.contrib.admin.models import CHANGE
from django.contrib.admin.models import LogEntry as AdminLogEntry
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coprod_hub.audit import log_access
from coprod_hub.users import privacy
from coprod_hub.users.roles import Role
from coprod_hub.users.services import keep_email_on_record
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

# What erasing does with a row or column.
DELETED = "deleted"
BLANKED = "kept, with the words about the person blanked"
UNLINKED = "kept, no longer linked to the person (set to null)"
FINANCIAL = "kept for the financial retention period, pointing at the pseudonymous account"
PSEUDONYMOUS = "kept, pointing at the pseudonymous account; nothing in it names them"
STAFF_RECORD = "staff work record kept (the person was acting as staff)"
AUDIT = "audit trail kept: who did what stays, their name and typed words go"
NOT_THEIRS = "not linked to any account: not a person's data to erase"

# Every column that points at an account: (model, field) -> what erasing the person does.
# Many-to-many fields appear as their through table's foreign key (e.g. "Project_team").
ACCOUNT_LINKS = {
    # --- The account itself (coprod_hub/users/privacy.py). The row stays as the pseudonym
    # that kept records point to: email, name and password replaced, roles removed.
    ("users.User_groups", "user"): DELETED,
    ("users.User_user_permissions", "user"): DELETED,
    ("account.EmailAddress", "user"): DELETED,
    # Entries about the account lose their name and changes; entries by it lose the email.
    ("auditlog.LogEntry", "actor"): AUDIT,
    # Django's admin history: who changed what in the admin. Entries about the person's own
    # records lose the name they quote (object_repr).
    ("admin.LogEntry", "user"): STAFF_RECORD,
    # --- Projects (projects/privacy.py): the council's work.
    ("projects.Project", "owner"): STAFF_RECORD,
    # Membership of a closed project's team records who did the work; they leave the teams of
    # projects still running. The trail of team changes, which quotes members by name, no
    # longer names them.
    ("projects.Project_team", "user"): STAFF_RECORD,
    ("projects.StepChange", "changed_by"): STAFF_RECORD,
    ("projects.Update", "posted_by"): STAFF_RECORD,
    ("projects.Update", "corrected_by"): STAFF_RECORD,
    # --- Participation (participation/privacy.py).
    ("participation.Opportunity", "created_by"): STAFF_RECORD,
    # Sessions attended, and those a sent claim points to, stay (attendance still counts in
    # insight), without the access needs note; the rest are deleted, future places freed.
    ("participation.SignUp", "resident"): BLANKED,
    ("participation.SignUp", "signed_up_by"): STAFF_RECORD,
    ("participation.SignUp", "attendance_recorded_by"): STAFF_RECORD,
    # Who cancelled a place: staff (their reason is blanked with the person's other words
    # when the person is erased), or the person, whose account becomes the pseudonym.
    ("participation.SignUp", "cancelled_by"): STAFF_RECORD,
    ("participation.GroupMessage", "sent_by"): STAFF_RECORD,
    # Access needs (special category data), phone, postal address, preferences.
    ("participation.Profile", "user"): DELETED,
    # --- Payments (payments/privacy.py). Money records stay for the retention period
    # (coprod_hub/retention.py) without the words typed about the person; drafts go.
    ("payments.PaymentPolicy", "updated_by"): STAFF_RECORD,
    ("payments.FeeRate", "created_by"): STAFF_RECORD,
    ("payments.ExpenseRule", "created_by"): STAFF_RECORD,
    # Declarations stay, so a commissioner still may not decide the person's claims, but not
    # why (it says how they know each other), nor their names in the audit trail.
    ("payments.ConflictOfInterest", "commissioner"): BLANKED,
    ("payments.ConflictOfInterest", "person"): BLANKED,
    # Receipts of sent claims are the evidence for a payment: kept, renamed "receipt".
    # Those on drafts, or never used, are deleted with their files.
    ("payments.Receipt", "owner"): FINANCIAL,
    ("payments.Receipt", "uploaded_by"): FINANCIAL,
    ("payments.Claim", "claimant"): FINANCIAL,
    ("payments.Claim", "started_by"): FINANCIAL,  # the person, or staff on their behalf
    ("payments.Claim", "submitted_by"): FINANCIAL,
    ("payments.Claim", "decided_by"): STAFF_RECORD,
    ("payments.ClaimEvent", "actor"): FINANCIAL,
    ("payments.PaymentRun", "created_by"): STAFF_RECORD,
    ("payments.PaymentRun", "confirmed_by"): STAFF_RECORD,
    ("payments.PaymentRun", "cancelled_by"): STAFF_RECORD,
    ("payments.PaymentRunItem", "taken_out_by"): STAFF_RECORD,
    ("payments.LedgerEntry", "person"): FINANCIAL,  # immutable; erasing blanks only its note
    ("payments.LedgerEntry", "created_by"): STAFF_RECORD,
    # Taxis staff agreed for someone's place. One agreed for the person keeps who agreed it,
    # without its note (it can say where they live); one for a place deleted goes with it.
    # A session's fee corrected after claims were approved or paid: who corrected it, and
    # who closed or decided the top-up or overpayment, are staff records; what a commissioner
    # typed about the person deciding it is blanked with their other words.
    ("payments.FeeAdjustment", "created_by"): STAFF_RECORD,
    ("payments.FeeAdjustment", "closed_by"): STAFF_RECORD,
    ("payments.FeeAdjustment", "approved_by"): STAFF_RECORD,
    ("payments.FeeAdjustment", "stopped_asking_by"): STAFF_RECORD,
    ("payments.TaxiAgreement", "agreed_by"): STAFF_RECORD,
    ("payments.TaxiAgreement", "withdrawn_by"): STAFF_RECORD,
    # --- The practice guide (learning/privacy.py). Entries not yet decided are deleted (they
    # may hold the person's own details); decided ones hold only the redacted words.
    ("learning.Entry", "submitted_by"): UNLINKED,
    ("learning.Finding", "resolved_by"): STAFF_RECORD,
    ("learning.ModerationEvent", "by"): STAFF_RECORD,
    # --- Messages (notifications/privacy.py).
    # (Messages to other people that name them as the staff member writing stay: those
    # people's own correspondence, its text blanked after 90 days by coprod_hub/retention.py.)
    ("notifications.Message", "recipient"): DELETED,
    ("notifications.Unsubscribe", "user"): DELETED,
    # --- Insight (insight/privacy.py). Survey ratings stay as numbers on the pseudonymous
    # sign-up (through SurveyResponse.signup), their comments go.
    ("insight.WeAssessment", "assessed_by"): STAFF_RECORD,
    ("insight.EqualityMonitoring", "person"): DELETED,
}

# Columns that hold personal data with no link to an account, or look as if they might:
# every email, phone, address, name and IP address column (found by type and name), and the
# columns that quote people. (model, field) -> what erasing does with it.
OTHER_PERSONAL_DATA = {
    # The account's own details, replaced by a pseudonym.
    ("users.User", "email"): PSEUDONYMOUS,
    ("users.User", "display_name"): PSEUDONYMOUS,
    ("account.EmailAddress", "email"): DELETED,  # every address they had, with its row
    # Signed-in sessions hold the account id until they expire: deleted.
    ("sessions.Session", "session_data"): DELETED,
    # The audit trail quotes old values (their email, their name) and names people in
    # object_repr and in the members of many-to-many changes.
    ("auditlog.LogEntry", "actor_email"): AUDIT,
    ("auditlog.LogEntry", "remote_addr"): AUDIT,  # not recorded (AUDITLOG_DISABLE_REMOTE_ADDR)
    ("auditlog.LogEntry", "object_repr"): AUDIT,
    ("auditlog.LogEntry", "changes"): AUDIT,
    ("auditlog.LogEntry", "changes_text"): AUDIT,
    ("admin.LogEntry", "object_repr"): AUDIT,
    ("participation.Profile", "phone"): DELETED,
    ("participation.Profile", "postal_address"): DELETED,
    ("payments.Receipt", "original_name"): BLANKED,  # a file name can be anything: "receipt"
    # Someone who shared in the guide without signing in and left an address: their entries
    # awaiting moderation and the messages waiting to go to that address are deleted.
    ("learning.Entry", "contact_email"): DELETED,
    ("notifications.Message", "to_address"): DELETED,
    # The public contact for a project or session: a work address staff chose to publish.
    ("projects.Project", "contact_name"): STAFF_RECORD,
    ("projects.Project", "contact_email"): STAFF_RECORD,
    ("projects.Project", "contact_phone"): STAFF_RECORD,
    ("participation.Opportunity", "contact_name"): STAFF_RECORD,
    ("participation.Opportunity", "contact_email"): STAFF_RECORD,
    ("participation.Opportunity", "contact_phone"): STAFF_RECORD,
    # Names and addresses of things, not people.
    ("auth.Group", "name"): NOT_THEIRS,
    ("auth.Permission", "name"): NOT_THEIRS,
    ("django_celery_beat.PeriodicTask", "name"): NOT_THEIRS,
    ("projects.ServiceArea", "name"): NOT_THEIRS,
    ("participation.Venue", "name"): NOT_THEIRS,
    ("participation.Venue", "address"): NOT_THEIRS,
    ("participation.Venue", "postcode"): NOT_THEIRS,
    ("payments.PaymentPolicy", "advice_name"): NOT_THEIRS,
    ("payments.PaymentPolicy", "advice_phone"): NOT_THEIRS,
}
# Columns always listed above, whatever their name: they quote people.
QUOTING_COLUMNS = {
    ("sessions.Session", "session_data"),
    ("auditlog.LogEntry", "object_repr"),
    ("auditlog.LogEntry", "changes"),
    ("auditlog.LogEntry", "changes_text"),
    ("admin.LogEntry", "object_repr"),
}
PERSONAL_WORDS = {"email", "phone", "address", "addr", "postcode", "name", "ip"}


def _label(model) -> str:
    return model._meta.label


def columns_pointing_at_accounts() -> set[tuple[str, str]]:
    User = get_user_model()
    return {
        (_label(model), field.name)
        for model in apps.get_models(include_auto_created=True)
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is User
    }


def columns_that_look_personal() -> set[tuple[str, str]]:
    found = set(QUOTING_COLUMNS)
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.is_relation:
                continue
            looks_personal = PERSONAL_WORDS & set(field.name.split("_"))
            if (
                isinstance(field, models.EmailField | models.GenericIPAddressField)
                or looks_personal
            ):
                found.add((_label(model), field.name))
    return found


def test_every_column_pointing_at_an_account_says_what_erasing_does_with_it():
    found = columns_pointing_at_accounts()

    assert found - ACCOUNT_LINKS.keys() == set(), (
        "New columns point at a person's account. Add them to ACCOUNT_LINKS, and make their "
        "app's privacy.py export and erase them as it says."
    )
    assert ACCOUNT_LINKS.keys() - found == set(), "Listed in ACCOUNT_LINKS, but gone"


def test_every_column_holding_an_address_name_or_phone_says_what_erasing_does_with_it():
    found = columns_that_look_personal()

    assert found - OTHER_PERSONAL_DATA.keys() == set(), (
        "New columns look as if they hold personal data. Add them to OTHER_PERSONAL_DATA, and "
        "make their app's privacy.py export and erase them as it says."
    )
    assert OTHER_PERSONAL_DATA.keys() - found == set(), "Listed in OTHER_PERSONAL_DATA, but gone"


# --- One person with a row in every table -----------------------------------------------------

OLD_NAME, NAME = "Zebedee Quillfeather", "Zebedee Quartermaine"
OLD_EMAIL, EMAIL = "zeb.quillfeather@example.org", "zeb.quartermaine@example.org"
PHONE = "07700 900987"
ADDRESS = "14 Larkspur Close\nAnytown"
NEEDS = "A portable hoist, and a seat for my carer"
SESSION_NOTE = "I bring my assistance dog, Biscuit"
BEHALF_NOTE = "Rang us from the Primrose hospice"
LINE_DESCRIPTION = "Bus from 12 Acacia Road"
RECEIPT_NAME = "Quartermaine bus ticket.png"
RETURN_REASON = "Add a photo of the Gorseway bus pass"
CONFLICT_REASON = "My sister-in-law, from Thistledown"
TAXI_NOTE = "Pick up at the Bramblewood gate"
FEE_REASON = "Told them at the Hollyhock cafe: we will not ask for it back"
SURVEY_COMMENT = "The tea urn whistled all through the meeting."
WAITING_ENTRY = "Lunch at Juniper Lodge"
ADDRESS_ENTRY = "Visits to Marigold ward"

# Anything that could identify them: what must be nowhere once the account is erased.
IDENTIFYING = [
    "Zebedee",
    "Quillfeather",
    "Quartermaine",
    "zeb.quillfeather",
    "zeb.quartermaine",
    PHONE,
    "Larkspur",
    "portable hoist",
    "Biscuit",
    "Primrose hospice",
    "Acacia Road",
    "Gorseway",
    "Thistledown",
    "Bramblewood",
    "Hollyhock",
    "tea urn",
    "Juniper Lodge",
    "Marigold ward",
]


@pytest.fixture
def private_storage(settings, tmp_path):
    """Receipts go to a throwaway folder, never the real private-media folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": None},
        },
    }
    return tmp_path / "private"


def _receipt(owner, name):
    from payments.services import store_receipt
    from tests.payments.conftest import PNG_BYTES

    upload = SimpleUploadedFile(name, PNG_BYTES)
    return store_receipt(upload, owner=owner, by=owner, content_type="image/png")


def _admin_history(*, by, about, repr_=None):
    AdminLogEntry.objects.create(
        user=by,
        content_type=ContentType.objects.get_for_model(about),
        object_id=str(about.pk),
        object_repr=repr_ or str(about),
        action_flag=CHANGE,
        change_message='[{"changed": {"fields": ["Name"]}}]',
    )


def _person_in_every_table():
    """Someone who took part, claimed, shared in the guide, and also worked as staff,
    commissioner and moderator: a row in every table of ACCOUNT_LINKS."""
    from django.contrib.auth.models import Permission

    from insight import services as insight
    from insight.statements import I_KEYS, WE_KEYS
    from learning import services as guide
    from learning.models import Entry
    from notifications.services import queue_email_to_address, unsubscribe
    from participation import services as participation
    from participation.models import Profile, Venue
    from payments import services as payments
    from payments.models import Claim, ClaimLine, FeeAdjustment
    from projects import services as projects
    from projects.models import Project
    from tests.factories import ProjectFactory
    from tests.learning.conftest import PERSONAL_TEXT
    from tests.learning.factories import resolve_all, submit
    from tests.participation.factories import OpportunityFactory as UpcomingSession
    from tests.payments.factories import OpportunityFactory as PastSession
    from tests.payments.factories import SignUpFactory as Attended
    from tests.payments.factories import claim_in_state, make_policy
    from tests.projects.factories import CONSULTATION_EVIDENCE

    commissioner = UserFactory(display_name="Connor Commissioner", roles=[Role.COMMISSIONER])
    moderator = UserFactory(display_name="Mina Moderator", roles=[Role.MODERATOR])
    admin = UserFactory(display_name="Ada Admin", roles=[], is_superuser=True, is_staff=True)
    other = UserFactory(display_name="Oscar Other", roles=[Role.RESIDENT])
    person = UserFactory(
        display_name=OLD_NAME,
        email=OLD_EMAIL,
        roles=[Role.RESIDENT, Role.STAFF, Role.COMMISSIONER, Role.MODERATOR],
    )
    # They changed their name and address since: the audit trail quotes both, old and new.
    person.display_name, person.email = NAME, EMAIL
    person.save()
    keep_email_on_record(person)
    person.user_permissions.add(Permission.objects.get(codename="view_venue"))
    _admin_history(by=admin, about=person)
    _admin_history(by=person, about=Venue.objects.create(name="Library", address="1 High St"))
    log_access(person, by=commissioner, what="access needs")

    # Projects: one they run, one they are on the team of.
    own = ProjectFactory(owner=person, title="Short breaks review")
    theirs = ProjectFactory(title="Day services plan")
    projects.update_project(theirs, by=theirs.owner, team=[person])
    projects.record_step(
        own, by=person, claimed=4, evidence=CONSULTATION_EVIDENCE, reason="The law sets it."
    )
    update = projects.post_update(own, by=person, said="Forms are long.", did="We cut them.")
    projects.correct_update(update, by=person, said="The forms are long.", did="We cut them.")
    # Someone who owns a project still running cannot go yet; closed projects keep their team.
    Project.objects.filter(pk__in=[own.pk, theirs.pk]).update(status=Project.Status.CLOSED)
    quarter = date(date.today().year, (date.today().month - 1) // 3 * 3 + 1, 1)
    insight.save_we_assessment(
        own,
        quarter_start=quarter,
        by=person,
        ratings=dict.fromkeys(WE_KEYS, 4),
        evidence=dict.fromkeys(WE_KEYS, "The minutes of the last meeting."),
    )

    # Taking part: a profile, a place on a session to come, a session attended.
    Profile.objects.create(
        user=person,
        access_needs=NEEDS,
        access_needs_consent_at=timezone.now(),
        phone=PHONE,
        postal_address=ADDRESS,
    )
    _admin_history(by=admin, about=person.profile)
    upcoming = UpcomingSession(created_by=person)
    participation.sign_up(upcoming, resident=person, access_needs_note=SESSION_NOTE)
    participation.sign_up(upcoming, resident=other, by=person)
    participation.message_group(
        upcoming, by=person, token=uuid.uuid4(), subject="Parking", text="Park behind the hall."
    )
    # As staff, they cancelled someone else's place on another session, saying why.
    booked_by_mistake = participation.sign_up(
        UpcomingSession(created_by=person), resident=other, by=person
    )
    participation.cancel_sign_up(booked_by_mistake, by=person, reason="Booked by mistake")
    past = PastSession(created_by=person)
    attended = Attended(opportunity=past, resident=person, access_needs_note=SESSION_NOTE)
    _admin_history(by=admin, about=attended)
    others_place = Attended(opportunity=past, resident=other, attendance="")
    participation.record_attendance(past, by=person, marks={others_place.pk: "attended"})
    insight.invite_to_survey(attended)
    insight.save_survey_response(attended, answers=dict.fromkeys(I_KEYS, 4), comment=SURVEY_COMMENT)
    insight.save_equality_answers(
        person, answers={"ethnic_group": "asian", "religion": "buddhist", "carer": "yes"}
    )

    # Money: the policy they set, a paid claim with a receipt, one returned, one never sent,
    # a receipt never used; claims of someone else they approved and put in payment runs.
    make_policy(by=person)
    with set_actor(person, remote_addr="192.0.2.44", remote_port=51000):
        payments.update_policy(by=person, advice_phone="0113 496 0000")
    paid = claim_in_state(person, status=Claim.Status.PAID, reviewer=commissioner, signup=attended)
    paid.on_behalf_note = BEHALF_NOTE
    paid.save()
    line = paid.lines.get(kind="expense")
    line.description = LINE_DESCRIPTION
    line.save()
    ClaimLine.objects.filter(pk=line.pk).update(receipt=_receipt(person, RECEIPT_NAME))
    returned = claim_in_state(person, status=Claim.Status.SUBMITTED)
    payments.return_claim(returned, by=commissioner, reason=RETURN_REASON)
    claim_in_state(person, status=Claim.Status.DRAFT)
    _receipt(person, "Quartermaine taxi.png")
    approved = [
        claim_in_state(other, status=Claim.Status.APPROVED, reviewer=person) for _ in range(2)
    ]
    payments.cancel_payment_run(payments.create_payment_run(by=person), by=person)
    run = payments.create_payment_run(by=person)
    payments.take_out_of_run(run, approved[1], by=person, reason="Bank details missing.")
    payments.confirm_payment_run(run, by=person, paid_on=timezone.localdate())
    # Sessions' fees corrected after claims were paid. As staff they corrected someone else's
    # (a top-up, then down again: the top-up cancelled, and an overpayment they asked back); a
    # commissioner corrected theirs down and decided, saying where they talked.
    hall = Venue.objects.create(name="Hall", address="2 High Street")
    others_paid = claim_in_state(other, status=Claim.Status.PAID, reviewer=commissioner)
    for basis in ("full_day", "per_activity"):
        participation.update_opportunity(
            others_paid.opportunity, by=person, venue=hall, fee_basis=basis
        )
    overpaid = FeeAdjustment.objects.to_decide()
    # They asked for it back, then stopped asking.
    others_overpaid = overpaid.get(claim=others_paid)
    payments.decide_overpayment(
        others_overpaid, by=person, outcome="recover", reason="Our mistake."
    )
    payments.stop_asking_for_money_back(
        FeeAdjustment.objects.get(pk=others_overpaid.pk), by=person, reason="Our mistake."
    )
    # As a commissioner they approved a top-up another member of staff's correction meant.
    others_topped_up = claim_in_state(other, status=Claim.Status.PAID, reviewer=commissioner)
    participation.update_opportunity(
        others_topped_up.opportunity, by=commissioner, venue=hall, fee_basis="full_day"
    )
    payments.approve_top_up(FeeAdjustment.objects.get(claim=others_topped_up), by=person)
    participation.update_opportunity(past, by=commissioner, venue=hall, fee_basis="per_activity")
    payments.decide_overpayment(
        overpaid.get(claim=paid), by=commissioner, outcome="left", reason=FEE_REASON
    )
    payments.declare_conflict(commissioner=person, person=other, reason="Oscar is my neighbour")
    # A taxi agreed for their place; one they agreed, then withdrew, for someone else's.
    payments.agree_taxi(attended, by=commissioner, note=TAXI_NOTE)
    payments.withdraw_taxi(payments.agree_taxi(others_place, by=person), by=person)
    payments.declare_conflict(commissioner=commissioner, person=person, reason=CONFLICT_REASON)

    # The practice guide: shared signed in (waiting, and published), shared by address only;
    # someone else's entry they are moderating (findings last only until the decision).
    submit(title=WAITING_ENTRY, text=f"{NAME} cooked for us.", submitted_by=person)
    # From both their addresses: the old one is still theirs, confirmed, in EmailAddress.
    for n, address in enumerate([EMAIL, OLD_EMAIL.upper()]):
        submit(title=f"{ADDRESS_ENTRY} {n}", contact_email=address)
        queue_email_to_address(
            "guide_entry_published",
            to_address=address,
            event_key=f"guide-event:{n}",
            context={"title": ADDRESS_ENTRY, "entry_url": "/guide/x-1/", "reference": "PG-1"},
        )
    shared = submit(title="Quiet rooms help", text="A quiet room helped.", submitted_by=person)
    guide.publish_entry(Entry.objects.get(pk=shared.pk), by=moderator)
    moderated = submit(text=PERSONAL_TEXT)
    resolve_all(moderated, by=person)

    unsubscribe(person.pk, "alerts")
    return person


def _rows_of(person, label, field):
    return apps.get_model(label)._base_manager.filter(**{field: person})


def _still_naming(words) -> set[tuple[str, str, object, str]]:
    """(model, column, row, word) for every text column of every table holding one of `words`."""
    pattern = "|".join(re.escape(word) for word in words)
    found = set()
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if field.is_relation or not isinstance(
                field, models.CharField | models.TextField | models.JSONField
            ):
                continue
            rows = (
                model._base_manager.annotate(as_text=Cast(field.name, models.TextField()))
                .filter(as_text__iregex=pattern)
                .values_list("pk", "as_text")
            )
            for pk, text in rows:
                found |= {
                    (_label(model), field.name, pk, word)
                    for word in words
                    if word.lower() in text.lower()
                }
    return found


def _sent_as_staff(person) -> set[tuple[str, str, object, str]]:
    """Messages other people got from the person as staff name them as the sender, with
    their work address: those people's own correspondence, kept as sent until its text is
    blanked after 90 days (coprod_hub/retention.py)."""
    from notifications.models import Message

    theirs = Message.objects.exclude(recipient=person).filter(
        kind__in=["group_message", "signup_confirmed"]
    )
    return {
        ("notifications.Message", "body_text", pk, word)
        for pk in theirs.values_list("pk", flat=True)
        for word in ["Zebedee", "Quartermaine", "zeb.quartermaine"]
    }


def _sessions_of(person) -> list[Session]:
    return [s for s in Session.objects.all() if s.get_decoded().get(SESSION_KEY) == str(person.pk)]


def test_a_persons_download_holds_every_kind_of_their_data_and_erasing_leaves_nothing_naming_them(
    private_storage, django_capture_on_commit_callbacks
):
    person = _person_in_every_table()
    this_device, other_device = Client(), Client()
    this_device.force_login(person)
    other_device.force_login(person)
    missing = [key for key in ACCOUNT_LINKS if not _rows_of(person, *key).exists()]
    assert missing == [], "The test person should have a row in every table"
    assert len(_sessions_of(person)) == 2
    assert _still_naming(IDENTIFYING)  # the scan finds them while they are there

    data = privacy.collect(person)

    exported = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    archive = zipfile.ZipFile(io.BytesIO(privacy.build_zip(person)))
    assert "your-data.html" in archive.namelist()  # the readable page shows every part of it
    # The receipt files themselves: the paid claim's, and the one not used yet.
    receipts = [name for name in archive.namelist() if name.startswith("receipts/")]
    assert len(receipts) == 2
    assert all(archive.read(name).startswith(b"\x89PNG") for name in receipts)
    # The account, and every address it had.
    assert (data["account"]["name"], data["account"]["email"]) == (NAME, EMAIL)
    # When staff saw their access needs, who and why they could (the audit trail's record).
    (seen,) = data["account"]["access_needs_seen_by_staff"]
    assert (seen["seen_by"], seen["their_role"]) == ("Connor Commissioner", "Commissioner")
    assert {a["email"] for a in data["account"]["email_addresses"]} == {EMAIL, OLD_EMAIL}
    # Participation: the profile (access needs, contact details) and every sign-up.
    profile = data["participation"]["profile"]
    assert (profile["access_needs"], profile["phone"]) == (NEEDS, PHONE)
    assert profile["postal_address"] == ADDRESS
    assert len(data["participation"]["sign_ups"]) == 4  # two sessions, two claims' sessions
    assert SESSION_NOTE in exported
    # Payments: claims with their lines, history and receipts; declarations made; receipts
    # not used yet; what was paid, by tax year.
    claims = data["payments"]["claims"]
    assert len(claims) == 3
    for words in (BEHALF_NOTE, LINE_DESCRIPTION, RECEIPT_NAME, RETURN_REASON, TAXI_NOTE):
        assert words in exported
    (fee_corrected,) = [c for c in claims if c["fee_corrections"]]
    assert fee_corrected["fee_corrections"][0]["why"] == FEE_REASON
    assert data["payments"]["paid_by_tax_year"]
    assert data["payments"]["conflicts_of_interest_declared"][0]["reason"] == (
        "Oscar is my neighbour"
    )
    assert [r["name"] for r in data["payments"]["receipts_not_used_yet"]] == [
        "Quartermaine taxi.png"
    ]
    # The practice guide: waiting (shared signed in, or from their address), and decided.
    waiting = data["learning"]["entries_awaiting_moderation"]
    assert {e["title"] for e in waiting} == {
        WAITING_ENTRY,
        f"{ADDRESS_ENTRY} 0",
        f"{ADDRESS_ENTRY} 1",
    }
    assert [e["title"] for e in data["learning"]["entries_decided"]] == ["Quiet rooms help"]
    # Messages, and what they stopped.
    assert data["notifications"]["messages_sent"]
    assert len(data["notifications"]["messages_sent_to_your_address_only"]) == 2
    assert data["notifications"]["stopped_messages_about"]
    # Insight: equality answers and survey answers with the comment.
    assert data["insight"]["equality_monitoring"]
    assert data["insight"]["survey_answers"][0]["comment_as_saved"] == SURVEY_COMMENT
    # Projects they run or are on the team of.
    assert data["projects"] == {
        "projects_you_run": ["Short breaks review"],
        "projects_you_are_on_the_team_of": ["Day services plan"],
    }
    # Not in the download: records of their work as staff (steps recorded, updates posted,
    # claims decided, entries moderated), declarations others made about them, and the audit
    # trail (but for when staff saw their access needs, above). Those are the council's
    # records, and may hold other people's data.
    # A session they run, still to come with someone booked, goes to a colleague first
    # (participation.privacy.erasure_blockers); the others they ran stay theirs.
    from participation.privacy import sessions_to_hand_over
    from participation.services import hand_over_opportunity

    colleague = UserFactory(roles=[Role.STAFF])
    for session in sessions_to_hand_over(person):
        hand_over_opportunity(session, to=colleague, by=person)

    with django_capture_on_commit_callbacks(execute=True):
        response = this_device.post(
            reverse("my_data_erase"), {"password": PASSWORD, "confirm": "on"}
        )

    assert response.status_code == 302
    for (label, field), treatment in ACCOUNT_LINKS.items():
        rows = _rows_of(person, label, field)
        if treatment in (DELETED, UNLINKED):
            assert not rows.exists(), f"{label}.{field} should be {treatment}"
        else:
            assert rows.exists(), f"{label}.{field} should be {treatment}"
    assert _still_naming(IDENTIFYING) - _sent_as_staff(person) == set()
    assert _sessions_of(person) == []
    assert other_device.get(reverse("my_data")).status_code == 302
    trail = LogEntry.objects.filter(actor=person)
    assert trail.exists()
    assert not trail.filter(Q(remote_addr__isnull=False) | Q(remote_port__isnull=False)).exists()
    # The receipt of the paid claim stays, as evidence; the one never used went, file too.
    assert len(list((private_storage / "receipts").rglob("*.png"))) == 1


# --- Focused tests of what the coverage test above found --------------------------------------


def test_erasing_leaves_no_name_or_email_in_the_entries_the_erasure_itself_adds(resident):
    """Taking the roles and saving the account add entries quoting the name and email as
    they were; the trail is cleaned after them, not before."""
    name, email = resident.display_name, resident.email

    privacy.erase(resident)

    about_them = LogEntry.objects.get_for_object(resident)
    assert about_them.count() >= 2  # made, and roles taken away; the save adds more
    words = " ".join(f"{e.object_repr} {e.changes} {e.changes_text}" for e in about_them)
    assert name not in words and email not in words


def test_erasing_deletes_every_session_the_person_is_signed_in_to(resident, other_resident):
    phone, laptop, someone_else = Client(), Client(), Client()
    for client, person in [(phone, resident), (laptop, resident), (someone_else, other_resident)]:
        client.force_login(person)

    privacy.erase(resident)

    assert _sessions_of(resident) == []
    assert len(_sessions_of(other_resident)) == 1
    assert phone.get(reverse("my_data")).status_code == 302
    assert someone_else.get(reverse("my_data")).status_code == 200


def test_erasing_takes_their_name_out_of_the_admins_history(resident, admin_user):
    from participation.models import Profile
    from tests.participation.factories import SignUpFactory

    signup = SignUpFactory(resident=resident)
    for record in (resident, Profile.objects.create(user=resident), signup):
        _admin_history(by=admin_user, about=record)

    privacy.erase(resident)

    assert sorted(AdminLogEntry.objects.values_list("object_repr", flat=True)) == [
        f"Erased person {resident.pk}",
        f"Profile of erased person {resident.pk}",
        f"Sign-up of erased person {resident.pk}",
    ]


def test_erasing_takes_every_name_they_had_out_of_the_trail_of_project_teams(staff, other_staff):
    from projects.services import update_project
    from tests.factories import ProjectFactory

    project = ProjectFactory(owner=other_staff, title="Carers' breaks")
    finished = ProjectFactory(owner=other_staff, title="Day services", status="closed")
    update_project(project, by=other_staff, team=[staff])
    staff.display_name = "Sam Newname"  # the entry above quotes the name they had then
    staff.save()
    update_project(project, by=other_staff, team=[staff, other_staff])
    finished.team.add(staff)

    data = privacy.collect(staff)
    privacy.erase(staff)

    assert data["projects"]["projects_you_are_on_the_team_of"] == [project.title, finished.title]
    team_changes = LogEntry.objects.get_for_object(project).filter(changes__has_key="team")
    teams = [entry.changes["team"]["objects"] for entry in team_changes.order_by("pk")]
    # Added, the other member added, then taken off the running project's team on erasure.
    erased = f"Erased person {staff.pk}"
    assert teams == [[erased], ["Stella Staff"], [erased]]
    assert list(project.team.all()) == [other_staff]
    assert finished.team.filter(pk=staff.pk).exists()  # the record of who did the work


def test_someone_who_owns_a_running_project_is_erased_only_once_it_has_a_new_owner(
    client, staff, other_staff, admin_user
):
    from projects.services import update_project
    from tests.factories import ProjectFactory

    project = ProjectFactory(owner=staff)
    ProjectFactory(owner=staff, status="closed")
    client.force_login(staff)
    told = client.get(reverse("my_data_erase"))
    refused = client.post(reverse("my_data_erase"), {"password": PASSWORD, "confirm": "on"})
    client.force_login(admin_user)
    admin_page = reverse("admin:users_user_changelist")
    asked = client.post(admin_page, {"action": "erase_data", "_selected_action": [staff.pk]})

    assert "You cannot delete your account yet" in told.text
    assert "You own a project that is not closed" in told.text
    # No password box to fill in for nothing.
    assert 'name="password"' not in told.text and "Back to your data" in told.text
    assert "You own a project that is not closed" in refused.text
    assert "they own a project that is not closed" in asked.text
    assert get_user_model().objects.get(pk=staff.pk).is_active

    update_project(project, by=admin_user, owner=other_staff)
    assert privacy.erasure_blockers(staff) == []


def test_erasing_blanks_the_reason_typed_into_the_ledger(resident, commissioner):
    from payments import services as payments
    from payments.models import Claim, LedgerEntry
    from tests.payments.factories import claim_in_state, make_policy

    make_policy()
    claim = claim_in_state(resident, status=Claim.Status.APPROVED, reviewer=commissioner)
    payments.correct_claim(
        claim, by=commissioner, fee_pence=3000, expenses_pence=460, reason=RETURN_REASON
    )
    run = payments.create_payment_run(by=commissioner)
    payments.confirm_payment_run(run, by=commissioner, paid_on=timezone.localdate())

    privacy.erase(resident)

    assert LedgerEntry.objects.filter(person=resident).exists()
    assert not LedgerEntry.objects.filter(note__icontains="Gorseway").exists()
