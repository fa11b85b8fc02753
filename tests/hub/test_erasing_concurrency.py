"""Erasing an account against a colleague handing the person a session or a project at the same
moment, or a claim of theirs being sent, on real PostgreSQL. The pages check what stops erasing
(privacy.erasure_blockers) before the transaction that erases; `privacy.erase` locks the
person's row and checks again. Whichever comes first, either the hand-over is refused (the
person is no longer staff) or the erasure is (they now run something), and nobody is left
running a session or owning a project with an erased account; either the claim is refused or
the erasure is (a claim waiting to be paid), and no claim waits to be paid to an erased account.

Each test makes the two overlap in the order that races (tests.hub.test_handing_over_concurrency
.InTurn): the first checks, the second runs while the first has yet to save (until it has
finished, or waits for a lock the first holds), then the first saves."""

import uuid
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coprod_hub.users import privacy
from coprod_hub.users.models import User
from coprod_hub.users.roles import Role
from participation import services as participation
from participation.models import Opportunity, SignUp
from payments import policy as payment_policy
from payments import services as payments
from payments.models import Claim, ClaimLine, Receipt
from payments.services import claims as claim_services
from projects import services as projects
from projects.models import Project
from tests.concurrency import run_at_once
from tests.factories import PASSWORD, OpportunityFactory, ProjectFactory, SignUpFactory, UserFactory
from tests.hub.test_handing_over_concurrency import NOT_AN_OWNER, NOT_STAFF, InTurn
from tests.payments.conftest import PNG_BYTES
from tests.payments.factories import claim_in_state, make_policy

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def leaving(db):
    """Staff whose account is being erased, at their request."""
    return UserFactory(display_name="Lee Leaving", roles=[Role.STAFF])


def _session_people_booked(runner):
    """A session standing alone, still to come, with someone booked: erasing whoever runs it
    would leave them with nobody to run it (participation.privacy.sessions_to_hand_over)."""
    session = OpportunityFactory(
        title="Carers' cuppa",
        created_by=runner,
        status=Opportunity.Status.PUBLISHED,
        starts_at=timezone.now() + timedelta(days=9),
    )
    SignUpFactory(opportunity=session)
    return session


def _pause_erasing(turns, *, on_the_form=False):
    """Pause the erasure after its check: the one on the page, before the transaction that
    erases (`on_the_form`), or the one in `privacy.erase`, under the lock."""
    check = privacy.erasure_blockers
    paused = turns.paused(check)

    def erasure_blockers(user):
        if connection.in_atomic_block != on_the_form:
            return paused(user)
        return check(user)

    return erasure_blockers


def _erased(person) -> bool:
    return not User.objects.get(pk=person.pk).is_active


def _trail_says_erased(person) -> bool:
    return any(
        "erased" in (changes or {})
        for changes in LogEntry.objects.get_for_object(person).values_list("changes", flat=True)
    )


@pytest.mark.parametrize("first", ["erasing, checked on the form", "erasing", "hand-over"])
def test_a_person_handed_a_session_as_they_delete_their_account_is_never_erased_running_it(
    monkeypatch, staff, leaving, first
):
    session = _session_people_booked(staff)
    page = Client()
    page.force_login(leaving)
    turns = InTurn()
    if first == "hand-over":
        monkeypatch.setattr(
            participation, "lock_and_check_staff", turns.paused(participation.lock_and_check_staff)
        )
    else:
        on_the_form = first == "erasing, checked on the form"
        monkeypatch.setattr(
            privacy, "erasure_blockers", _pause_erasing(turns, on_the_form=on_the_form)
        )

    def erase():
        return page.post(reverse("my_data_erase"), {"password": PASSWORD, "confirm": "on"})

    def hand_over():
        return participation.hand_over_opportunity(
            Opportunity.objects.get(pk=session.pk), to=leaving, by=staff
        )

    if first == "hand-over":
        (handed, erasing), errors = run_at_once([hand_over, turns.second(erase)])
    else:
        (erasing, handed), errors = run_at_once([erase, turns.second(hand_over)])

    runner = Opportunity.objects.get(pk=session.pk).created_by
    if first == "erasing":
        # The hand-over waited for the erasure, then found them no longer staff.
        assert erasing.status_code == 302
        assert len(errors) == 1 and NOT_STAFF in str(errors[0])
        assert (runner, _erased(leaving), _trail_says_erased(leaving)) == (staff, True, True)
    else:
        # The hand-over was saved before the erasure looked again, under the lock.
        assert errors == [] and handed is not None
        assert erasing.status_code == 200
        assert "There is a problem" in erasing.text
        assert "You run a session still to come that people have booked" in erasing.text
        assert "“Carers&#x27; cuppa”" in erasing.text
        assert (runner, _erased(leaving), _trail_says_erased(leaving)) == (leaving, False, False)
        assert User.objects.get(pk=leaving.pk).has_role(Role.STAFF)


