import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from coprod_hub.users import privacy as account_privacy
from participation.models import Profile, SignUp
from payments import privacy, services
from payments.models import (
    Claim,
    ClaimLine,
    ConflictOfInterest,
    LedgerEntry,
    PaymentRun,
    Receipt,
)
from tests.factories import PASSWORD

from .conftest import PNG_BYTES
from .factories import SignUpFactory

pytestmark = pytest.mark.django_db


def _receipt(person, name="Rita Resident bus ticket.png"):
    return services.store_receipt(
        SimpleUploadedFile(name, PNG_BYTES), owner=person, by=person, content_type="image/png"
    )


def test_the_download_includes_claims_lines_and_tax_year_totals(make_claim, resident, commissioner):
    make_claim(resident, status=Claim.Status.PAID, reviewer=commissioner)

    data = privacy.export(resident)

    (claim,) = data["claims"]
    assert claim["status"] == "Paid" and claim["approved_pence"] == 4460
    assert {line["what"] for line in claim["lines"]} == {
        "Fee (per hour)",
        "Public transport (bus, train, tram)",
    }
    assert [h["what"] for h in claim["history"]][-1] == "Paid"
    assert data["paid_by_tax_year"][0]["total_pence"] == 4460


def test_erasing_keeps_money_records_but_not_what_was_typed_and_deletes_drafts(
    make_claim, resident, commissioner, private_storage, django_capture_on_commit_callbacks
):
    paid = make_claim(resident, status=Claim.Status.PAID, reviewer=commissioner)
    draft = make_claim(resident, status=Claim.Status.DRAFT)
    draft_receipt = _receipt(resident)
    services.save_expense(
        draft,
        by=resident,
        category="meals",
        description="Lunch at home",
        amount_pence=500,
        miles=None,
        receipt=draft_receipt,
    )
    kept_receipt = _receipt(resident)
    ClaimLine.objects.filter(claim=paid, kind="expense").update(receipt=kept_receipt)
    draft_file = private_storage / draft_receipt.file.name
    ledger_before = LedgerEntry.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        account_privacy.erase(resident)

    assert not Claim.objects.filter(pk=draft.pk).exists()
    assert not draft_file.exists()
    assert LedgerEntry.objects.count() == ledger_before
    assert Claim.objects.get(pk=paid.pk).status == Claim.Status.PAID
    assert set(ClaimLine.objects.filter(claim=paid).values_list("description", flat=True)) == {""}
    assert Receipt.objects.get(pk=kept_receipt.pk).original_name == "receipt"
    assert (private_storage / kept_receipt.file.name).exists()


def test_signups_with_claims_survive_the_participation_erase(make_claim, resident, commissioner):
    # Decided, so nothing stops the erasing (an approved claim would: it is still owed).
    make_claim(
        resident,
        status=Claim.Status.REJECTED,
        reviewer=commissioner,
        signup=SignUpFactory(resident=resident),
    )

    account_privacy.erase(resident)

    assert Claim.objects.get().signup.resident_id == resident.pk


def test_a_person_whose_register_was_corrected_after_claiming_can_still_be_erased(
    client, make_claim, resident, commissioner
):
    from auditlog.models import LogEntry

    claim = make_claim(resident, status=Claim.Status.REJECTED, reviewer=commissioner)
    draft = make_claim(resident, status=Claim.Status.DRAFT)
    # Staff corrected the register after both claims were started.
    SignUp.objects.filter(pk__in=[claim.signup_id, draft.signup_id]).update(
        attendance=SignUp.Attendance.NO_SHOW
    )
    client.force_login(resident)

    response = client.post(reverse("my_data_erase"), {"password": PASSWORD, "confirm": "on"})

    assert response.status_code == 302
    resident.refresh_from_db()
    assert not resident.is_active
    # The sent claim keeps its sign-up; the draft and its sign-up are gone.
    assert Claim.objects.get(pk=claim.pk).signup.resident_id == resident.pk
    assert not SignUp.objects.filter(pk=draft.signup_id).exists()
    assert LogEntry.objects.filter(changes__icontains="at the person's request").exists()


