"""Retention (coprod_hub/retention.py), on a frozen clock: what goes, when, and what stays."""

from datetime import date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from allauth.account.models import EmailAddress
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.auth.models import Group
from django.core import mail
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from coprod_hub import retention, tasks
from coprod_hub.audit import allow_privileged_change
from coprod_hub.users.models import User
from coprod_hub.users.roles import Role
from notifications import services as outbox
from notifications.models import Message
from payments import services as payments
from payments.models import Claim, LedgerEntry, PaymentRun, Receipt
from tests.factories import UserFactory
from tests.participation.factories import OpportunityFactory, SignUpFactory
from tests.payments import factories as payment_factories

from .fuzz import PNG

pytestmark = pytest.mark.django_db

UK = ZoneInfo("Europe/London")


def at(year, month, day, hour=12):
    return datetime(year, month, day, hour, tzinfo=UK)


# --- Accounts never confirmed ---------------------------------------------------------------------


def sign_up(client, email):
    response = client.post(
        reverse("account_signup"),
        {
            "display_name": "Una Confirmed",
            "email": email,
            "password1": "purple-otter-lantern-2026",
            "password2": "purple-otter-lantern-2026",
        },
    )
    assert response.status_code == 302
    return User.objects.get(email=email)


def test_an_account_never_confirmed_is_deleted_after_30_days(client):
    with time_machine.travel(at(2026, 3, 1), tick=False):
        person = sign_up(client, "una@example.org")
        assert LogEntry.objects.get_for_object(person).exists()  # the audit trail names them

    with time_machine.travel(at(2026, 3, 31), tick=False):  # 30 days: not yet
        assert tasks.delete_unconfirmed_accounts() == 0
    with time_machine.travel(at(2026, 4, 1), tick=False):
        assert tasks.delete_unconfirmed_accounts() == 1
        assert tasks.delete_unconfirmed_accounts() == 0  # safe to run again

    assert not User.objects.filter(email="una@example.org").exists()
    assert not EmailAddress.objects.filter(email="una@example.org").exists()
    assert not LogEntry.objects.filter(object_repr__contains="una@example.org").exists()
    assert not LogEntry.objects.filter(changes_text__contains="una@example.org").exists()


def test_accounts_that_were_confirmed_used_or_given_a_role_are_kept(client, staff):
    with time_machine.travel(at(2026, 3, 1), tick=False):
        confirmed = sign_up(client, "confirmed@example.org")
        EmailAddress.objects.filter(user=confirmed).update(verified=True)
        signed_in = sign_up(client, "signedin@example.org")
        User.objects.filter(pk=signed_in.pk).update(last_login=at(2026, 3, 2))
        signed_up_by_staff = sign_up(client, "phoned@example.org")
        SignUpFactory(resident=signed_up_by_staff, opportunity=OpportunityFactory())
        made_staff = sign_up(client, "newstaff@example.org")
        made_staff.groups.add(Group.objects.get_or_create(name=str(Role.STAFF))[0])
        waiting = sign_up(client, "waiting@example.org")
    with time_machine.travel(at(2026, 5, 20), tick=False):
        recent = sign_up(client, "recent@example.org")

    with time_machine.travel(at(2026, 6, 1), tick=False):
        assert tasks.delete_unconfirmed_accounts() == 1

    assert not User.objects.filter(pk=waiting.pk).exists()
    for person in (confirmed, signed_in, signed_up_by_staff, made_staff, recent, staff):
        assert User.objects.filter(pk=person.pk).exists(), person.email


# --- Message bodies ------------------------------------------------------------------------------


def send(resident, key, *, when):
    with time_machine.travel(when, tick=False):
        outbox.queue_message(
            "we_said_we_did",
            recipient=resident,
            event_key=key,
            context={
                "project": SimpleNamespace(title="Respite review", get_absolute_url="/p/"),
                "update": SimpleNamespace(said="We asked", did="We changed", next_steps=""),
            },
            attachments=[("session.ics", "BEGIN:VCALENDAR", "text/calendar")],
        )
        message = Message.objects.get(event_key=key)
        outbox.deliver_message(message.pk)
        return Message.objects.get(pk=message.pk)


