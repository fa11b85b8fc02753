"""Commissioners review claims: the queue, approve, return, reject, correct, reopen."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from coprod_hub.lib import page_cache
from coprod_hub.lib.pagination import paginate
from coprod_hub.permissions import role_required
from coprod_hub.users.roles import Role

from .. import permissions, services
from ..forms import CorrectionForm, ReasonForm, ReviewFilterForm
from ..models import NEARING_DAYS, Claim, FeeAdjustment, PaymentPolicy
from ..services import PaymentError, deciders
from . import posted


def _filtered_queue(form, *, target_days, today):
    # Whether any commissioner may decide each claim, in the same query as the page's rows.
    # And whether runs hold it until an overpayment on it is decided.
    claims = Claim.objects.with_related().with_nobody_to_decide().with_held_from_payment_runs()
    data = form.cleaned_data if form.is_valid() else {}
    status = data.get("status") or ""
    if status == "":
        claims = claims.filter(status=Claim.Status.SUBMITTED)
    elif status == "open":
        claims = claims.awaiting_payment()
    elif status != "all":
        claims = claims.filter(status=status)
    if data.get("search"):
        claims = claims.matching(data["search"])
    if data.get("project"):
        claims = claims.for_projects_named(data["project"])
    if data.get("flag"):
        claims = claims.flagged(
            data["flag"], target_days=target_days, today=today, nearing_days=NEARING_DAYS
        )
    if status in ("", "open", Claim.Status.SUBMITTED, Claim.Status.APPROVED):
        # Waiting claims: the longest-waiting first. A claim we returned has waited since it
        # was first sent, not since it was sent again (claim_queue_first_sent_idx).
        return claims.order_by("first_submitted_at", "pk")
    return claims.order_by("-updated_at", "-pk")


def _render_queue(request, today) -> dict:
    policy = PaymentPolicy.current()
    params = request.GET.copy()
    if params.get("search", "").strip() and not params.get("status"):
        # Someone looking for a person or a claim number wants any claim of theirs, not only
        # those waiting for a decision (where the list starts); the status filter shows it.
        params["status"] = "all"
    form = ReviewFilterForm(params or None)
    page = paginate(
        request,
        _filtered_queue(form, target_days=policy.target_days_to_pay, today=today),
        50,
    )
    for claim in page.object_list:
        claim.queue_flag = claim.flag(today=today, target_days=policy.target_days_to_pay)
        claim.waited = claim.days_waiting(today)  # None unless it is waiting to be paid
    waiting = Claim.objects.awaiting_payment()
    nobody_to_decide_count = Claim.objects.no_commissioner_may_decide().count()
    # Whether an administrator was there to be told of them, asked only when there are any.
    # The queue is kept until an account's admin status changes too (payments/apps.py).
    anyone_to_tell = nobody_to_decide_count > 0 and deciders.administrators().exists()
    html = render_to_string(
        "payments/review/_queue.html",
        {
            "form": form,
            "page_obj": page,
            "policy": policy,
            "nearing_days": NEARING_DAYS,
            "waiting_count": waiting.filter(status=Claim.Status.SUBMITTED).count(),
            "nobody_to_decide_count": nobody_to_decide_count,
            "nobody_to_decide_told": deciders.who_was_told(
                nobody_to_decide_count, anyone_to_tell=anyone_to_tell
            ),
            "administrators_to_tell": anyone_to_tell,
            # After sessions' fees were corrected: decisions waiting, and money to pay.
            **FeeAdjustment.objects.queue_counts(),
            "held_from_runs": services.held_from_payment_runs_in_words(),
            "overdue_count": waiting.flagged(
                "overdue",
                target_days=policy.target_days_to_pay,
                today=today,
                nearing_days=NEARING_DAYS,
            ).count(),
        },
        request=request,
    )
    return {"html": html, "page_number": page.number}


@role_required(Role.COMMISSIONER)
@page_cache.shared_by_role(page_cache.CLAIMS, parts=page_cache.today)
def queue(request):
    today = timezone.localdate()
    # Every commissioner sees the same queue, so it is worked out once and reused until a
    # claim, a payment run or the policy changes (payments/apps.py). The whole page is kept
    # too, for everyone with the same roles (the menu follows them).
    queue = page_cache.cached_value(
        page_cache.CLAIMS, [request.GET.urlencode(), today], lambda: _render_queue(request, today)
    )
    return render(
        request,
        "payments/review/queue.html",
        {"queue_html": mark_safe(queue["html"]), "page_number": queue["page_number"]},  # noqa: S308
    )


@login_required
def approve(request, pk):
    claim = permissions.get_claim_for_review(request, pk)
    if request.method != "POST":
        # Approving is a button on the claim's page. Someone who follows a link here, or
        # reloads after signing in again, lands on that page rather than a blank error.
        return redirect(claim)
    try:
        services.approve_claim(claim, by=request.user)
    except PaymentError as problem:
        messages.error(request, str(problem))
        return redirect(claim)
    messages.success(request, f"Claim {claim.reference} from {claim.claimant} approved.")
    return redirect("payments:review")


REASON_PAGES = {
    "return": {
        "title": "Return the claim for changes",
        "label": "What needs changing?",
        "help": "Say plainly what the person needs to change or add. They will see this.",
        "button": "Return claim",
        "service": services.return_claim,
        "done": "returned to {person} for changes",
        "allowed": "can_be_decided",
    },
    "reject": {
        "title": "Reject the claim",
        "label": "Why are you rejecting it?",
        "help": "Say plainly why we cannot pay. The person will see this.",
        "button": "Reject claim",
        "service": services.reject_claim,
        "done": "rejected",
        "allowed": "can_be_decided",
        "warning": True,
    },
    "withdraw": {
        "title": "Withdraw the approval",
        "label": "Why are you withdrawing the approval?",
        "help": "Say plainly why we cannot pay after all. The person will see this. Nothing "
        "will be paid, and the ledger reverses what the approval recorded.",
        "button": "Withdraw approval",
        "service": services.withdraw_approval,
        "done": "is no longer approved. {person} has been told why",
        "allowed": "can_be_withdrawn",
        "warning": True,
    },
    "reopen": {
        "title": "Reopen this claim",
        "label": "Why are you reopening it, and what should the person change?",
        "help": "Say plainly why we are looking at it again. The person will see this. The "
        "claim goes back to them to change and send again, and is then reviewed as usual.",
        "button": "Reopen claim",
        "service": services.reopen_claim,
        "done": "reopened and returned to {person} for changes",
        "allowed": "can_be_reopened",
        # Not whoever decided not to pay it: another commissioner looks again.
        "block": services.reopen_block_reason,
    },
}


def decide_with_reason(request, pk, action):
    claim = permissions.get_claim_for_review(request, pk)
    page = REASON_PAGES[action]
    form = ReasonForm(posted(request), label=page["label"], help_text=page["help"])
    block = page.get("block", services.review_block_reason)(claim, request.user)
    if request.method == "POST" and form.is_valid():
        try:
            page["service"](claim, by=request.user, reason=form.cleaned_data["reason"])
        except PaymentError as problem:
            form.add_error(None, str(problem))
        else:
            done = page["done"].format(person=claim.claimant)
            messages.success(request, f"Claim {claim.reference} {done}.")
            return redirect("payments:review")
    return render(
        request,
        "payments/review/reason.html",
        {
            "claim": claim,
            "form": form,
            "page": page,
            "review_block": block,
            "allowed": getattr(claim, page["allowed"]),
        },
    )


@login_required
def return_claim(request, pk):
    return decide_with_reason(request, pk, "return")


@login_required
def reject_claim(request, pk):
    return decide_with_reason(request, pk, "reject")


@login_required
def withdraw_approval(request, pk):
    return decide_with_reason(request, pk, "withdraw")


@login_required
def reopen(request, pk):
    return decide_with_reason(request, pk, "reopen")


@login_required
def correct(request, pk):
    claim = permissions.get_claim_for_review(request, pk)
    form = CorrectionForm(
        posted(request),
        initial={
            "fee": claim.approved_fee_pence,
            "expenses": claim.approved_expenses_pence,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.correct_claim(
                claim,
                by=request.user,
                fee_pence=data["fee"],
                expenses_pence=data["expenses"],
                reason=data["reason"],
            )
        except PaymentError as problem:
            # Next to the amount it is about (fee or expenses), keeping what was typed.
            form.add_error(problem.field, str(problem))
        else:
            messages.success(request, f"Claim {claim.reference} corrected.")
            return redirect(claim)
    return render(
        request,
        "payments/review/correct.html",
        {
            "claim": claim,
            "form": form,
            "review_block": services.review_block_reason(claim, request.user),
            "limits": services.correction_limits(claim) if claim.can_be_corrected else None,
        },
    )
