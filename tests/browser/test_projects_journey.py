"""Browser journey for projects, by keyboard alone: a member of staff creates a project, claims
co-production with evidence of consultation, sees the honest warning, saves with a reason, moves
the step up to engagement saying what changed, adds the contact details publishing asks for,
and publishes; a visitor then sees "Engagement", the reason, what changed and who to contact.
axe on every page, and 320px."""

import os
import re
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from coprod_hub.users.roles import Role
from projects.models import Project, ServiceArea, Update
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Screenshots for people to look at after a run; not compared by the test.
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", tempfile.gettempdir()))

REASON = "Councillors must make the final decision on charges, so this is consultation."
CHANGE = "Residents now choose the topics for each meeting."


def tab_to(page, locator, limit=300):
    """Press Tab until `locator` has focus, as a keyboard user would."""
    target = locator.element_handle()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("element => document.activeElement === element", target):
            return
    raise AssertionError(f"Tab never reached {locator}")


def type_into(page, label, text):
    tab_to(page, page.get_by_label(label, exact=True))
    page.keyboard.type(text)


def choose_radio(page, group_name, position):
    """Tab into a radio group and pick the option at `position` (0 = first) with the keys a
    keyboard user presses: Space for the first, arrow keys for the others."""
    tab_to(page, page.locator(f'input[name="{group_name}"]').first)
    if position == 0:
        page.keyboard.press("Space")
    for _ in range(position):
        page.keyboard.press("ArrowDown")
    checked = page.locator(f'input[name="{group_name}"]').nth(position)
    assert checked.is_checked(), f"{group_name} option {position} is not chosen"


def press_button(page, name):
    tab_to(page, page.get_by_role("button", name=name, exact=True))
    with page.expect_navigation():
        page.keyboard.press("Enter")


def follow_link(page, name):
    tab_to(page, page.get_by_role("link", name=name, exact=True))
    with page.expect_navigation():
        page.keyboard.press("Enter")


def screenshot(page, name):
    page.screenshot(path=str(SCREENSHOTS / f"projects-{name}.png"), full_page=True)


