import pytest
from auditlog.models import LogEntry
from django.db import DatabaseError, transaction

from coprod_hub.audit import allow_privileged_change, log_access
from coprod_hub.users.roles import Role
from coprod_hub.users.services import grant_role

pytestmark = pytest.mark.django_db


def test_giving_someone_a_role_is_recorded_with_who_did_it(resident, admin_user, client):
    from auditlog.context import set_actor

    with set_actor(admin_user):
        grant_role(resident, Role.COMMISSIONER)

    entry = LogEntry.objects.get_for_object(resident).latest("timestamp")
    assert entry.actor == admin_user
    assert "commissioner" in str(entry.changes)


def test_password_hashes_are_never_copied_into_the_trail(resident):
    resident.set_password("a-new-long-password")
    resident.save()

    assert "password" not in str(LogEntry.objects.get_for_object(resident).values("changes"))


def test_views_of_access_needs_can_be_recorded(resident, staff):
    log_access(resident, by=staff, what="access needs")

    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS)
    assert entry.actor == staff
    assert "access needs" in str(entry.changes)


@pytest.mark.postgres
def test_audit_entries_cannot_be_changed_or_deleted(resident, staff):
    log_access(resident, by=staff, what="access needs")
    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS)

    with pytest.raises(DatabaseError), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).update(object_repr="changed")
    with pytest.raises(DatabaseError), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).delete()

    with transaction.atomic():
        allow_privileged_change()  # erasure and retention code may, deliberately
        LogEntry.objects.filter(pk=entry.pk).update(object_repr="[erased]")
    assert LogEntry.objects.get(pk=entry.pk).object_repr == "[erased]"


def test_approving_a_claim_is_in_the_audit_trail(commissioner):
    from payments import services
    from payments.models import Claim
    from tests.payments.factories import SignUpFactory, make_policy

    make_policy()
    person = SignUpFactory().resident
    signup = person.signups.get()
    claim = services.start_claim(signup, by=person)
    services.update_claim_details(
        claim,
        by=person,
        payment_method=Claim.PaymentMethod.BANK_TRANSFER,
        employed_by_partner=False,
        not_part_of_paid_job=False,
    )
    claim = services.submit_claim(
        Claim.objects.get(pk=claim.pk), by=person, benefits_acknowledged=True
    )

    from auditlog.context import set_actor

    with set_actor(commissioner):
        services.approve_claim(claim, by=commissioner)

    entry = LogEntry.objects.get_for_object(claim).latest("timestamp")
    assert entry.actor == commissioner
    assert entry.changes_dict["status"] == ["submitted", "approved"]