def _hand_over(thing, *, to, by):
    if isinstance(thing, Project):
        return projects.update_project(Project.objects.get(pk=thing.pk), by=by, owner=to)
    return participation.hand_over_opportunity(Opportunity.objects.get(pk=thing.pk), to=to, by=by)


def _who_runs(thing):
    if isinstance(thing, Project):
        return Project.objects.get(pk=thing.pk).owner
    return Opportunity.objects.get(pk=thing.pk).created_by


@pytest.mark.parametrize("handed", ["session", "project"])
@pytest.mark.parametrize("first", ["erasing", "hand-over"])
def test_an_admin_never_erases_someone_as_they_are_handed_something_to_run(
    monkeypatch, admin_user, staff, leaving, handed, first
):
    if handed == "session":
        thing, module, refusal = _session_people_booked(staff), participation, NOT_STAFF
    else:
        thing = ProjectFactory(title="Day services review", owner=staff)
        module, refusal = projects, NOT_AN_OWNER
    page = Client()
    page.force_login(admin_user)
    turns = InTurn()
    if first == "hand-over":
        monkeypatch.setattr(
            module, "lock_and_check_staff", turns.paused(module.lock_and_check_staff)
        )
    else:
        monkeypatch.setattr(privacy, "erasure_blockers", _pause_erasing(turns))

    def erase():
        return page.post(
            reverse("admin:users_user_changelist"),
            {"action": "erase_data", "_selected_action": [leaving.pk], "post": "yes"},
            follow=True,
        )

    def hand_over():
        return _hand_over(thing, to=leaving, by=staff)

    if first == "hand-over":
        (_, erasing), errors = run_at_once([hand_over, turns.second(erase)])
    else:
        (erasing, _), errors = run_at_once([erase, turns.second(hand_over)])

    if first == "erasing":
        assert "Erased the personal data of 1 person(s)." in erasing.text
        assert len(errors) == 1 and refusal in str(errors[0])
        assert (_who_runs(thing), _erased(leaving), _trail_says_erased(leaving)) == (
            staff,
            True,
            True,
        )
    else:
        assert errors == []
        assert "Not erased Lee Leaving" in erasing.text
        assert "Erased the personal data of 0 person(s)." in erasing.text
        assert (_who_runs(thing), _erased(leaving), _trail_says_erased(leaving)) == (
            leaving,
            False,
            False,
        )


