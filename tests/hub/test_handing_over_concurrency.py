"""The administrator's "hand over first" check against what happens at the same moment, on real
PostgreSQL: a session or a project handed to the person whose staff role is being taken away,
a session they add themselves, and two administrators taking the commissioner role from the only
two commissioners who may decide a claim. Whichever comes first, one of the two is refused and
nothing is left that nobody may run or decide.

Each test makes the two overlap in the order that races: the first checks, then the second
runs while the first has yet to save (until it has finished, or waits for a lock the first
holds), then the first saves."""

import threading
import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coprod_hub.users import admin as users_admin
from coprod_hub.users.roles import Role
from participation import services as participation
from participation.models import Opportunity
from payments.models import Claim
from payments.services.review import review_block_reason
from projects import services as projects
from projects.models import Project
from tests.concurrency import run_at_once
from tests.factories import OpportunityFactory, ProjectFactory, ServiceAreaFactory, UserFactory
from tests.payments.factories import claim_in_state, make_policy
from tests.projects.test_admin_and_pages import _admin_form

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    # Django's own password box on the admin's page reads an unset variable.
    pytest.mark.ignore_template_errors,
]

NOT_STAFF = "cannot run sessions, as they are not a member of staff"
NOT_AN_OWNER = "cannot own a project, as they are not a member of staff"
STILL_RUNS = "still runs things that would be left with nobody to run them"


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _waits_for_a_lock(pid) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT cardinality(pg_blocking_pids(%s)) > 0", [pid])
        return cursor.fetchone()[0]


class InTurn:
    """The order that races: `paused(check)` is what the first runs; `second(function)` is the
    second. The second starts once the first has checked; the first goes on to save once the
    second has finished, or waits for a lock (which only the first can be holding)."""

    def __init__(self):
        self.checked = threading.Event()
        self.second_done = threading.Event()
        self.second_pid = None

    def paused(self, check):
        def checked_then_paused(*args, **kwargs):
            result = check(*args, **kwargs)
            if not self.checked.is_set():  # the first call only: the second may call it too
                self.checked.set()
                self._until_the_second_finishes_or_waits()
            return result

        return checked_then_paused

    def second(self, function):
        def after_the_first_checked():
            assert self.checked.wait(timeout=20), "The first never checked"
            self.second_pid = _backend_pid()
            try:
                return function()
            finally:
                self.second_done.set()

        return after_the_first_checked

    def _until_the_second_finishes_or_waits(self):
        deadline = time.monotonic() + 20
        while not self.second_done.is_set() and time.monotonic() < deadline:
            if self.second_pid is not None and _waits_for_a_lock(self.second_pid):
                return
            time.sleep(0.01)


def _take_roles(client, person, roles):
    """An administrator's save of the person's admin page, ticking `roles` and no others."""
    data = {
        "email": person.email,
        "display_name": person.display_name,
        "groups": [Group.objects.get_or_create(name=str(role))[0].pk for role in roles],
        "is_active": "on",
        "is_staff": "",
        "is_superuser": "",
    }
    return client.post(reverse("admin:users_user_change", args=[person.pk]), data)


def _has(person, role) -> bool:
    return person.groups.filter(name=str(role)).exists()


