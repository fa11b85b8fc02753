"""A new fee rate or expense rule (or a planned one removed) changes what people already
booked on later sessions will be paid. The commissioner sees how many before saving, and the
people booked, offered a place or waiting are told, as when staff change a session's fee."""

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import dateformat, timezone

from notifications.kinds import Category
from notifications.models import Message, Unsubscribe
from participation.models import Opportunity, SignUp
from payments import services
from payments.models import ExpenseRule, FeeRate
from payments.services import policy_changes
from tests.factories import UserFactory

from .factories import OpportunityFactory, make_policy

TODAY = timezone.localdate()
STARTS = TODAY + timedelta(days=30)
STARTS_WORDS = dateformat.format(STARTS, "j F Y")


def _at(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _session(day=STARTS, **fields):
    """A two-hour session, paid by the hour, that pays expenses, with places to book."""
    fields = {
        "starts_at": _at(day),
        "status": Opportunity.Status.PUBLISHED,
        "fee_basis": Opportunity.FeeBasis.PER_HOUR,
        **fields,
    }
    return OpportunityFactory(**fields)


def _place(session, status=SignUp.Status.BOOKED, person=None):
    now = timezone.now()
    extra = {
        SignUp.Status.WAITING: {"waiting_since": now},
        SignUp.Status.OFFERED: {"offer_expires_at": now + timedelta(days=1)},
    }.get(status, {})
    return SignUp.objects.create(
        opportunity=session,
        resident=person or UserFactory(),
        status=status,
        status_changed_at=now,
        **extra,
    )


def _told(kind="opportunity_changed"):
    return Message.objects.filter(kind=kind)


@pytest.fixture
def policy(db):
    make_policy()  # £20 an hour, taxis up to £40 with agreement, and so on.


@pytest.fixture
def booked(policy):
    """A session on the day the change starts: one person booked, one offered a place and one
    waiting; and people who are not told: one who cancelled, one whose account closed."""
    session = _session(title="Budget workshop")
    people = [
        _place(session).resident,
        _place(session, SignUp.Status.OFFERED).resident,
        _place(session, SignUp.Status.WAITING).resident,
    ]
    _place(session, SignUp.Status.CANCELLED)
    closed = _place(session).resident
    closed.is_active = False
    closed.save()
    return session, people


class TestANewFeeRate:
    def test_people_booked_offered_or_waiting_are_told_their_new_fee(self, booked, commissioner):
        session, people = booked

        rate = services.add_fee_rate(
            by=commissioner, basis="per_hour", amount_pence=1500, starts_on=STARTS
        )

        messages = _told()
        assert {message.recipient for message in messages} == set(people)
        for message in messages:
            assert "We have changed the fee for Budget workshop." in message.body_text
            assert "The fee for your time is now £30 (2 hours at £15 an hour)." in (
                message.body_text
            )
            assert f"This is because our payment policy changes on {STARTS_WORDS}." in (
                message.body_text
            )
            assert message.event_key == (
                f"opportunity:{session.pk}:opportunity_changed:fee-rate-{rate.pk}"
            )

    def test_it_is_sent_even_to_people_who_stopped_messages_about_their_places(
        self, booked, commissioner
    ):
        _, people = booked
        for person in people:
            Unsubscribe.objects.create(user=person, category=Category.SIGN_UPS)

        services.add_fee_rate(
            by=commissioner, basis="per_hour", amount_pence=1500, starts_on=STARTS
        )

        assert _told().count() == 3
        assert not _told().filter(status=Message.Status.SKIPPED).exists()

    def test_sessions_whose_fee_does_not_change_are_left_alone(self, policy, commissioner):
        earlier = _session(day=STARTS - timedelta(days=1))
        half_day = _session(fee_basis=Opportunity.FeeBasis.HALF_DAY)
        unpaid = _session(fee_basis=Opportunity.FeeBasis.NONE)
        cancelled = _session(status=Opportunity.Status.CANCELLED)
        draft = _session(status=Opportunity.Status.DRAFT)
        for session in (earlier, half_day, unpaid, cancelled, draft):
            _place(session)

        services.add_fee_rate(
            by=commissioner, basis="per_hour", amount_pence=1500, starts_on=STARTS
        )

        assert not _told().exists()

    def test_the_same_amount_again_tells_nobody(self, booked, commissioner):
        services.add_fee_rate(
            by=commissioner, basis="per_hour", amount_pence=2000, starts_on=STARTS
        )

        assert not _told().exists()

    def test_sessions_after_a_later_planned_rate_keep_that_one(self, booked, commissioner):
        later = STARTS + timedelta(days=10)
        FeeRate.objects.create(basis="per_hour", amount_pence=2500, starts_on=later)
        after = _session(day=later + timedelta(days=1), title="After the next change")
        _place(after)

        services.add_fee_rate(
            by=commissioner, basis="per_hour", amount_pence=1500, starts_on=STARTS
        )

        assert _told().count() == 3
        assert not _told().filter(opportunity=after).exists()

    def test_a_fee_rate_that_cannot_be_saved_tells_nobody(self, booked, commissioner):
        FeeRate.objects.create(basis="per_hour", amount_pence=1800, starts_on=STARTS)

        with pytest.raises(services.PaymentError):
            services.add_fee_rate(
                by=commissioner, basis="per_hour", amount_pence=1500, starts_on=STARTS
            )

        assert not _told().exists()

    def test_the_messages_are_saved_with_the_rate_or_not_at_all(
        self, booked, commissioner, monkeypatch
    ):
        def broken(*args, **kwargs):
            raise RuntimeError("the outbox is down")

        monkeypatch.setattr(policy_changes, "queue_messages_for_events", broken)

        with pytest.raises(RuntimeError):
            services.add_fee_rate(
                by=commissioner, basis="per_hour", amount_pence=1500, starts_on=STARTS
            )

        assert not FeeRate.objects.filter(starts_on=STARTS).exists()

    def test_telling_more_people_takes_no_more_queries(self, policy, commissioner):
        def add_rate_with(people, day):
            session = _session(day=day)
            for _ in range(people):
                _place(session)
            with CaptureQueriesContext(connection) as queries:
                services.add_fee_rate(
                    by=commissioner, basis="per_hour", amount_pence=1500, starts_on=day
                )
            return len(queries.captured_queries)

        add_rate_with(1, STARTS + timedelta(days=200))  # what is looked up once, first
        few = add_rate_with(2, STARTS + timedelta(days=100))
        many = add_rate_with(8, STARTS)

        assert _told().count() == 11
        assert many == few


class TestTheFeeRateForm:
    TYPED = {
        "basis": "per_hour",
        "amount": "15",
        "starts_on_0": str(STARTS.day),
        "starts_on_1": str(STARTS.month),
        "starts_on_2": str(STARTS.year),
    }

    def test_the_check_page_says_how_many_sessions_and_people_before_saving(
        self, client, booked, commissioner
    ):
        second = _session(day=STARTS + timedelta(days=3))
        _place(second, person=booked[1][0])
        _place(second)
        client.force_login(commissioner)

        page = client.post(reverse("payments:add_fee_rate"), self.TYPED).content.decode()

        assert "Check the new rate before saving" in page
        assert "£20 an hour" in page and "£15 an hour" in page
        assert (
            f"This changes the fee for 2 sessions from {STARTS_WORDS}, with 4 people booked "
            "or waiting. We will tell them."
        ) in page
        assert not FeeRate.objects.filter(starts_on=STARTS).exists()
        assert not _told().exists()

    def test_saving_from_the_check_page_tells_them(self, client, booked, commissioner):
        client.force_login(commissioner)

        response = client.post(reverse("payments:add_fee_rate"), self.TYPED | {"send": "yes"})

        assert response.status_code == 302
        assert FeeRate.objects.get(starts_on=STARTS).amount_pence == 1500
        assert _told().count() == 3

    def test_change_the_rate_goes_back_to_the_form_with_what_was_typed(
        self, client, booked, commissioner
    ):
        client.force_login(commissioner)

        page = client.post(
            reverse("payments:add_fee_rate"), self.TYPED | {"change": "yes"}
        ).content.decode()

        assert "Add a new fee rate" in page and 'value="15"' in page
        assert not FeeRate.objects.filter(starts_on=STARTS).exists()

    def test_a_rate_that_changes_nobodys_fee_says_so(self, client, policy, commissioner):
        client.force_login(commissioner)

        page = client.post(reverse("payments:add_fee_rate"), self.TYPED).content.decode()

        assert (
            f"No sessions that people have booked or are waiting for from {STARTS_WORDS} are "
            "paid differently, so nobody needs to be told."
        ) in page


class TestANewExpenseRule:
    def test_people_are_told_we_no_longer_pay_for_taxis(self, booked, commissioner):
        session, people = booked
        online = _session(format=Opportunity.Format.ONLINE, venue=None)
        no_expenses = _session(pays_expenses=False)
        for other in (online, no_expenses):
            _place(other)

        rule = services.add_expense_rule(
            by=commissioner, category="taxi", starts_on=STARTS, allowed=False
        )

        messages = _told()
        assert {message.recipient for message in messages} == set(people)
        message = messages.first()
        assert "We have changed what we pay for expenses for Budget workshop." in (
            message.body_text
        )
        assert "We no longer pay for taxi (agreed with us before the journey)." in (
            message.body_text
        )
        assert message.event_key.endswith(f":expense-rule-{rule.pk}")

    def test_a_lower_mileage_rate_and_cap_say_what_we_pay_now(self, booked, commissioner):
        services.add_expense_rule(
            by=commissioner,
            category="mileage",
            starts_on=STARTS,
            rate_per_mile_pence=30,
            cap_pence=2000,
            receipt_rule="never",
        )

        body = _told().first().body_text
        assert (
            "What we pay for mileage in your own vehicle is now £0.30 a mile, up to £20 a session."
        ) in body

    def test_phone_and_data_changes_only_reach_online_sessions(self, booked, commissioner):
        online = _session(format=Opportunity.Format.ONLINE, venue=None, title="Online chat")
        online_person = _place(online).resident

        services.add_expense_rule(
            by=commissioner, category="phone_data", starts_on=STARTS, allowed=False
        )

        assert [message.recipient for message in _told()] == [online_person]

    def test_a_rule_the_same_as_the_one_it_replaces_tells_nobody(self, booked, commissioner):
        in_force = ExpenseRule.objects.for_key("parking", TODAY)

        services.add_expense_rule(
            by=commissioner,
            category="parking",
            starts_on=STARTS,
            allowed=in_force.allowed,
            cap_pence=in_force.cap_pence,
            receipt_rule=in_force.receipt_rule,
            receipt_over_pence=in_force.receipt_over_pence,
            needs_prior_agreement=in_force.needs_prior_agreement,
        )

        assert not _told().exists()

    def test_the_check_page_says_how_many_sessions_and_people(self, client, booked, commissioner):
        client.force_login(commissioner)
        typed = {
            "category": "taxi",
            "allowed": "no",
            "receipt_rule": "always",
            "starts_on_0": str(STARTS.day),
            "starts_on_1": str(STARTS.month),
            "starts_on_2": str(STARTS.year),
        }

        page = client.post(reverse("payments:add_expense_rule"), typed).content.decode()

        assert (
            f"This changes what we pay for expenses for 1 session from {STARTS_WORDS}, with 3 "
            "people booked or waiting. We will tell them."
        ) in page
        assert not _told().exists()


class TestRemovingAPlannedChange:
    @pytest.fixture
    def planned(self, booked, commissioner):
        rate = services.add_fee_rate(
            by=commissioner, basis="per_hour", amount_pence=1500, starts_on=STARTS
        )
        Message.objects.all().delete()
        return rate

    def test_the_check_page_says_who_it_changes_and_keeps_the_rate(
        self, client, planned, commissioner
    ):
        client.force_login(commissioner)

        page = client.get(reverse("payments:remove_scheduled", args=["fees", planned.pk]))

        text = page.content.decode()
        assert "Remove the planned change?" in text
        assert (
            f"Removing it changes the fee for 1 session from {STARTS_WORDS}, with 3 people "
            "booked or waiting. We will tell them."
        ) in text
        assert FeeRate.objects.filter(pk=planned.pk).exists()

    def test_removing_it_tells_people_their_fee_goes_back(self, client, planned, commissioner):
        client.force_login(commissioner)
        pk = planned.pk

        client.post(reverse("payments:remove_scheduled", args=["fees", pk]))

        assert not FeeRate.objects.filter(pk=pk).exists()
        messages = _told()
        assert messages.count() == 3
        body = messages.first().body_text
        assert "The fee for your time is now £40 (2 hours at £20 an hour)." in body
        assert (
            f"This is because a change to our payment policy planned for {STARTS_WORDS} is no "
            "longer going ahead."
        ) in body
        assert messages.first().event_key.endswith(f":fee-rate-{pk}-removed")

    def test_removing_a_planned_expense_rule_tells_people_too(self, booked, commissioner):
        rule = services.add_expense_rule(
            by=commissioner, category="taxi", starts_on=STARTS, allowed=False
        )
        Message.objects.all().delete()

        services.remove_scheduled_change(rule, by=commissioner)

        body = _told().first().body_text
        assert "We now pay for taxi (agreed with us before the journey): up to £40 a session." in (
            body
        )
        assert "You must agree it with us before you spend the money." in body
        assert _told().count() == 3

    def test_the_policy_page_links_to_the_check_instead_of_removing_at_once(
        self, client, planned, commissioner
    ):
        client.force_login(commissioner)

        page = client.get(reverse("payments:policy")).content.decode()

        url = reverse("payments:remove_scheduled", args=["fees", planned.pk])
        assert f'href="{url}"' in page
        assert f'action="{url}"' not in page
