from django.urls import path

from .views import claims, fee_corrections, ledger, policy, reports, review, runs, taxis

app_name = "payments"

urlpatterns = [
    # Residents (and staff helping them)
    path("claims/", claims.claim_list, name="claims"),
    path("claims/new/", claims.choose_session, name="choose_session"),
    path("claims/new/<int:signup_pk>/", claims.start, name="start"),
    path("claims/on-behalf/", claims.on_behalf, name="on_behalf"),
    path("claims/<int:pk>/", claims.claim_detail, name="claim"),
    path("claims/<int:pk>/payment/", claims.claim_details, name="claim_details"),
    path("claims/<int:pk>/expenses/add/", claims.expense, name="expense_add"),
    path("claims/<int:pk>/expenses/<int:line_pk>/", claims.expense, name="expense_change"),
    path(
        "claims/<int:pk>/expenses/<int:line_pk>/remove/",
        claims.expense_remove,
        name="expense_remove",
    ),
    path("claims/<int:pk>/send/", claims.submit, name="submit"),
    path("claims/<int:pk>/delete/", claims.delete_draft, name="delete"),
    path("claims/<int:pk>/receipts/<int:line_pk>/", claims.receipt, name="receipt"),
    # Staff running a session agree taxis for people with a place
    path("opportunities/<int:pk>/manage/taxis/", taxis.taxis, name="taxis"),
    # Commissioners reviewing
    path("claims/review/", review.queue, name="review"),
    path("claims/<int:pk>/approve/", review.approve, name="approve"),
    path("claims/<int:pk>/return/", review.return_claim, name="return"),
    path("claims/<int:pk>/reject/", review.reject_claim, name="reject"),
    path("claims/<int:pk>/correct/", review.correct, name="correct"),
    path("claims/<int:pk>/withdraw/", review.withdraw_approval, name="withdraw_approval"),
    path("claims/<int:pk>/reopen/", review.reopen, name="reopen"),
    # Commissioners: top-ups and overpayments after a session's fee was corrected
    path("payments/fee-corrections/", fee_corrections.adjustments, name="fee_adjustments"),
    path(
        "payments/fee-corrections/<int:pk>/decide/",
        fee_corrections.decide,
        name="decide_overpayment",
    ),
    path(
        "payments/fee-corrections/<int:pk>/approve/",
        fee_corrections.decide_top_up,
        name="decide_top_up",
    ),
    path("payments/money-asked-back/", fee_corrections.asked_back, name="money_asked_back"),
    path(
        "payments/fee-corrections/<int:pk>/money-back/",
        fee_corrections.money_back,
        name="record_money_back",
    ),
    path(
        "payments/fee-corrections/<int:pk>/stop-asking/",
        fee_corrections.stop_asking,
        name="stop_asking",
    ),
    # The policy
    path("payments/how-we-pay/", policy.how_we_pay, name="how_we_pay"),
    path("payments/policy/", policy.overview, name="policy"),
    path("payments/policy/fee-rates/add/", policy.add_fee_rate, name="add_fee_rate"),
    path("payments/policy/expenses/add/", policy.add_expense_rule, name="add_expense_rule"),
    path("payments/policy/settings/", policy.settings_form, name="policy_settings"),
    path("payments/policy/history/<str:kind>/", policy.history, name="policy_history"),
    path(
        "payments/policy/<str:kind>/<int:pk>/remove/",
        policy.remove_scheduled,
        name="remove_scheduled",
    ),
    path("payments/conflicts/", policy.conflicts, name="conflicts"),
    path(
        "payments/conflicts/<int:pk>/withdraw/",
        policy.withdraw_conflict,
        name="withdraw_conflict",
    ),
    # Reports
    path("payments/reports/", reports.overview, name="reports"),
    path("payments/reports/people/", reports.people, name="report_people"),
    path("payments/reports/people.csv", reports.people_csv, name="report_people_csv"),
    path("payments/reports/budgets/", reports.budgets, name="report_budgets"),
    path("payments/reports/budgets.csv", reports.budgets_csv, name="report_budgets_csv"),
    path("payments/reports/owed/", reports.owed, name="report_owed"),
    path("payments/reports/owed.csv", reports.owed_csv, name="report_owed_csv"),
    path("payments/reports/days-to-pay/", reports.days_to_pay, name="report_days"),
    path("payments/reports/days-to-pay.csv", reports.days_to_pay_csv, name="report_days_csv"),
    # The ledger itself
    path("payments/ledger/", ledger.ledger, name="ledger"),
    path("payments/ledger.csv", ledger.ledger_csv, name="ledger_csv"),
    # Payment runs
    path("payments/runs/", runs.runs, name="runs"),
    path("payments/runs/<int:pk>/", runs.run_detail, name="run"),
    path("payments/runs/<int:pk>/export.csv", runs.run_csv, name="run_csv"),
    path("payments/runs/<int:pk>/confirm/", runs.confirm, name="confirm_run"),
    path("payments/runs/<int:pk>/cancel/", runs.cancel, name="cancel_run"),
    path(
        "payments/runs/<int:pk>/claims/<int:claim_pk>/not-paid/",
        runs.take_out,
        name="take_out_of_run",
    ),
    path(
        "payments/runs/<int:pk>/claims/<int:claim_pk>/payment-returned/",
        runs.payment_returned,
        name="payment_returned",
    ),
]
