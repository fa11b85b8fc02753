"""Commissioners: what corrections of sessions' fees meant for approved and paid claims.

Top-ups are paid by the next payment run (the runs page says so before a run is made);
overpayments wait here for a decision (services.fee_corrections)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from coprod_hub.lib.pagination import paginate

from .. import permissions, services
from ..forms import FeeAdjustmentFilterForm, OverpaymentDecisionForm
from ..models import FeeAdjustment
from ..services import PaymentError
from . import posted

PER_PAGE = 50


@login_required
def adjustments(request):
    """Overpayments to decide (first), top-ups not paid yet, or all, newest first."""
    everything = permissions.fee_adjustments_for(request)
    form = FeeAdjustmentFilterForm(request.GET or None)
    show = form.cleaned_data["show"] if form.is_valid() else ""
    if show == "top_ups":
        listed = everything.top_ups().open().filter(paid_on__isnull=True)
    elif show == "all":
        listed = everything
    else:
        listed = everything.to_decide()
    return render(
        request,
        "payments/fee_corrections/list.html",
        {
            "form": form,
            "show": show,
            "page_obj": paginate(request, listed.order_by("-created_at", "-pk"), PER_PAGE),
            "to_decide": FeeAdjustment.objects.to_decide().count(),
        },
    )


@login_required
def decide(request, pk):
    adjustment = permissions.get_fee_adjustment(request, pk)
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
