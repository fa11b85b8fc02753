"""Commissioners: what corrections of sessions' fees meant for approved and paid claims.

Top-ups wait here for a commissioner to approve or refuse them, then the next payment run
pays those approved (the runs page says so before a run is made); overpayments wait here for
a decision (services.fee_corrections). Overpayments asked back are listed until all of it
is back, or nobody is asking for the rest (services.money_back)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Sum
from django.shortcuts import redirect, render

from coprod_hub.lib.pagination import paginate

from .. import permissions, services
from ..forms import (
    FeeAdjustmentFilterForm,
    MoneyBackForm,
    OverpaymentDecisionForm,
    StopAskingForm,
    TopUpDecisionForm,
)
from ..models import FeeAdjustment
from ..services import PaymentError
from . import posted

PER_PAGE = 50


@login_required
def adjustments(request):
    """Top-ups to approve and overpayments to decide (first), approved top-ups not paid yet,
    or all, newest first."""
    everything = permissions.fee_adjustments_for(request)
    form = FeeAdjustmentFilterForm(request.GET or None)
    show = form.cleaned_data["show"] if form.is_valid() else ""
    if show == "top_ups":
        listed = everything.top_ups().open().approved().filter(paid_on__isnull=True)
    elif show == "all":
        listed = everything
    else:
        listed = everything.for_a_commissioner()
    return render(
        request,
        "payments/fee_corrections/list.html",
        {
            "form": form,
            "show": show,
            "page_obj": paginate(request, listed.order_by("-created_at", "-pk"), PER_PAGE),
            "to_decide": FeeAdjustment.objects.to_decide().count(),
            "to_approve": FeeAdjustment.objects.to_approve().count(),
        },
    )


@login_required
def decide(request, pk):
    adjustment = permissions.get_fee_adjustment(request, pk)
    if adjustment.can_be_approved:
        return redirect("payments:decide_top_up", adjustment.pk)
    if not adjustment.can_be_decided:
        messages.info(request, f"{adjustment.reference} has been dealt with already.")
        return redirect("payments:fee_adjustments")
    claim = adjustment.claim
    form = OverpaymentDecisionForm(posted(request), choices=services.decision_choices(adjustment))
    if request.method == "POST" and form.is_valid():
        try:
            services.decide_overpayment(adjustment, by=request.user, **form.cleaned_data)
        except PaymentError as problem:
            form.add_error(problem.field, str(problem))
        else:
            messages.success(request, f"Decision recorded for claim {claim.reference}.")
            return redirect("payments:fee_adjustments")
    return render(
        request,
        "payments/fee_corrections/decide.html",
        {
            "adjustment": adjustment,
            "claim": claim,
            "form": form,
            "review_block": services.review_block_reason(claim, request.user),
        },
    )


@login_required
def decide_top_up(request, pk):
    """Approve or refuse a top-up: the same page whoever may approve the claim sees, with why
    not for anyone else (their own claim, one they made, a conflict of interest)."""
    adjustment = permissions.get_fee_adjustment(request, pk)
    if not adjustment.can_be_approved:
        messages.info(request, f"{adjustment.reference} has been dealt with already.")
        return redirect("payments:fee_adjustments")
    claim = adjustment.claim
    form = TopUpDecisionForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == TopUpDecisionForm.APPROVE:
                services.approve_top_up(adjustment, by=request.user)
                done = f"Top-up approved for claim {claim.reference}. The next payment run pays it."
            else:
                services.refuse_top_up(
                    adjustment, by=request.user, reason=form.cleaned_data["reason"]
                )
                done = f"Top-up refused for claim {claim.reference}."
        except PaymentError as problem:
            form.add_error(problem.field, str(problem))
        else:
            messages.success(request, done)
            return redirect("payments:fee_adjustments")
    return render(
        request,
        "payments/fee_corrections/approve.html",
        {
            "adjustment": adjustment,
            "claim": claim,
            "form": form,
            "review_block": services.review_block_reason(claim, request.user),
        },
    )


# --- Money asked back -------------------------------------------------------------------------


@login_required
def asked_back(request):
    """Money asked back and not yet received, the longest asked first: what finance is
    waiting for. A few queries however many there are."""
    waiting = permissions.fee_adjustments_for(request).asked_back()
    totals = waiting.aggregate(asked=Sum("amount_pence"), received=Sum("recovered_pence"))
    return render(
        request,
        "payments/fee_corrections/asked_back.html",
        {
            "page_obj": paginate(request, waiting.order_by("closed_at", "pk"), PER_PAGE),
            "still_to_come_pence": (totals["asked"] or 0) - (totals["received"] or 0),
        },
    )


def _still_asked_back_or_redirect(request, pk):
    adjustment = permissions.get_fee_adjustment(request, pk)
    if adjustment.can_take_money_back:
        return adjustment, None
    messages.info(request, f"Nothing is still asked back on claim {adjustment.claim.reference}.")
    return adjustment, redirect(adjustment.claim)


@login_required
def money_back(request, pk):
    """Record money the person paid back, all or part of what is still asked back."""
    adjustment, done = _still_asked_back_or_redirect(request, pk)
    if done:
        return done
    claim = adjustment.claim
    form = MoneyBackForm(
        posted(request),
        initial={
            "still_asked_back": adjustment.still_asked_back_pence,
            "amount": adjustment.still_asked_back_pence,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            adjustment = services.record_money_back(
                adjustment,
                by=request.user,
                amount_pence=data["amount"],
                received_on=data["received_on"],
                still_asked_back_pence=data["still_asked_back"],
            )
        except PaymentError as problem:
            form.add_error(problem.field, str(problem))
        else:
            messages.success(
                request,
                f"Money received recorded for claim {claim.reference}. "
                f"{adjustment.money_back_state}.",
            )
            return redirect(claim)
    return render(
        request,
        "payments/fee_corrections/money_back.html",
        {
            "adjustment": adjustment,
            "claim": claim,
            "form": form,
            "review_block": services.review_block_reason(claim, request.user),
        },
    )


@login_required
def stop_asking(request, pk):
    """Stop asking for the rest of an overpayment back, saying why."""
    adjustment, done = _still_asked_back_or_redirect(request, pk)
    if done:
        return done
    claim = adjustment.claim
    form = StopAskingForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.stop_asking_for_money_back(
                adjustment, by=request.user, reason=form.cleaned_data["reason"]
            )
        except PaymentError as problem:
            form.add_error(problem.field, str(problem))
        else:
            messages.success(
                request, f"No longer asking for money back on claim {claim.reference}."
            )
            return redirect(claim)
    return render(
        request,
        "payments/fee_corrections/stop_asking.html",
        {
            "adjustment": adjustment,
            "claim": claim,
            "form": form,
            "review_block": services.review_block_reason(claim, request.user),
        },
    )