@pytest.mark.parametrize("status", [Claim.Status.DRAFT, Claim.Status.RETURNED])
@pytest.mark.parametrize("first", ["erasing", "sending"])
def test_a_claim_sent_as_its_claimant_deletes_their_account_is_never_left_waiting_to_be_paid(
    monkeypatch, commissioner, first, status
):
    """A draft, or a claim we returned, sent from one tab as the person deletes their account
    from another. Erasing, their drafts are deleted and a returned claim is kept unsent; a
    claim waiting to be paid stops erasing. Whichever comes first, either the claim is sent and
    the account kept, or the account is erased and the claim never sent."""
    make_policy()
    person = UserFactory(display_name="Priya Shah")
    claim = claim_in_state(person, status=status, reviewer=commissioner)
    page = Client()
    page.force_login(person)
    turns = InTurn()
    if first == "sending":
        # Paused once it has checked the claim, under its locks, before saving it as sent.
        monkeypatch.setattr(
            claim_services,
            "submission_problems",
            turns.paused(claim_services.submission_problems),
        )
    else:
        monkeypatch.setattr(privacy, "erasure_blockers", _pause_erasing(turns))

    def erase():
        return page.post(reverse("my_data_erase"), {"password": PASSWORD, "confirm": "on"})

    def send():
        return payments.submit_claim(
            Claim.objects.get(pk=claim.pk), by=person, benefits_acknowledged=True
        )

    if first == "sending":
        (sent, erasing), errors = run_at_once([send, turns.second(erase)])
    else:
        (erasing, sent), errors = run_at_once([erase, turns.second(send)])

    kept = Claim.objects.filter(pk=claim.pk).first()
    if first == "erasing":
        # Sending waited for the erasure, then found the account gone.
        assert erasing.status_code == 302
        assert len(errors) == 1 and isinstance(errors[0], payments.PaymentError)
        assert str(errors[0]) == "This claim cannot be sent: you have deleted your account."
        assert (_erased(person), _trail_says_erased(person)) == (True, True)
        if status == Claim.Status.DRAFT:
            assert kept is None  # drafts go with the account
        else:
            assert kept.status == Claim.Status.RETURNED
    else:
        # Sent before erasing looked again, under the lock: a claim waiting to be paid.
        assert errors == [] and sent.status == Claim.Status.SUBMITTED
        assert erasing.status_code == 200
        assert "There is a problem" in erasing.text
        assert "You have a claim waiting to be approved or paid" in erasing.text
        assert kept.status == Claim.Status.SUBMITTED
        assert (_erased(person), _trail_says_erased(person)) == (False, False)


@pytest.mark.parametrize("first", ["erasing", "hand-over"])
def test_a_session_handed_to_someone_booked_on_it_as_they_delete_their_account(
    monkeypatch, staff, leaving, first
):
    """Erasing gives up the places the person booked, so it locks their account row, then the
    session; handing the session over locks both too. Taken in the same order, neither waits
    for the other for ever (a deadlock: the database would stop one with an error)."""
    session = _session_people_booked(staff)
    SignUpFactory(opportunity=session, resident=leaving)
    page = Client()
    page.force_login(leaving)
    turns = InTurn()
    if first == "hand-over":
        monkeypatch.setattr(
            participation, "lock_and_check_staff", turns.paused(participation.lock_and_check_staff)
        )
    else:
        monkeypatch.setattr(privacy, "erasure_blockers", _pause_erasing(turns))

    def erase():
        return page.post(reverse("my_data_erase"), {"password": PASSWORD, "confirm": "on"})

    def hand_over():
        return participation.hand_over_opportunity(
            Opportunity.objects.get(pk=session.pk), to=leaving, by=staff
        )

    if first == "hand-over":
        (handed, erasing), errors = run_at_once([hand_over, turns.second(erase)])
    else:
        (erasing, handed), errors = run_at_once([erase, turns.second(hand_over)])

    runner = Opportunity.objects.get(pk=session.pk).created_by
    place = SignUp.objects.filter(opportunity=session, resident=leaving).first()
    if first == "erasing":
        # The hand-over waited for the erasure, then found them no longer staff.
        assert erasing.status_code == 302
        assert len(errors) == 1 and NOT_STAFF in str(errors[0]), errors
        assert (runner, _erased(leaving), place) == (staff, True, None)  # their place given up
    else:
        assert errors == [] and handed is not None
        assert erasing.status_code == 200
        assert "You run a session still to come that people have booked" in erasing.text
        assert (runner, _erased(leaving), place.status) == (leaving, False, SignUp.Status.BOOKED)


