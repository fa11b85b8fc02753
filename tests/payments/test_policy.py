from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from payments import policy, services
from payments.models import ExpenseRule, FeeRate
from payments.services import PaymentError

from .factories import OpportunityFactory, SignUpFactory

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def _session_on(day: date, **fields):
    starts = datetime(day.year, day.month, day.day, 10, 0, tzinfo=LONDON)
    return OpportunityFactory(starts_at=starts, ends_at=starts + timedelta(hours=2), **fields)


def test_the_rate_in_force_is_the_latest_that_started_on_or_before_the_day(policy):
    FeeRate.objects.create(basis="per_hour", amount_pence=2200, starts_on=date(2026, 4, 1))

    in_force = {r.basis: r.amount_pence for r in FeeRate.objects.in_force_on(date(2026, 3, 31))}
    assert in_force["per_hour"] == 2000
    in_force = {r.basis: r.amount_pence for r in FeeRate.objects.in_force_on(date(2026, 4, 1))}
    assert in_force["per_hour"] == 2200
    assert in_force["half_day"] == 5000  # unchanged rates carry on
    assert not FeeRate.objects.in_force_on(date(2019, 1, 1)).exists()


def test_a_claim_for_an_activity_before_a_rate_change_uses_the_old_rate(policy, resident):
    FeeRate.objects.create(basis="per_hour", amount_pence=2200, starts_on=date(2026, 4, 1))
    before = SignUpFactory(resident=resident, opportunity=_session_on(date(2026, 3, 31)))
    after = SignUpFactory(resident=resident, opportunity=_session_on(date(2026, 4, 1)))

    old = services.start_claim(before, by=resident)
    new = services.start_claim(after, by=resident)

    assert old.fee_pence == 4000  # 2 hours at £20
    assert new.fee_pence == 4400  # 2 hours at £22
    assert old.lines.get(kind="fee").rate_pence == 2000


def test_a_claim_keeps_its_rate_when_a_later_change_is_added(attended, resident):
    claim = services.start_claim(attended, by=resident)

    FeeRate.objects.create(
        basis="per_hour", amount_pence=9900, starts_on=claim.activity_date - timedelta(days=1)
    )
    claim.refresh_from_db()

    assert claim.fee_pence == 4000


def test_expense_caps_follow_the_rule_in_force_on_the_activity_day(policy, resident):
    ExpenseRule.objects.create(
        category="parking", cap_pence=500, receipt_rule="never", starts_on=date(2026, 4, 1)
    )
    before = services.start_claim(
        SignUpFactory(resident=resident, opportunity=_session_on(date(2026, 3, 31))), by=resident
    )
    after = services.start_claim(
        SignUpFactory(resident=resident, opportunity=_session_on(date(2026, 4, 1))), by=resident
    )

    services.save_expense(
        before, by=resident, category="parking", description="", amount_pence=900, miles=None
    )
    with pytest.raises(PaymentError, match="most we pay for parking is £5"):
        services.save_expense(
            after, by=resident, category="parking", description="", amount_pence=900, miles=None
        )


def test_a_category_can_stop_being_paid_from_a_date(policy, resident):
    ExpenseRule.objects.create(category="meals", allowed=False, starts_on=date(2026, 4, 1))
    claim = services.start_claim(
        SignUpFactory(resident=resident, opportunity=_session_on(date(2026, 4, 2))), by=resident
    )

    with pytest.raises(PaymentError, match="do not pay for meals"):
        services.save_expense(
            claim, by=resident, category="meals", description="", amount_pence=500, miles=None
        )


@pytest.mark.parametrize(
    ("basis", "hours", "expected"),
    [
        ("per_hour", 2.5, 5000),
        ("per_hour", 1.25, 2500),
        ("half_day", 3, 5000),
        ("full_day", 7, 9000),
        ("per_activity", 1, 2500),
    ],
)
def test_the_fee_follows_the_opportunitys_basis(policy, basis, hours, expected):
    opportunity = OpportunityFactory(fee_basis=basis)
    opportunity.ends_at = opportunity.starts_at + timedelta(hours=hours)

    fee = policy_fee = policy_module_fee(opportunity)

    assert fee.amount_pence == expected, policy_fee


def policy_module_fee(opportunity):
    return policy.fee_for(opportunity, policy.activity_date(opportunity))


