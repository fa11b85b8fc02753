"""The error summary's link for a date moves focus into the date, by keyboard alone.

The date's own id is on a <div> that cannot take focus: a link to it left focus on the link,
so a keyboard or screen reader user pressing Enter went nowhere."""

import pytest

from coprod_hub.users.roles import Role
from projects.models import Project, ServiceArea
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def focused_id(page):
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_pressing_enter_on_a_date_message_in_the_summary_moves_to_the_day_box(page, sign_in, axe):
    ServiceArea.objects.create(name="Carers", slug="carers")
    sign_in(UserFactory(display_name="Sam Staff", roles=[Role.STAFF]))
    page.goto("/projects/new/")
    page.get_by_label("Project name", exact=True).fill("Carers' breaks review")
    page.get_by_label("Summary", exact=True).fill("Short breaks are hard to book.")
    page.get_by_label("Service area").select_option(label="Carers")
    page.locator('input[name="level"]').first.check()
    page.locator("#id_start_date_0").fill("31")
    page.locator("#id_start_date_1").fill("2")
    page.locator("#id_start_date_2").fill("2026")
    with page.expect_navigation():
        page.get_by_role("button", name="Save and record the step").click()

    summary = page.locator(".govuk-error-summary")
    link = summary.get_by_role("link", name="Start date must be a real date")
    assert summary.get_by_role("link").count() == 1
    # What was typed is still in the boxes.
    assert [page.locator(f"#id_start_date_{i}").input_value() for i in range(3)] == [
        "31",
        "2",
        "2026",
    ]
    axe(page)

    for _ in range(50):
        if page.evaluate("element => document.activeElement === element", link.element_handle()):
            break
        page.keyboard.press("Tab")
    else:
        raise AssertionError("Tab never reached the link in the error summary")
    page.keyboard.press("Enter")

    page.wait_for_function("document.activeElement.id === 'id_start_date_0'", timeout=3000)
    assert focused_id(page) == "id_start_date_0"
    assert not Project.objects.exists()