@pytest.mark.parametrize("first", ["erasing", "moving"])
def test_a_session_moved_out_of_its_project_as_whoever_added_it_deletes_their_account(
    monkeypatch, staff, leaving, first
):
    """Out of its project, a session is run by whoever added it while they are staff, or else
    by whoever moved it (participation.services.update_opportunity), which locks both account
    rows. Whoever added it is booked on it, so erasing their account locks their row, then the
    session (to give up their place). Moving it takes the rows in that order too, so neither
    waits for the other for ever (a deadlock: the database would stop one with an error), and
    the session is never left run by an erased account."""
    project = ProjectFactory(owner=staff, status=Project.Status.ACTIVE)
    session = _session_people_booked(leaving)
    Opportunity.objects.filter(pk=session.pk).update(project=project)
    SignUpFactory(opportunity=session, resident=leaving)
    page = Client()
    page.force_login(leaving)
    turns = InTurn()
    if first == "moving":
        # Paused once it holds the session, before it checks who may run it.
        monkeypatch.setattr(
            participation, "_check_opportunity", turns.paused(participation._check_opportunity)
        )
    else:
        monkeypatch.setattr(privacy, "erasure_blockers", _pause_erasing(turns))

    def erase():
        return page.post(reverse("my_data_erase"), {"password": PASSWORD, "confirm": "on"})

    def move():
        return participation.update_opportunity(
            Opportunity.objects.get(pk=session.pk),
            by=staff,
            project=None,
            topic=project.service_area,
            level="service",
            step=5,
            not_coproduction_reason="The council decides; we want carers' views first.",
        )

    if first == "moving":
        (moved, erasing), errors = run_at_once([move, turns.second(erase)])
    else:
        (erasing, moved), errors = run_at_once([erase, turns.second(move)])

    assert errors == [] and moved is not None
    session = Opportunity.objects.get(pk=session.pk)
    place = SignUp.objects.filter(opportunity=session, resident=leaving).first()
    assert session.project is None
    if first == "erasing":
        # Moving waited for the erasure, then found them no longer staff: the mover runs it.
        assert erasing.status_code == 302
        assert (session.created_by, _erased(leaving), place) == (staff, True, None)
    else:
        # Moved before erasing looked again, under the lock: they run a session people booked.
        assert erasing.status_code == 200
        assert "You run a session still to come that people have booked" in erasing.text
        assert (session.created_by, _erased(leaving), place.status) == (
            leaving,
            False,
            SignUp.Status.BOOKED,
        )


