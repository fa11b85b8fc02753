"""Every change to claims, the ledger, payment runs and the policy.

Each function does its writes in one transaction, locks the rows it changes so two people
acting at once cannot both succeed, records who did what (ClaimEvent) and queues the
message to the person in the same transaction. Problems a person can fix raise PaymentError
with a message to show them.

Split by what they do: `claims` (starting, filling in and sending a claim), `receipts`,
`review` (approve, return, reject, correct, withdraw an approval, reopen), `runs` (payment
runs, and a payment returned after one was paid), `conflicts` (conflicts of interest),
`taxis` (taxis staff agree for a session), `policy_changes`, and `fee_corrections` (claims
following a correction to their session's fee, and what commissioners decide about it), and
`money_back` (an overpayment asked back: money received back, or no longer asked for).
`ledger` builds ledger rows for review and runs; `_common` holds the error and the helpers
every module uses. Callers
import from here (`services.submit_claim(...)`), not from the modules, so the split can
change freely.
"""

from ._common import PaymentError
from .claims import (
    can_claim_for,
    delete_draft,
    remove_expense,
    save_expense,
    start_claim,
    submission_problems,
    submit_claim,
    update_claim_details,
)
from .conflicts import declare_conflict, withdraw_conflict
from .fee_corrections import (
    approve_top_up,
    decide_overpayment,
    decision_choices,
    follow_session_fee,
    lock_claims_for_session,
    plan_fee_correction,
    refuse_top_up,
)
from .money_back import record_money_back, stop_asking_for_money_back
from .policy_changes import add_expense_rule, add_fee_rate, remove_scheduled_change, update_policy
from .receipts import MAX_UNUSED_RECEIPTS, delete_unused_receipts, store_receipt
from .review import (
    approve_claim,
    correct_claim,
    correction_limits,
    reject_claim,
    reopen_block_reason,
    reopen_claim,
    return_claim,
    review_block_reason,
    withdraw_approval,
)
from .runs import (
    HELD_UNTIL,
    cancel_payment_run,
    confirm_payment_run,
    create_payment_run,
    held_from_payment_runs_in_words,
    record_payment_returned,
    take_out_of_run,
)
from .taxis import (
    agree_taxi,
    withdraw_taxi,
    withdraw_taxi_for_joining_online,
    withdraw_taxi_with_place,
)

__all__ = [
    "HELD_UNTIL",
    "MAX_UNUSED_RECEIPTS",
    "PaymentError",
    "add_expense_rule",
    "add_fee_rate",
    "agree_taxi",
    "approve_claim",
    "approve_top_up",
    "can_claim_for",
    "cancel_payment_run",
    "confirm_payment_run",
    "correct_claim",
    "correction_limits",
    "create_payment_run",
    "decide_overpayment",
    "decision_choices",
    "declare_conflict",
    "delete_draft",
    "delete_unused_receipts",
    "follow_session_fee",
    "held_from_payment_runs_in_words",
    "lock_claims_for_session",
    "plan_fee_correction",
    "record_money_back",
    "record_payment_returned",
    "refuse_top_up",
    "reject_claim",
    "remove_expense",
    "remove_scheduled_change",
    "reopen_block_reason",
    "reopen_claim",
    "return_claim",
    "review_block_reason",
    "save_expense",
    "start_claim",
    "stop_asking_for_money_back",
    "store_receipt",
    "submission_problems",
    "submit_claim",
    "take_out_of_run",
    "update_claim_details",
    "update_policy",
    "withdraw_approval",
    "withdraw_conflict",
    "withdraw_taxi",
    "withdraw_taxi_for_joining_online",
    "withdraw_taxi_with_place",
]
