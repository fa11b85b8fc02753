"""Commissioners: what corrections of sessions' fees meant for approved and paid claims.

Top-ups wait here for a commissioner to approve or refuse them, then the next payment run
pays those approved (the runs page says so before a run is made); overpayments wait here for
a decision (services.fee_corrections)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from coprod_hub.lib.pagination import paginate

from .. import permissions, services
from ..forms import FeeAdjustmentFilterForm, OverpaymentDecisionForm, TopUpDecisionForm
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