def test_an_account_with_money_still_to_pay_is_not_erased_until_it_is_settled(
    client, make_claim, resident, commissioner
):
    waiting = make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)
    ConflictOfInterest.objects.create(commissioner=commissioner, person=resident, reason="Sister")
    client.force_login(resident)
    data = {"password": PASSWORD, "confirm": "on"}

    refused = client.post(reverse("my_data_erase"), data)

    assert "You have a claim waiting to be approved or paid" in refused.content.decode()
    resident.refresh_from_db()
    assert resident.is_active
    services.create_payment_run(by=commissioner)
    run = PaymentRun.objects.get()
    services.confirm_payment_run(run, by=commissioner, paid_on=timezone.localdate())

    assert client.post(reverse("my_data_erase"), data).status_code == 302
    resident.refresh_from_db()
    assert not resident.is_active
    assert Claim.objects.get(pk=waiting.pk).status == Claim.Status.PAID
    # The declaration stays, so the commissioner still may not decide for them, without why.
    conflict = ConflictOfInterest.objects.get()
    assert conflict.withdrawn_at is None and conflict.reason == ""


def test_erasing_strips_what_was_typed_from_claim_history_and_the_audit_trail(
    make_claim, resident, commissioner
):
    from auditlog.models import LogEntry

    claim = make_claim(resident, status=Claim.Status.RETURNED, reviewer=commissioner)
    claim.on_behalf_note = "Rita rang from the hospice"
    claim.save()
    line = claim.lines.get(kind="expense")
    line.description = "Bus from 12 Acacia Road"
    line.save()
    typed = ("hospice", "Acacia", "Add a receipt", resident.display_name)

    def trail_text():
        entries = LogEntry.objects.filter(object_id=claim.pk, content_type__model="claim") | (
            LogEntry.objects.filter(object_id=line.pk, content_type__model="claimline")
        )
        return " ".join(f"{e.object_repr} {e.changes} {e.changes_text}" for e in entries)

    assert all(words in trail_text() for words in typed)  # the trail quoted them all

    account_privacy.erase(resident)

    claim.refresh_from_db()
    history = " ".join(claim.events.values_list("note", flat=True))
    assert claim.reason == "" and claim.on_behalf_note == ""
    assert not any(words in history or words in trail_text() for words in typed)
    # What happened to the money is still on record.
    assert claim.status == Claim.Status.RETURNED
    assert "amount_pence" in trail_text()


def test_erasing_strips_why_a_payment_did_not_go_through(make_claim, resident, commissioner):
    claim = make_claim(resident, status=Claim.Status.APPROVED, reviewer=commissioner)
    run = services.create_payment_run(by=commissioner)
    item = services.take_out_of_run(
        run, claim, by=commissioner, reason="Bank returned it: Rita's old account"
    )
    # Settled, so nothing stops the erasing: the approval is withdrawn.
    services.withdraw_approval(claim, by=commissioner, reason="Paid by cheque instead")

    account_privacy.erase(resident)

    item.refresh_from_db()
    assert item.taken_out_reason == "" and item.is_taken_out
    assert "Rita" not in " ".join(claim.events.values_list("note", flat=True))


def test_the_download_includes_how_they_asked_staff_and_receipts_not_used_yet(make_claim, resident):
    claim = make_claim(resident, status=Claim.Status.DRAFT)
    Claim.objects.filter(pk=claim.pk).update(on_behalf_note="Rang from the day centre")
    _receipt(resident, name="Taxi home.png")

    data = privacy.export(resident)

    assert data["claims"][0]["how_you_asked_staff_to_claim_for_you"] == "Rang from the day centre"
    assert [r["name"] for r in data["receipts_not_used_yet"]] == ["Taxi home.png"]