def test_phone_or_data_is_only_paid_for_online_sessions(policy, resident):
    in_person = services.start_claim(SignUpFactory(resident=resident), by=resident)
    online = services.start_claim(
        SignUpFactory(resident=resident, opportunity=OpportunityFactory(format="online")),
        by=resident,
    )

    with pytest.raises(PaymentError, match="online or phone"):
        services.save_expense(
            in_person,
            by=resident,
            category="phone_data",
            description="",
            amount_pence=300,
            miles=None,
        )
    services.save_expense(
        online, by=resident, category="phone_data", description="", amount_pence=300, miles=None
    )


def test_only_planned_changes_can_be_removed(policy, commissioner, settings):
    from django.utils import timezone

    today = timezone.localdate()
    planned = services.add_fee_rate(
        by=commissioner, basis="per_hour", amount_pence=2500, starts_on=today + timedelta(days=30)
    )
    started = FeeRate.objects.filter(basis="per_hour").order_by("starts_on").first()

    with pytest.raises(PaymentError, match="already started"):
        services.remove_scheduled_change(started, by=commissioner)
    services.remove_scheduled_change(planned, by=commissioner)
    assert not FeeRate.objects.filter(pk=planned.pk).exists()


def test_two_rates_for_the_same_fee_cannot_start_on_the_same_day(policy, commissioner):
    services.add_fee_rate(
        by=commissioner, basis="per_hour", amount_pence=2200, starts_on=date(2030, 4, 6)
    )
    with pytest.raises(PaymentError, match="already a rate"):
        services.add_fee_rate(
            by=commissioner, basis="per_hour", amount_pence=2100, starts_on=date(2030, 4, 6)
        )


@pytest.mark.parametrize("days_from_today", [-1, 0])
def test_a_change_to_the_policy_must_start_tomorrow_or_later(policy, commissioner, days_from_today):
    from django.utils import timezone

    # Today is refused too: a session held this morning may already be claimed at the old rate.
    starts_on = timezone.localdate() + timedelta(days=days_from_today)
    before = (FeeRate.objects.count(), ExpenseRule.objects.count())

    with pytest.raises(PaymentError, match="The start date must be tomorrow or later"):
        services.add_fee_rate(
            by=commissioner, basis="per_hour", amount_pence=100, starts_on=starts_on
        )
    with pytest.raises(PaymentError, match="The start date must be tomorrow or later"):
        services.add_expense_rule(
            by=commissioner, category="parking", starts_on=starts_on, allowed=False
        )

    assert (FeeRate.objects.count(), ExpenseRule.objects.count()) == before


def test_a_change_to_the_policy_may_start_tomorrow(policy, commissioner):
    from django.utils import timezone

    tomorrow = timezone.localdate() + timedelta(days=1)

    services.add_fee_rate(by=commissioner, basis="per_hour", amount_pence=2500, starts_on=tomorrow)
    services.add_expense_rule(
        by=commissioner, category="parking", starts_on=tomorrow, allowed=False
    )