@pytest.fixture
def admin(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def leaving(db):
    """Staff whose staff role an administrator is taking away."""
    return UserFactory(display_name="Lee Leaving", roles=[Role.STAFF])


def _in_order(first_name, turns, *, admin_side, other_side):
    """The two as `run_at_once` takes them: `first_name` ("admin" or the other) checks first."""
    if first_name == "admin":
        return [admin_side, turns.second(other_side)]
    return [turns.second(admin_side), other_side]


def _outcome(results, errors, refusal):
    """Whether the administrator (first in `results`) saved (True) or was refused (False); and
    that exactly one of the two was refused, with words people read, and nothing crashed."""
    response = results[0]
    assert response is not None, errors
    if response.status_code == 302:
        assert len(errors) == 1 and isinstance(errors[0], refusal), errors
        return True
    assert errors == [], errors
    assert STILL_RUNS in response.text
    return False


@pytest.mark.parametrize("first", ["admin", "hand-over"])
def test_a_session_handed_to_someone_losing_the_staff_role_is_never_left_with_them(
    monkeypatch, admin, staff, leaving, first
):
    session = OpportunityFactory(created_by=staff, starts_at=timezone.now() + timedelta(days=9))
    turns = InTurn()
    if first == "admin":
        monkeypatch.setattr(
            users_admin, "still_to_hand_over", turns.paused(users_admin.still_to_hand_over)
        )
    else:
        monkeypatch.setattr(
            participation, "lock_and_check_staff", turns.paused(participation.lock_and_check_staff)
        )

    results, errors = run_at_once(
        _in_order(
            first,
            turns,
            admin_side=lambda: _take_roles(admin, leaving, [Role.RESIDENT]),
            other_side=lambda: participation.hand_over_opportunity(
                Opportunity.objects.get(pk=session.pk), to=leaving, by=staff
            ),
        )
    )

    role_taken = _outcome(results, errors, participation.ParticipationError)
    runner = Opportunity.objects.get(pk=session.pk).created_by
    if role_taken:
        assert NOT_STAFF in str(errors[0])
        assert (runner, _has(leaving, Role.STAFF)) == (staff, False)
    else:
        assert (runner, _has(leaving, Role.STAFF)) == (leaving, True)
    assert (role_taken, first) in [(True, "admin"), (False, "hand-over")]


@pytest.mark.parametrize("first", ["admin", "hand-over"])
def test_a_project_handed_to_someone_losing_the_staff_role_is_never_left_with_them(
    monkeypatch, admin, staff, leaving, first
):
    project = ProjectFactory(owner=staff, status=Project.Status.ACTIVE)
    turns = InTurn()
    if first == "admin":
        monkeypatch.setattr(
            users_admin, "still_to_hand_over", turns.paused(users_admin.still_to_hand_over)
        )
    else:
        monkeypatch.setattr(
            projects, "lock_and_check_staff", turns.paused(projects.lock_and_check_staff)
        )

    results, errors = run_at_once(
        _in_order(
            first,
            turns,
            admin_side=lambda: _take_roles(admin, leaving, [Role.RESIDENT]),
            other_side=lambda: projects.update_project(
                Project.objects.get(pk=project.pk), by=staff, owner=leaving
            ),
        )
    )

    role_taken = _outcome(results, errors, projects.ProjectError)
    owner = Project.objects.get(pk=project.pk).owner
    if role_taken:
        assert NOT_AN_OWNER in str(errors[0])
        assert (owner, _has(leaving, Role.STAFF)) == (staff, False)
    else:
        assert (owner, _has(leaving, Role.STAFF)) == (leaving, True)
    assert (role_taken, first) in [(True, "admin"), (False, "hand-over")]


@pytest.mark.parametrize("first", ["admin", "hand-over"])
def test_a_project_handed_over_on_its_admin_page_is_never_left_with_someone_losing_the_role(
    monkeypatch, admin, admin_user, staff, leaving, first
):
    project = ProjectFactory(owner=staff, status=Project.Status.ACTIVE)
    page = Client()
    page.force_login(admin_user)
    url = reverse("admin:projects_project_change", args=[project.pk])
    data = {**_admin_form(page, url), "owner": [str(leaving.pk)]}
    turns = InTurn()
    if first == "admin":
        monkeypatch.setattr(
            users_admin, "still_to_hand_over", turns.paused(users_admin.still_to_hand_over)
        )
    else:
        monkeypatch.setattr(
            projects, "lock_and_check_staff", turns.paused(projects.lock_and_check_staff)
        )

    (removal, handing), errors = run_at_once(
        _in_order(
            first,
            turns,
            admin_side=lambda: _take_roles(admin, leaving, [Role.RESIDENT]),
            other_side=lambda: page.post(url, data),
        )
    )

    assert errors == []
    owner = Project.objects.get(pk=project.pk).owner
    if first == "admin":
        assert (removal.status_code, handing.status_code) == (302, 200)
        assert NOT_AN_OWNER in handing.text
        assert (owner, _has(leaving, Role.STAFF)) == (staff, False)
    else:
        assert (removal.status_code, handing.status_code) == (200, 302)
        assert STILL_RUNS in removal.text
        assert (owner, _has(leaving, Role.STAFF)) == (leaving, True)


@pytest.mark.parametrize("first", ["admin", "adding"])
def test_a_session_someone_adds_as_they_lose_the_staff_role_is_never_left_with_them(
    monkeypatch, admin, leaving, first
):
    turns = InTurn()
    if first == "admin":
        monkeypatch.setattr(
            users_admin, "still_to_hand_over", turns.paused(users_admin.still_to_hand_over)
        )
    else:
        monkeypatch.setattr(
            participation, "lock_and_check_staff", turns.paused(participation.lock_and_check_staff)
        )
    starts_at = timezone.now() + timedelta(days=9)
    fields = {
        "title": "Carers' cuppa",
        "description": "A chat about short breaks.",
        "kind": Opportunity.Kind.DROP_IN,
        "format": Opportunity.Format.ONLINE,
        "topic": ServiceAreaFactory(),
        "level": "service",
        "step": 5,
        "not_coproduction_reason": "The council decides; we want carers' views first.",
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=1),
        "capacity": 8,
    }

    results, errors = run_at_once(
        _in_order(
            first,
            turns,
            admin_side=lambda: _take_roles(admin, leaving, [Role.RESIDENT]),
            other_side=lambda: participation.create_opportunity(by=leaving, **fields),
        )
    )

    role_taken = _outcome(results, errors, participation.ParticipationError)
    added = Opportunity.objects.filter(title="Carers' cuppa").exists()
    assert (added, _has(leaving, Role.STAFF)) == (not role_taken, not role_taken)
    assert (role_taken, first) in [(True, "admin"), (False, "adding")]