def test_the_text_of_messages_is_blanked_90_days_after_sending(resident):
    old = send(resident, "update:old", when=at(2026, 1, 1))
    recent = send(resident, "update:recent", when=at(2026, 2, 1))
    assert old.status == Message.Status.SENT and old.body_text and old.attachments
    with time_machine.travel(at(2026, 1, 2), tick=False):
        waiting = Message.objects.create(
            kind="we_said_we_did",
            category="updates",
            event_key="update:waiting",
            recipient=resident,
            channel=Message.Channel.CALL_LIST,
            subject="Still to phone",
            body_text="Read this out",
            status=Message.Status.CALL_LIST,
        )

    with time_machine.travel(at(2026, 4, 2), tick=False):  # 91 days after
        assert tasks.blank_old_message_bodies() == 1
        assert tasks.blank_old_message_bodies() == 0

    old.refresh_from_db()
    assert (old.body_text, old.attachments) == ("", [])
    # What is kept: who, what kind, when, and whether it arrived.
    assert old.subject and old.status == Message.Status.SENT and old.sent_at
    recent.refresh_from_db()
    assert recent.body_text
    waiting.refresh_from_db()
    assert waiting.body_text == "Read this out"  # staff still have to read it out
    assert len(mail.outbox) == 2


def test_an_address_with_no_account_is_forgotten_with_the_text_of_a_failed_message():
    with time_machine.travel(at(2026, 1, 1), tick=False):
        failed = Message.objects.create(
            kind="guide_entry_published",
            category="guide",
            event_key="guide-event:1",
            recipient=None,
            channel=Message.Channel.EMAIL,
            to_address="sharer@example.org",
            subject="What you shared is in the practice guide",
            body_text="It is published.",
            status=Message.Status.FAILED,
        )

    with time_machine.travel(at(2026, 4, 2), tick=False):
        tasks.blank_old_message_bodies()

    failed.refresh_from_db()
    assert (failed.to_address, failed.body_text) == ("", "")


# --- Financial records ---------------------------------------------------------------------------


def claim(person, commissioner, *, when, status, receipt_name="bus.png"):
    """A claim with a receipt, taken to `status` on `when` (paid claims go in a run later)."""
    with time_machine.travel(when, tick=False):
        made = payments.start_claim(payment_factories.SignUpFactory(resident=person), by=person)
        payments.update_claim_details(
            made,
            by=person,
            payment_method=Claim.PaymentMethod.BANK_TRANSFER,
            employed_by_partner=False,
            not_part_of_paid_job=False,
        )
        receipt = payments.store_receipt(
            SimpleUploadedFile(receipt_name, PNG), owner=person, by=person, content_type="image/png"
        )
        payments.save_expense(
            made,
            by=person,
            category="public_transport",
            description="Bus",
            amount_pence=640,
            miles=None,
            receipt=receipt,
        )
        made = Claim.objects.get(pk=made.pk)
        if status != "draft":
            made = payments.submit_claim(made, by=person, benefits_acknowledged=True)
        if status == "rejected":
            made = payments.reject_claim(made, by=commissioner, reason="Not eligible")
        elif status == "approved":
            made = payments.approve_claim(made, by=commissioner)
        return Claim.objects.get(pk=made.pk), receipt


def pay_everything_approved(commissioner, *, when):
    with time_machine.travel(when, tick=False):
        run = payments.create_payment_run(by=commissioner)
        payments.confirm_payment_run(run, by=commissioner, paid_on=when.date())
        return run