def keyboard_sign_in(page, user):
    page.goto("/accounts/login/")
    type_into(page, "Email address", user.email)
    type_into(page, "Password", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.get_by_role("button", name="Sign out").wait_for()


def test_staff_record_an_honest_step_and_a_visitor_sees_it(page, axe, fits_320):
    ServiceArea.objects.create(name="Carers", slug="carers")
    ServiceArea.objects.create(name="Older people", slug="older-people")
    staff = UserFactory(display_name="Grace Adeyemi", roles=[Role.STAFF])
    # A possible team member whose label is long and has no spaces to break at.
    UserFactory(
        display_name="Martin Hughes",
        email="martin.hughes.commissioning@anytown-council.example.org",
        roles=[Role.COMMISSIONER],
    )

    keyboard_sign_in(page, staff)
    page.goto("/projects/manage/")
    axe(page)
    fits_320()
    follow_link(page, "Create a project")
    page.get_by_role("heading", name="Create a project").wait_for()
    axe(page)
    fits_320()

    # Bad input first: an end date before the start. Everything typed is kept.
    type_into(page, "Project name", "Charging policy review")
    type_into(page, "Summary", "We want to hear how care charges affect people.")
    tab_to(page, page.get_by_label("Service area"))
    page.keyboard.type("Older")
    choose_radio(page, "level", 2)  # Strategic
    tab_to(page, page.locator("#id_start_date_0"))
    page.keyboard.type("1")
    page.keyboard.press("Tab")
    page.keyboard.type("4")
    page.keyboard.press("Tab")
    page.keyboard.type("2026")
    tab_to(page, page.locator("#id_end_date_0"))
    page.keyboard.type("1")
    page.keyboard.press("Tab")
    page.keyboard.type("1")
    page.keyboard.press("Tab")
    page.keyboard.type("2026")
    type_into(page, "Contact name (optional)", "Jo Bloggs")
    press_button(page, "Save and record the step")

    assert page.title().startswith("Error: ")
    summary = page.locator(".govuk-error-summary")
    assert "The end date must be the same as or after the start date" in summary.inner_text()
    assert page.get_by_label("Project name").input_value() == "Charging policy review"
    assert page.get_by_label("Contact name (optional)").input_value() == "Jo Bloggs"
    axe(page)
    assert not Project.objects.exists()

    tab_to(page, page.locator("#id_end_date_2"))
    page.keyboard.press("Control+A")
    page.keyboard.type("2027")
    press_button(page, "Save and record the step")

    # Record the step: claim co-production, but the evidence is consultation.
    page.get_by_role("heading", name="Record the step of participation").wait_for()
    axe(page)
    fits_320()
    choose_radio(page, "claimed_step", 6)  # 7. Co-production
    choose_radio(page, "voluntary", 0)  # Yes
    choose_radio(page, "communication", 2)  # Two-way
    choose_radio(page, "decides", 1)  # The council, after hearing people's views
    choose_radio(page, "first_involved", 1)  # When options had been drafted
    choose_radio(page, "sets_agenda", 1)  # No
    choose_radio(page, "helps_deliver", 1)  # No
    choose_radio(page, "helps_evaluate", 1)  # No
    type_into(page, "Why this is not co-production", REASON)
    press_button(page, "Save the step")

    # The honest warning, in plain words, before anything is saved; the answers are kept.
    page.get_by_role("heading", name="Check before you save the step").wait_for()
    warning = page.locator("#gap-warning").inner_text()
    assert "Your answers show Consultation, not Co-production." in warning
    assert "If you save, the public will see Consultation." in warning
    assert page.locator('input[name="decides"]').nth(1).is_checked()
    assert page.get_by_label("Why this is not co-production").input_value() == REASON
    axe(page)
    fits_320()
    project = Project.objects.get()
    assert project.claimed_step is None
    screenshot(page, "step-warning")

    press_button(page, "Save: the public will see Consultation (step 4)")
    page.get_by_text("Step saved. The public will see: Consultation").wait_for()
    project.refresh_from_db()
    assert (project.claimed_step, project.evidenced_step) == (7, 4)
    assert project.step_changes.count() == 1
    axe(page)

    # Post a "we said, we did" update, then publish.
    follow_link(page, "Post a \u201cwe said, we did\u201d update")
    axe(page)
    type_into(page, "What people said", "Charges are hard to understand.")
    type_into(page, "What we did", "We rewrote the charging leter with residents.")
    press_button(page, "Check your update")
    page.get_by_role("heading", name="Check your update before posting").wait_for()
    axe(page)
    press_button(page, "Post update")
    page.get_by_text("Update posted").wait_for()
    assert Update.objects.filter(project=project).count() == 1

    # A slip in the words is put right; the page says it was corrected.
    tab_to(page, page.get_by_role("link", name=re.compile("^Correct this update")))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    axe(page)
    fits_320()
    tab_to(page, page.get_by_label("What we did", exact=True))
    page.keyboard.press("Control+a")
    page.keyboard.type("We rewrote the charging letter with residents.")
    press_button(page, "Save the correction")
    page.get_by_text("Update corrected").wait_for()
    assert Update.objects.get(project=project).corrected_at is not None

    # People start to set the agenda: the step moves up, and the team says what changed. The
    # claim is still higher than the evidence, so the note must survive the check.
    follow_link(page, "Change the step")
    axe(page)
    fits_320()
    tab_to(page, page.locator('input[name="sets_agenda"]:checked'))  # No, as saved
    page.keyboard.press("ArrowUp")
    assert page.locator('input[name="sets_agenda"]').first.is_checked()
    type_into(page, "What has changed since the step was last recorded? (optional)", CHANGE)
    press_button(page, "Save the step")
    page.get_by_role("heading", name="Check before you save the step").wait_for()
    assert page.get_by_label("What has changed", exact=False).input_value() == CHANGE
    press_button(page, "Save: the public will see Engagement (step 5)")
    page.get_by_text("Step saved. The public will see: Engagement").wait_for()

    # Only a name to contact: publishing is refused, and the error summary leads to where an
    # email address or phone number goes.
    press_button(page, "Publish")
    assert page.title().startswith("Error: ")
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    axe(page)
    fits_320()
    assert not Project.objects.get().is_published
    follow_link(page, "Add a contact email address or phone number before you publish the project")
    assert page.url.endswith("/edit/#id_contact_email")
    type_into(page, "Contact email address (optional)", "charging@anytown.example")
    press_button(page, "Save changes")
    page.get_by_text("Project details saved").wait_for()

    press_button(page, "Publish")
    page.get_by_text("Project published: everyone can now see it").wait_for()
    axe(page)
    fits_320()
    screenshot(page, "detail-staff")

    press_button(page, "Sign out")

    # A visitor finds the project and sees the honest step and the reason.
    page.goto("/projects/")
    axe(page)
    fits_320()
    screenshot(page, "list")
    follow_link(page, "Charging policy review")
    main = page.locator("main").inner_text()
    assert "This project is at step 5 of 7: Engagement." in main
    assert "Why this is not co-production" in main
    assert REASON in main
    assert "Co-production" in main  # on the ladder, as a step
    assert "Claimed by staff" not in main
    assert page.locator('[aria-current="step"]').inner_text().startswith("Step 5: Engagement")
    assert "Moved up the ladder, from Consultation to Engagement" in main
    assert f"What changed: {CHANGE}" in main
    assert "Charges are hard to understand." in main
    assert "Email: charging@anytown.example" in main
    axe(page)
    fits_320()
    screenshot(page, "detail-public")

    follow_link(page, "What the steps mean")
    axe(page)
    fits_320()
    page.go_back()
    follow_link(page, "how we decide the step")
    axe(page)
    fits_320()
    screenshot(page, "how-we-decide")

    page.goto("/updates/")
    assert "We rewrote the charging letter with residents." in page.locator("main").inner_text()
    axe(page)
    fits_320()


def test_filters_and_the_overview_work_by_keyboard_and_pass_axe(page, axe, fits_320):
    from projects.services import record_step
    from tests.projects.factories import CONSULTATION_EVIDENCE, ProjectFactory

    staff = UserFactory(roles=[Role.STAFF])
    for number in range(23):
        title = "Hearing loop survey" if number == 7 else f"Project {number:02d}"
        project = ProjectFactory(title=title, owner=staff)
        record_step(project, by=staff, claimed=7, evidence=CONSULTATION_EVIDENCE, reason="Law.")
    # Old enough to be flagged for no update, so every flag shows on the overview.
    Project.objects.update(created_at=timezone.now() - timedelta(weeks=20))
    page.goto("/projects/?step=banana")
    assert "Choose a step from the list" in page.locator(".govuk-error-summary").inner_text()
    axe(page)
    page.goto("/projects/")
    tab_to(page, page.get_by_label("Search"))
    page.keyboard.type("hearing LOOP")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "1 project found" in page.locator("main").inner_text()
    assert page.get_by_role("link", name="Hearing loop survey").is_visible()
    axe(page)
    page.goto("/projects/")
    follow_link(page, "Next page")
    assert "page=2" in page.url
    axe(page)
    fits_320()

    keyboard_sign_in(page, staff)
    page.goto("/projects/manage/?flag=inflated")
    axe(page)
    fits_320(tables=True)
    screenshot(page, "manage")
    follow_link(page, "Step")
    assert "sort=step" in page.url
    axe(page)
    page.goto(f"/projects/{Project.objects.first().slug}/edit/")
    axe(page)
    fits_320()


def test_a_long_staff_list_narrows_as_you_type_and_keeps_the_team_in_view(
    page, axe, fits_320, sign_in
):
    from tests.factories import ProjectFactory

    owner = UserFactory(display_name="Olu Owner", roles=[Role.STAFF])
    colleague = UserFactory(display_name="Zara Quinn", roles=[Role.STAFF])
    for n in range(30):
        UserFactory(display_name=f"Staff Member {n:02}", roles=[Role.STAFF])
    project = ProjectFactory(owner=owner, slug="long-list")
    project.team.add(colleague)
    sign_in(owner)
    page.goto(f"/projects/{project.slug}/edit/")
    team = page.locator('input[name="team"]')
    # The team comes first, before 31 other members of staff.
    assert team.first.is_checked()

    type_into(page, "Find in this list", "member 2")
    page.keyboard.press("Enter")  # narrows only: the form is not sent

    team_list = page.locator("fieldset", has=page.locator('input[name="team"]'))
    visible = team_list.locator(".govuk-checkboxes__item:visible label")
    names = [label.split(" (")[0] for label in visible.all_inner_texts()]  # without emails
    assert names[0] == "Zara Quinn"  # ticked, so still in view
    assert sorted(names[1:]) == [f"Staff Member {n}" for n in range(20, 30)]
    assert page.get_by_role("status").inner_text() == "Showing 11 of 32"
    assert page.url.endswith("/edit/")
    axe(page)
    fits_320()


def test_closing_a_project_with_sessions_still_to_come_lists_them(page, axe, fits_320):
    from tests.projects.factories import ProjectFactory, make_opportunity

    staff = UserFactory(display_name="Grace Adeyemi", roles=[Role.STAFF])
    project = ProjectFactory(title="Charging policy review", owner=staff)
    session = make_opportunity(project, title="Coffee morning")
    keyboard_sign_in(page, staff)
    page.goto(f"/projects/{project.slug}/edit/")

    # From "Active", as saved, down to "Closed".
    tab_to(page, page.locator('input[name="status"]:checked'))
    page.keyboard.press("ArrowDown")
    assert page.get_by_label("Closed", exact=True).is_checked()
    press_button(page, "Save changes")

    assert page.title().startswith("Error: ")
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Cancel the 1 session still to come" in summary
    assert "Coffee morning" in page.locator("#still-going-ahead + p + ul").inner_text()
    axe(page)
    fits_320()
    screenshot(page, "closing-refused")
    follow_link(page, "Cancel Coffee morning")
    assert page.url.endswith(f"/opportunities/{session.pk}/cancel/")
    project.refresh_from_db()
    assert project.status == Project.Status.ACTIVE