def test_two_admins_cannot_take_the_role_from_both_commissioners_who_may_decide_a_claim(
    monkeypatch, admin_user, commissioner
):
    make_policy()
    claim = claim_in_state(UserFactory(display_name="Priya Shah"), status=Claim.Status.SUBMITTED)
    second_commissioner = UserFactory(display_name="Cleo Second", roles=[Role.COMMISSIONER])
    admins = []
    for person in (admin_user, UserFactory(roles=[], is_superuser=True, is_staff=True)):
        admins.append(Client())
        admins[-1].force_login(person)
    turns = InTurn()
    monkeypatch.setattr(
        users_admin, "still_to_hand_over", turns.paused(users_admin.still_to_hand_over)
    )

    results, errors = run_at_once(
        [
            lambda: _take_roles(admins[0], commissioner, [Role.STAFF]),
            turns.second(lambda: _take_roles(admins[1], second_commissioner, [Role.STAFF])),
        ]
    )

    assert errors == []
    assert [response.status_code for response in results] == [302, 200]
    assert "1 sent claim is waiting for a decision" in results[1].text
    assert not _has(commissioner, Role.COMMISSIONER)
    assert _has(second_commissioner, Role.COMMISSIONER)
    # The commissioner left with the role may still decide it.
    assert review_block_reason(Claim.objects.get(pk=claim.pk), second_commissioner) is None


@pytest.mark.parametrize("first", ["admin", "moving"])
def test_a_session_moved_out_of_its_project_is_never_left_with_someone_losing_the_staff_role(
    monkeypatch, admin, staff, leaving, first
):
    """Out of its project, the session is run by whoever added it (participation.services.
    update_opportunity), if they are still staff; if not, by whoever moved it."""
    project = ProjectFactory(owner=staff, status=Project.Status.ACTIVE)
    session = OpportunityFactory(
        project=project, created_by=leaving, starts_at=timezone.now() + timedelta(days=9)
    )
    turns = InTurn()
    if first == "admin":
        monkeypatch.setattr(
            users_admin, "still_to_hand_over", turns.paused(users_admin.still_to_hand_over)
        )
    else:
        monkeypatch.setattr(
            participation, "lock_and_check_staff", turns.paused(participation.lock_and_check_staff)
        )

    results, errors = run_at_once(
        _in_order(
            first,
            turns,
            admin_side=lambda: _take_roles(admin, leaving, [Role.RESIDENT]),
            other_side=lambda: participation.update_opportunity(
                Opportunity.objects.get(pk=session.pk),
                by=staff,
                project=None,
                topic=project.service_area,
                level="service",
                step=5,
                not_coproduction_reason="The council decides; we want carers' views first.",
            ),
        )
    )

    assert errors == [] and results[1] is not None
    moved = Opportunity.objects.get(pk=session.pk)
    assert moved.project is None
    if first == "admin":
        assert results[0].status_code == 302
        assert (moved.created_by, _has(leaving, Role.STAFF)) == (staff, False)
    else:
        assert results[0].status_code == 200 and STILL_RUNS in results[0].text
        assert (moved.created_by, _has(leaving, Role.STAFF)) == (leaving, True)