@pytest.fixture
def books(commissioner, private_storage):
    """Claims last changed in tax year 2026 (6 April 2026 to 5 April 2027), and one in 2027."""
    payment_factories.make_policy()
    people = [UserFactory() for _ in range(5)]
    old, old_receipt = claim(people[0], commissioner, when=at(2026, 5, 1), status="approved")
    old_run = pay_everything_approved(commissioner, when=at(2026, 5, 2))
    rejected, _ = claim(people[1], commissioner, when=at(2026, 6, 1), status="rejected")
    draft, _ = claim(people[2], commissioner, when=at(2026, 7, 1), status="draft")
    # Approved in 2026 and never paid: money may still be owed, so it is never purged.
    owed, _ = claim(people[3], commissioner, when=at(2026, 8, 1), status="approved")
    new, new_receipt = claim(people[4], commissioner, when=at(2027, 5, 1), status="approved")
    with time_machine.travel(at(2027, 5, 2), tick=False):
        new_run = payments.create_payment_run(by=commissioner)
        # The 2026 claim still owed must not be in this run: take it out again.
        payments.cancel_payment_run(new_run, by=commissioner)
    Claim.objects.filter(pk=owed.pk).update(payment_run=None)
    return SimpleNamespace(
        old=old,
        old_receipt=old_receipt,
        old_run=old_run,
        rejected=rejected,
        draft=draft,
        owed=owed,
        new=new,
        new_receipt=new_receipt,
    )


def purge(when):
    with time_machine.travel(when, tick=False):
        return tasks.purge_expired_financial_records()


def test_claims_are_kept_for_seven_whole_tax_years_after_the_one_they_last_changed_in(
    books, django_capture_on_commit_callbacks
):
    owed_before = LedgerEntry.objects.filter(claim=books.owed).owed().balance()

    # 5 April 2034 is the last day of tax year 2033: seven whole tax years (2027 to 2033)
    # after 2026 have not yet passed.
    assert purge(at(2034, 4, 5))["claims"] == 0

    with (
        time_machine.travel(at(2034, 4, 6), tick=False),  # tax year 2034 begins
        django_capture_on_commit_callbacks(execute=True),  # files go once the rows have
    ):
        purged = tasks.purge_expired_financial_records()

    # The paid claim's approval (fee, expenses) and payment (out of owed, into paid): 6 rows.
    assert purged == {"claims": 3, "ledger_rows": 6, "receipts": 3, "payment_runs": 1}
    assert set(Claim.objects.values_list("pk", flat=True)) == {books.owed.pk, books.new.pk}
    assert not LedgerEntry.objects.filter(claim=books.old.pk).exists()
    assert not PaymentRun.objects.filter(pk=books.old_run.pk).exists()
    assert not Receipt.objects.filter(pk=books.old_receipt.pk).exists()
    assert not default_storage.exists(books.old_receipt.file.name)
    # What is kept is untouched.
    assert default_storage.exists(books.new_receipt.file.name)
    assert LedgerEntry.objects.filter(claim=books.owed).owed().balance() == owed_before
    # No trail names the claims that went, and purging wrote none.
    assert not LogEntry.objects.filter(
        content_type__model="claim", object_pk__in=[str(books.old.pk), str(books.draft.pk)]
    ).exists()
    assert purge(at(2034, 4, 7)) == {
        "claims": 0,
        "ledger_rows": 0,
        "receipts": 0,
        "payment_runs": 0,
    }


def test_the_retention_period_is_a_setting(books, settings):
    settings.FINANCIAL_RETENTION_YEARS = 10

    assert purge(at(2034, 4, 6))["claims"] == 0
    assert purge(at(2037, 4, 6))["claims"] == 3


def test_claims_kept_after_an_erasure_are_purged_in_the_end(books, commissioner):
    from coprod_hub.users import privacy

    person = books.old.claimant
    privacy.erase(person)
    assert Claim.objects.filter(claimant=person).exists()  # kept, pseudonymised

    purge(at(2034, 4, 6))

    assert not Claim.objects.filter(claimant=person).exists()
    assert not LedgerEntry.objects.filter(person=person).exists()


