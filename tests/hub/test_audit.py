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
