"""Staff take the register for a big group: in name order, marking only who did not come."""

from datetime import timedelta

import pytest
from django.utils import timezone

from coprod_hub.users.roles import Role
from notifications.models import Message
from participation import services
from participation.models import Opportunity, SignUp
from tests.factories import UserFactory

from .factories import OpportunityFactory
from .test_staff_pages import url

pytestmark = pytest.mark.django_db


def _session_that_took_place(staff, names):
    opportunity = OpportunityFactory(created_by=staff, capacity=len(names), fee_basis="per_hour")
    signups = {
        name: services.sign_up(opportunity, resident=UserFactory(display_name=name))
        for name in names
    }
    Opportunity.objects.filter(pk=opportunity.pk).update(
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1)
    )
    return opportunity, signups


def test_the_register_lists_people_by_name_like_the_attendance_list(client, staff):
    names = ["Zainab Khan", "ada Lovelace", "Mary Seacole", "Bob Marley"]
    opportunity, _ = _session_that_took_place(staff, names)
    client.force_login(staff)

    page = client.get(url("manage", opportunity)).text
    register = page[page.index('id="attendance"') :]
    csv_rows = b"".join(client.get(url("attendance_csv", opportunity)).streaming_content)
    printed = [line.split(",")[0] for line in csv_rows.decode("utf-8-sig").splitlines()[1:]]

    shown = sorted(names, key=register.index)
    assert shown == ["ada Lovelace", "Bob Marley", "Mary Seacole", "Zainab Khan"]
    assert printed == shown


def test_staff_mark_who_did_not_come_and_everyone_else_as_attended(client, staff):
    opportunity, signups = _session_that_took_place(
        staff, ["Ann Able", "Ben Brook", "Cat Cole", "Dev Dale"]
    )
    client.force_login(staff)
    page = client.get(url("manage", opportunity)).text
    assert "Save, and everyone else attended" in page

    response = client.post(
        url("attendance", opportunity),
        {f"signup_{signups['Ben Brook'].pk}": "apologies", "everyone_else_attended": "yes"},
        follow=True,
    )

    recorded = {
        s.resident.display_name: s.attendance
        for s in SignUp.objects.filter(opportunity=opportunity).select_related("resident")
    }
    assert recorded == {
        "Ann Able": "attended",
        "Ben Brook": "apologies",
        "Cat Cole": "attended",
        "Dev Dale": "attended",
    }
    assert "Attendance saved (4 changed)." in response.text
    assert Message.objects.filter(kind="claim_prompt").count() == 3
    # Everyone has an answer now: there is nobody else to mark.
    assert "Save, and everyone else attended" not in response.text


def test_saving_the_register_alone_leaves_people_not_marked_unrecorded(client, staff):
    opportunity, signups = _session_that_took_place(staff, ["Ann Able", "Ben Brook"])
    client.force_login(staff)

    client.post(url("attendance", opportunity), {f"signup_{signups['Ann Able'].pk}": "attended"})

    assert SignUp.objects.get(pk=signups["Ben Brook"].pk).attendance == ""


def test_everyone_else_never_overwrites_what_a_colleague_recorded_meanwhile(
    client, staff, other_staff
):
    opportunity, signups = _session_that_took_place(staff, ["Ann Able", "Ben Brook"])
    client.force_login(staff)
    client.get(url("manage", opportunity))  # the register, with nobody marked yet
    # Meanwhile a colleague records that Ben did not come.
    services.record_attendance(
        opportunity, by=other_staff, marks={signups["Ben Brook"].pk: "no_show"}
    )

    client.post(url("attendance", opportunity), {"everyone_else_attended": "yes"})

    assert SignUp.objects.get(pk=signups["Ann Able"].pk).attendance == "attended"
    assert SignUp.objects.get(pk=signups["Ben Brook"].pk).attendance == "no_show"
    assert not Message.objects.filter(kind="claim_prompt", recipient=signups["Ben Brook"].resident)


# --- Staff who take part themselves ---------------------------------------------------------


def _staff_who_also_take_part():
    """A session run by a member of staff who also took part in it (they are a resident too),
    with Ann: the session, Ann's place and theirs."""
    staff = UserFactory(display_name="Pat Both", roles=[Role.STAFF, Role.RESIDENT])
    opportunity = OpportunityFactory(created_by=staff, capacity=2, fee_basis="per_hour")
    ann = services.sign_up(opportunity, resident=UserFactory(display_name="Ann Able"))
    own = services.sign_up(opportunity, resident=staff)
    Opportunity.objects.filter(pk=opportunity.pk).update(
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1)
    )
    return staff, opportunity, ann, own


def test_nobody_records_their_own_attendance_which_their_claim_is_paid_on():
    staff, opportunity, _, own = _staff_who_also_take_part()

    with pytest.raises(services.ParticipationError, match="cannot record your own attendance"):
        services.record_attendance(opportunity, by=staff, marks={own.pk: "attended"})

    own.refresh_from_db()
    assert own.attendance == ""
    assert not Message.objects.filter(kind="claim_prompt").exists()


def test_everyone_else_attended_leaves_out_the_person_saving_it(client, commissioner):
    staff, opportunity, ann, own = _staff_who_also_take_part()
    client.force_login(staff)

    page = client.get(url("manage", opportunity)).text
    client.post(url("attendance", opportunity), {"everyone_else_attended": "yes"})

    assert "someone else running it records your attendance" in page
    assert f'name="signup_{own.pk}"' not in page and f'name="signup_{ann.pk}"' in page
    assert SignUp.objects.get(pk=ann.pk).attendance == "attended"
    assert SignUp.objects.get(pk=own.pk).attendance == ""
    # Someone else running the session (commissioners run every session) records theirs.
    services.record_attendance(opportunity, by=commissioner, marks={own.pk: "attended"})
    assert SignUp.objects.get(pk=own.pk).attendance == "attended"


def test_a_forged_mark_for_their_own_place_is_not_taken_from_the_form(client):
    staff, opportunity, ann, own = _staff_who_also_take_part()
    client.force_login(staff)

    client.post(
        url("attendance", opportunity),
        {f"signup_{ann.pk}": "attended", f"signup_{own.pk}": "attended"},
    )

    assert SignUp.objects.get(pk=ann.pk).attendance == "attended"
    assert SignUp.objects.get(pk=own.pk).attendance == ""
    assert list(
        Message.objects.filter(kind="claim_prompt").values_list("recipient", flat=True)
    ) == [ann.resident_id]