@pytest.mark.postgres
def test_only_a_privileged_transaction_may_delete_ledger_rows_and_none_may_change_them(books):
    entry = LedgerEntry.objects.filter(claim=books.old).first()
    table = LedgerEntry._meta.db_table

    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [entry.pk])  # noqa: S608
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        allow_privileged_change()
        cursor.execute(f"UPDATE {table} SET amount_pence = 0 WHERE id = %s", [entry.pk])  # noqa: S608
    with transaction.atomic(), connection.cursor() as cursor:
        allow_privileged_change()
        cursor.execute(f"DELETE FROM {table} WHERE claim_id = %s", [books.old.pk])  # noqa: S608
    assert not LedgerEntry.objects.filter(claim=books.old).exists()


@pytest.mark.postgres
def test_a_privileged_transaction_may_blank_a_ledger_note_and_change_nothing_else(books):
    entry = LedgerEntry.objects.filter(claim=books.old).first()
    table = LedgerEntry._meta.db_table
    refused = [
        ("UPDATE {} SET note = '' WHERE id = %s", False),  # not privileged
        ("UPDATE {} SET note = 'Something else' WHERE id = %s", True),
        ("UPDATE {} SET note = '', amount_pence = 0 WHERE id = %s", True),
    ]
    for sql, privileged in refused:
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            if privileged:
                allow_privileged_change()
            cursor.execute(sql.format(table), [entry.pk])

    with transaction.atomic(), connection.cursor() as cursor:
        allow_privileged_change()
        cursor.execute(f"UPDATE {table} SET note = '' WHERE id = %s", [entry.pk])  # noqa: S608
    blanked = LedgerEntry.objects.get(pk=entry.pk)
    assert (blanked.note, blanked.amount_pence) == ("", entry.amount_pence)


def test_the_retention_tasks_run_every_night():
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "coprod_hub.tasks.delete_unconfirmed_accounts",
        "coprod_hub.tasks.blank_old_message_bodies",
        "coprod_hub.tasks.purge_expired_financial_records",
        "coprod_hub.tasks.forget_session_access_needs",
        "coprod_hub.tasks.clear_expired_sessions",
        "payments.tasks.delete_unused_receipts",
    } <= schedule
    assert retention.financial_cutoff(date(2034, 4, 6)) == date(2027, 4, 6)
    assert retention.financial_cutoff(date(2034, 4, 5)) == date(2026, 4, 6)


def test_access_needs_told_for_one_session_are_deleted_two_weeks_after_it(db, resident):
    from participation.models import Profile

    Profile.objects.create(
        user=resident, access_needs="Hearing loop", access_needs_consent_at=timezone.now()
    )
    ended = timezone.now() - timedelta(days=3)
    place = SignUpFactory(
        resident=resident,
        access_needs_note="Quiet seat",
        opportunity=OpportunityFactory(starts_at=ended - timedelta(hours=2)),
    )
    coming = SignUpFactory(resident=resident, access_needs_note="Near the door")

    with time_machine.travel(ended + timedelta(days=14, minutes=-1)):
        assert tasks.forget_session_access_needs() == 0
    with time_machine.travel(ended + timedelta(days=14, minutes=1)):
        assert tasks.forget_session_access_needs() == 1
        assert tasks.forget_session_access_needs() == 0

    place.refresh_from_db()
    coming.refresh_from_db()
    assert (place.access_needs_note, coming.access_needs_note) == ("", "Near the door")
    assert Profile.objects.get(user=resident).access_needs == "Hearing loop"  # theirs to keep
    assert place.status == "booked" and place.opportunity_id  # the place itself stays


def test_expired_sessions_are_deleted_and_current_ones_kept(db, settings):
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session

    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    current = SessionStore()
    current["_auth_user_id"] = "1"
    current.create()
    expired = SessionStore()
    expired["_auth_user_id"] = "2"
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - timedelta(minutes=1)
    )

    tasks.clear_expired_sessions()

    assert list(Session.objects.values_list("session_key", flat=True)) == [current.session_key]