@pytest.fixture
def receipts_folder(settings, tmp_path):
    """Receipts go to a throwaway folder, never the real private-media folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": None},
        },
    }
    return tmp_path / "private"


def _files_in(folder) -> list:
    return [path for path in folder.rglob("*") if path.is_file()]


@pytest.mark.parametrize("status", [Claim.Status.DRAFT, Claim.Status.RETURNED])
@pytest.mark.parametrize("first", ["erasing", "adding"])
def test_an_expense_added_as_its_claimant_deletes_their_account_leaves_nothing_of_theirs(
    monkeypatch, commissioner, receipts_folder, first, status
):
    """An expense with its receipt added to a draft, or to a claim we returned, from one tab
    as the person deletes their account from another. Erasing deletes drafts with their
    receipts, and blanks what a kept claim says about the person. Whichever comes first, the
    expense is saved and then erased with the rest, or it is refused, saying why: never an
    expense or a receipt file kept about someone erased, and never an error page."""
    make_policy()
    person = UserFactory(display_name="Priya Shah")
    claim = claim_in_state(person, status=status, reviewer=commissioner)
    page, tab = Client(), Client()
    page.force_login(person)
    tab.force_login(person)
    turns = InTurn()
    if first == "adding":
        # Paused once the receipt is stored and the expense checked again by the service,
        # under its locks (the form checks it first, outside any transaction).
        check, paused = payment_policy.check_expense, turns.paused(payment_policy.check_expense)
        monkeypatch.setattr(
            payment_policy,
            "check_expense",
            lambda *args, **kwargs: (paused if connection.in_atomic_block else check)(
                *args, **kwargs
            ),
        )
    else:
        monkeypatch.setattr(privacy, "erasure_blockers", _pause_erasing(turns))

    def erase():
        return page.post(reverse("my_data_erase"), {"password": PASSWORD, "confirm": "on"})

    def add():
        return tab.post(
            reverse("payments:expense_add", args=[claim.pk]),
            {
                "category": "meals",
                "description": "Lunch at the day centre",
                "amount": "6.50",
                "receipt": SimpleUploadedFile("lunch.png", PNG_BYTES),
            },
        )

    if first == "adding":
        (added, erasing), errors = run_at_once([add, turns.second(erase)])
    else:
        (erasing, added), errors = run_at_once([erase, turns.second(add)])

    assert errors == []
    assert erasing.status_code == 302  # erased, either way
    assert (_erased(person), _trail_says_erased(person)) == (True, True)
    kept = Claim.objects.filter(pk=claim.pk).first()
    lines = ClaimLine.objects.filter(claim=claim, kind=ClaimLine.Kind.EXPENSE)
    if first == "erasing":
        # Adding waited for the erasure, then found the account gone.
        assert added.status_code == 200
        assert "This claim cannot be changed: you have deleted your account." in added.text
    else:
        assert added.status_code == 302
    if status == Claim.Status.DRAFT:
        assert (kept, list(lines), list(Receipt.objects.all()), _files_in(receipts_folder)) == (
            None,
            [],
            [],
            [],
        )
    elif first == "erasing":
        # Only the bus fare it was returned with, no longer described.
        assert [(line.category, line.description) for line in lines] == [("public_transport", "")]
        assert (list(Receipt.objects.all()), _files_in(receipts_folder)) == ([], [])
    else:
        # Kept with the claim, as its evidence, but no longer saying what it was.
        assert sorted((line.category, line.description) for line in lines) == [
            ("meals", ""),
            ("public_transport", ""),
        ]
        assert [receipt.original_name for receipt in Receipt.objects.all()] == ["receipt"]
        assert len(_files_in(receipts_folder)) == 1


@pytest.mark.parametrize("first", ["erasing", "messaging"])
def test_a_message_to_everyone_booked_as_one_of_them_deletes_their_account(
    monkeypatch, staff, first
):
    """Staff's message to everyone booked locks the session, then queues a message to each of
    them, which points to their account. Erasing locks the account, then the sessions the
    person is booked on (to give up their place). Erasing's lock lets messages that point to
    the account be added (handing_over.lock_account says why), so neither waits for the other
    for ever (a deadlock: one of them would see an error page), and the person's copy goes
    with the rest of their messages."""
    from notifications.models import Message

    person = UserFactory(display_name="Priya Shah")
    session = _session_people_booked(staff)
    SignUpFactory(opportunity=session, resident=person)
    page = Client()
    page.force_login(person)
    turns = InTurn()
    if first == "messaging":
        # Paused once it holds the session and has read who is booked, before queuing.
        monkeypatch.setattr(
            participation,
            "_group_message_context",
            turns.paused(participation._group_message_context),
        )
    else:
        monkeypatch.setattr(privacy, "erasure_blockers", _pause_erasing(turns))

    def erase():
        return page.post(reverse("my_data_erase"), {"password": PASSWORD, "confirm": "on"})

    def message():
        return participation.message_group(
            Opportunity.objects.get(pk=session.pk),
            by=staff,
            token=uuid.uuid4(),
            subject="Parking",
            text="The car park is shut on the day.",
        )

    if first == "messaging":
        (sent, erasing), errors = run_at_once([message, turns.second(erase)])
    else:
        (erasing, sent), errors = run_at_once([erase, turns.second(message)])

    assert errors == [] and sent is not None
    assert erasing.status_code == 302
    assert (_erased(person), _trail_says_erased(person)) == (True, True)
    assert not SignUp.objects.filter(opportunity=session, resident=person).exists()
    to_them = Message.objects.filter(recipient=person, kind="group_message")
    assert [message.subject for message in to_them] == []
    assert Message.objects.filter(kind="group_message").exclude(recipient=person).count() == 1