def test_erasing_takes_the_reason_and_their_name_out_of_the_trail_of_declarations(
    resident, commissioner
):
    from auditlog.models import LogEntry

    from coprod_hub.users.roles import Role
    from tests.factories import UserFactory

    cleo = UserFactory(display_name="Cleo Commissioner", roles=[Role.COMMISSIONER])
    about_her = services.declare_conflict(commissioner=commissioner, person=cleo, reason="Sister")
    by_her = services.declare_conflict(commissioner=cleo, person=resident, reason="Neighbour")

    account_privacy.erase(cleo)

    trail = {
        entry.object_id: entry
        for entry in LogEntry.objects.filter(content_type__model="conflictofinterest")
    }
    erased = f"Erased person {cleo.pk}"
    assert trail[about_her.pk].object_repr == f"{commissioner} declared a conflict with {erased}"
    assert trail[by_her.pk].object_repr == f"{erased} declared a conflict with {resident}"
    for entry in trail.values():
        assert "reason" not in entry.changes and "person" in entry.changes
        words = f"{entry.changes} {entry.changes_text}"
        assert "Sister" not in words and "Neighbour" not in words and "Cleo" not in words


def test_a_returned_claim_kept_after_erasing_can_never_be_sent(
    policy, resident, commissioner, admin_user
):
    """Erasing keeps a claim we returned (a financial record), but we can no longer pay or tell
    the person: the staff who made it for them cannot send it again."""
    claim = services.start_claim(
        SignUpFactory(resident=resident), by=commissioner, on_behalf_note="They phoned me"
    )
    services.update_claim_details(
        claim,
        by=commissioner,
        payment_method=Claim.PaymentMethod.BANK_TRANSFER,
        employed_by_partner=False,
        not_part_of_paid_job=False,
    )
    claim = services.submit_claim(
        Claim.objects.get(pk=claim.pk), by=commissioner, benefits_acknowledged=True
    )
    services.return_claim(claim, by=admin_user, reason="Add the bus ticket")
    account_privacy.erase(resident)

    with pytest.raises(services.PaymentError) as refused:
        services.submit_claim(
            Claim.objects.get(pk=claim.pk), by=commissioner, benefits_acknowledged=True
        )

    assert str(refused.value) == (
        "This claim cannot be sent: the person has deleted their account."
    )
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.RETURNED


def test_nothing_is_added_to_a_claim_kept_after_erasing(policy, resident, commissioner, admin_user):
    """What staff would add for them (an expense's words, a receipt, a postal address for
    vouchers) would be personal data kept about someone erased: refused, saying why."""
    attended = SignUpFactory(resident=resident)
    claim = services.start_claim(
        SignUpFactory(resident=resident), by=commissioner, on_behalf_note="They phoned me"
    )
    services.update_claim_details(
        claim,
        by=commissioner,
        payment_method=Claim.PaymentMethod.BANK_TRANSFER,
        employed_by_partner=False,
        not_part_of_paid_job=False,
    )
    claim = services.submit_claim(
        Claim.objects.get(pk=claim.pk), by=commissioner, benefits_acknowledged=True
    )
    services.return_claim(claim, by=admin_user, reason="Add the bus ticket")
    account_privacy.erase(resident)
    claim = Claim.objects.get(pk=claim.pk)
    changes = {
        "expense": lambda: services.save_expense(
            claim,
            by=commissioner,
            category="public_transport",
            description="Bus from Rita's house",
            amount_pence=460,
            miles=None,
        ),
        "details": lambda: services.update_claim_details(
            claim,
            by=commissioner,
            payment_method=Claim.PaymentMethod.VOUCHER,
            voucher_delivery=Claim.VoucherDelivery.POST,
            postal_address="1 High Street, AB1 2CD",
            employed_by_partner=False,
            not_part_of_paid_job=False,
        ),
        "receipt": lambda: services.store_receipt(
            SimpleUploadedFile("ticket.png", PNG_BYTES),
            owner=resident,
            by=commissioner,
            content_type="image/png",
        ),
        "new claim": lambda: services.start_claim(
            attended, by=commissioner, on_behalf_note="They phoned me"
        ),
    }

    for what, change in changes.items():
        with pytest.raises(services.PaymentError) as refused:
            change()
        gone = "the person has deleted their account."
        started = "A claim cannot be started" if what == "new claim" else ""
        assert str(refused.value) == f"{started or 'This claim cannot be changed'}: {gone}", what

    assert list(claim.lines.values_list("description", flat=True)) == [""]
    assert not Receipt.objects.filter(owner=resident).exists()
    assert not Profile.objects.filter(user=resident).exists()
    assert Claim.objects.filter(claimant=resident).count() == 1