class TestPolicyPages:
    def test_commissioners_add_a_rate_through_the_form_typing_pounds(self, client, commissioner):
        client.force_login(commissioner)
        typed = {
            "basis": "half_day",
            "amount": "£55.50",
            "starts_on_0": "1",
            "starts_on_1": "6",
            "starts_on_2": "2030",
        }

        check = client.post(reverse("payments:add_fee_rate"), typed)
        # "Save rate" on the page that checks the rate sends the answers again.
        response = client.post(reverse("payments:add_fee_rate"), typed | {"send": "yes"})

        assert "Check the new rate before saving" in check.content.decode()
        assert "£55.50 for a half day" in check.content.decode()
        assert response.status_code == 302
        rate = FeeRate.objects.get()
        assert (rate.amount_pence, rate.starts_on) == (5550, date(2030, 6, 1))
        assert rate.created_by == commissioner

    def test_bad_amounts_and_dates_show_errors_and_keep_what_was_typed(self, client, commissioner):
        client.force_login(commissioner)

        response = client.post(
            reverse("payments:add_fee_rate"),
            {
                "basis": "half_day",
                "amount": "fifty",
                "starts_on_0": "31",
                "starts_on_1": "2",
                "starts_on_2": "2030",
            },
        )

        assert response.status_code == 200
        html = response.content.decode()
        assert "Error: Add a new fee rate" in html
        assert "Enter an amount in pounds, like 12.50" in html
        assert 'value="fifty"' in html
        assert not FeeRate.objects.exists()

    def test_a_backdated_rate_is_refused_with_the_reason_and_keeps_what_was_typed(
        self, client, commissioner
    ):
        client.force_login(commissioner)

        response = client.post(
            reverse("payments:add_fee_rate"),
            {
                "basis": "half_day",
                "amount": "55.50",
                "starts_on_0": "1",
                "starts_on_1": "6",
                "starts_on_2": "2020",
            },
        )

        assert response.status_code == 200
        html = response.content.decode()
        assert "The start date must be tomorrow or later" in html
        assert 'value="55.50"' in html
        assert not FeeRate.objects.exists()

    def test_residents_and_staff_cannot_see_the_policy_page(self, client, resident, staff):
        for person in (resident, staff):
            client.force_login(person)
            assert client.get(reverse("payments:policy")).status_code == 403
            assert client.post(reverse("payments:add_fee_rate"), {}).status_code == 403

    def test_the_policy_page_shows_rates_in_force_and_planned_changes(
        self, client, commissioner, policy
    ):
        FeeRate.objects.create(basis="per_hour", amount_pence=2400, starts_on=date(2099, 4, 6))
        client.force_login(commissioner)

        html = client.get(reverse("payments:policy")).content.decode()

        assert "£20" in html and "£24 from 6 April 2099" in html

    def test_the_public_page_explains_the_current_policy_in_plain_english(self, client, policy):
        html = client.get(reverse("payments:how_we_pay")).content.decode()

        assert "How we pay fees and expenses" in html
        assert "£20" in html  # per hour
        assert "45p a mile" in html
        assert "within 28 days" in html
        assert "Vouchers" in html
        assert "If you do not want a fee" in html
        assert "Benefits and tax" in html
        assert "citizensadvice.org.uk" in html
        assert 'rel="noopener noreferrer"' in html

    def test_settings_change_the_target_days(self, client, commissioner):
        client.force_login(commissioner)

        response = client.post(
            reverse("payments:policy_settings"),
            {
                "target_days_to_pay": "21",
                "voucher_description": "Gift cards",
                "advice_name": "Advice Line",
                "advice_url": "https://advice.example/benefits",
            },
        )

        assert response.status_code == 302
        html = client.get(reverse("payments:how_we_pay")).content.decode()
        assert "within 21 days" in html and "Advice Line" in html


@pytest.mark.parametrize(
    ("length", "fee_pence", "hours_shown"),
    [
        (timedelta(hours=1, minutes=20), 2667, "1.33"),  # £26.666..., not 1.33h × £20 = £26.60
        (timedelta(minutes=40), 1333, "0.67"),  # £13.333..., not 0.67h × £20 = £13.40
        (timedelta(hours=2), 4000, "2.00"),
        (timedelta(minutes=1, seconds=30), 50, "0.03"),  # exactly 50p
        (timedelta(seconds=45), 25, "0.01"),  # 25p exactly; 0.01h × £20 would be 20p
    ],
)
def test_an_hourly_fee_is_worked_out_from_the_exact_length_and_rounded_once(
    policy, resident, length, fee_pence, hours_shown
):
    starts = datetime(2026, 3, 10, 10, 0, tzinfo=LONDON)
    opportunity = OpportunityFactory(starts_at=starts, ends_at=starts + length)

    claim = services.start_claim(
        SignUpFactory(resident=resident, opportunity=opportunity), by=resident
    )

    fee = claim.lines.get(kind="fee")
    assert fee.amount_pence == fee_pence
    assert str(fee.hours) == hours_shown  # rounded hours are kept for people to read


def test_rounding_an_hourly_fee_goes_half_up():
    assert policy.pence_for_duration(1, timedelta(minutes=30)) == 1  # 0.5p
    assert policy.pence_for_duration(3, timedelta(minutes=10)) == 1  # 0.5p
    assert policy.pence_for_duration(1, timedelta(minutes=29, seconds=59)) == 0


def test_the_public_page_tells_people_who_lost_a_receipt_to_contact_us_before_claiming(
    client, policy, settings
):
    html = client.get(reverse("payments:how_we_pay")).content.decode()

    # A claim without a receipt it needs cannot be sent, so the page must not promise help
    # "when you claim".
    assert "tell us when you claim" not in html
    assert "contact the co-production team before you claim" in html
    assert f'href="mailto:{settings.SUPPORT_EMAIL}"' in html
