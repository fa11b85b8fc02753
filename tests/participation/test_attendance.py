"""Staff take the register for a big group: in name order, marking only who did not come."""

from datetime import timedelta

import pytest
from django.utils import timezone

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
