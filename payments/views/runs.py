"""Payment runs: export approved claims for finance, then confirm they were paid."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.shortcuts import redirect, render
from django.utils import timezone

from coprod_hub.lib.csv_export import csv_response
from coprod_hub.lib.money import pounds_for_spreadsheet
from coprod_hub.lib.pagination import paginate

from .. import permissions, services
from ..contact import PayeeContact
from ..forms import ConfirmRunForm, ReasonForm
from ..models import Claim, FeeAdjustment, LedgerEntry
from ..services import PaymentError
from . import posted


def _claims(count: int) -> str:
    return f"{count} claim" if count == 1 else f"{count} claims"


@login_required
def runs(request):
    run_list = permissions.runs_for(request)
    if request.method == "POST":
        try:
            run = services.create_payment_run(by=request.user)
        except PaymentError as problem:
            messages.error(request, str(problem))
            return redirect("payments:runs")
        held = services.held_from_payment_runs_in_words()
        messages.success(
            request,
            f"{run.reference} made with {_claims(run.claim_count)}. Download it for finance."
            + (f" {held}" if held else ""),
        )
        return redirect(run)
    waiting_claims = Claim.objects.waiting_for_a_run()
    waiting = LedgerEntry.objects.owed().filter(claim__in=waiting_claims)
    # Claims whose session's fee was corrected down: no run pays them until a commissioner
    # decides about the overpayment (services.create_payment_run).
    held = Claim.objects.held_from_payment_runs()
    held_approved = held.filter(status=Claim.Status.APPROVED)
    # Top-ups owed after sessions' fees were corrected: commissioners see them before paying.
    # Those still to approve are not owed yet, and no run pays them, nor those held.
    top_ups = (
        FeeAdjustment.objects.waiting_top_ups()
        .exclude(claim__in=held)
        .aggregate(
            count=Count("pk"),
            total=Sum("amount_pence"),
            on_paid=Count("pk", filter=Q(claim__status=Claim.Status.PAID)),
            on_paid_total=Sum("amount_pence", filter=Q(claim__status=Claim.Status.PAID)),
        )
    )
    return render(
        request,
        "payments/runs/list.html",
        {
            "page_obj": paginate(request, run_list, 20),
            "waiting_count": waiting_claims.aggregate(n=Count("pk"))["n"],
            "waiting_total": waiting.balance(),
            "top_ups": top_ups,
            "held": Claim.objects.held_counts(),
            "held_total": LedgerEntry.objects.owed().filter(claim__in=held_approved).balance(),
            "held_until": services.HELD_UNTIL,
            "top_ups_to_approve": FeeAdjustment.objects.to_approve().aggregate(
                count=Count("pk"), total=Sum("amount_pence")
            ),
        },
    )


@login_required
def run_detail(request, pk):
    run = permissions.get_run(request, pk)
    items = run.items.select_related(
        "claim", "claim__claimant", "claim__opportunity", "claim__project"
    )
    overpaid = []
    if run.is_open:
        # The session's fee was corrected down after the run was made (a run holds back
        # claims with an overpayment to decide): finance pays more than the session pays now.
        overpayment = FeeAdjustment.objects.to_decide().filter(claim_id=OuterRef("claim_id"))
        items = items.annotate(overpaid=Exists(overpayment))
        overpaid = list(
            run.items.still_in_run()
            .filter(Exists(overpayment))
            .select_related("claim")
            .order_by("pk")
        )
    return render(
        request,
        "payments/runs/detail.html",
        {
            "run": run,
            "page_obj": paginate(request, items, 50),
            "has_top_ups": run.items.filter(top_up_pence__gt=0).exists(),
            "overpaid": overpaid,
        },
    )


@login_required
def run_csv(request, pk):
    run = permissions.get_run_to_download(request, pk)
    items = (
        run.items.still_in_run()
        .select_related(
            "claim",
            "claim__claimant__profile",
            "claim__opportunity",
            "claim__project",
        )
        .order_by("pk")
    )

    def rows():
        for item in items.iterator(chunk_size=2000):
            claim = item.claim
            contact = PayeeContact.of(claim.claimant)
            yield (
                run.reference,
                claim.reference,
                claim.claimant.display_name,
                # Blank, never the placeholder, for someone with no email address: finance
                # reaches them by the phone, address and preference at the end of the row.
                contact.email,
                claim.get_payment_method_display(),
                pounds_for_spreadsheet(item.fee_pence),
                pounds_for_spreadsheet(item.expenses_pence),
                pounds_for_spreadsheet(item.total_pence),
                claim.project.title if claim.project else "",
                claim.opportunity.title,
                claim.activity_date,
                timezone.localdate(claim.decided_at) if claim.decided_at else "",
                # The person's number on the hub: unlike a name or email address it never
                # changes (and survives erasure), so finance can match payments to one payee
                # over time. Last, so the columns finance already reads keep their places.
                claim.claimant_id,
                # What of the fee is owed because the session's fee was corrected after
                # approval: on a paid claim, the whole line.
                pounds_for_spreadsheet(item.top_up_pence),
                # How to reach them, for bank details or to send vouchers; also last, for
                # the same reason as the person number.
                contact.phone,
                contact.postal_address_on_one_line,
                contact.contact_by,
                claim.get_voucher_delivery_display(),
            )

    # A paid run's file is a record, named so that nobody sends it to finance as a new run.
    already_paid = "-already-paid" if run.is_paid else ""
    return csv_response(
        f"payment-run-{run.reference}{already_paid}.csv",
        [
            "Payment run",
            "Claim",
            "Name",
            "Email",
            "Payment method",
            "Fee (£)",
            "Expenses (£)",
            "Total (£)",
            "Project",
            "Activity",
            "Activity date",
            "Approved on",
            "Person number",
            "Of which fee top-up (£)",
            "Phone",
            "Postal address",
            "How they want to be contacted",
            "How to send vouchers",
        ],
        rows(),
    )


@login_required
def confirm(request, pk):
    run = permissions.get_run(request, pk)
    if not run.is_open:
        messages.info(request, f"{run.reference} is {run.get_status_display().lower()}.")
        return redirect(run)
    form = ConfirmRunForm(posted(request), run=run, initial={"paid_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            run = services.confirm_payment_run(
                run, by=request.user, paid_on=form.cleaned_data["paid_on"]
            )
        except PaymentError as problem:
            messages.error(request, str(problem))
        else:
            messages.success(
                request,
                f"{run.reference} confirmed as paid. {_claims(run.claim_count)} marked paid.",
            )
        return redirect(run)
    return render(request, "payments/runs/confirm.html", {"run": run, "form": form})


def _one_claim_not_paid(
    request, pk, claim_pk, *, record, question, example, done, template, extra=None
):
    """A page asking why one claim in a run was not paid, then recording it with `record`
    (a service taking the run, the claim, `by` and `reason`). `extra`: more for the page to
    say about the run's item."""
    run = permissions.get_run(request, pk)
    item = permissions.get_run_item(run, claim_pk)
    form = ReasonForm(
        posted(request),
        label=question,
        help_text=f"{example} This goes on the claim's history, which the person can see.",
    )
    if request.method == "POST" and form.is_valid():
        try:
            record(run, item.claim, by=request.user, reason=form.cleaned_data["reason"])
        except PaymentError as problem:
            messages.error(request, str(problem))
        else:
            messages.success(request, done.format(claim=item.claim.reference, run=run.reference))
        return redirect(run)
    context = {"run": run, "item": item, "form": form}
    return render(request, template, {**context, **(extra(item) if extra else {})})


@login_required
def take_out(request, pk, claim_pk):
    """One claim in the run was not paid: take it out, with the reason, before confirming."""
    return _one_claim_not_paid(
        request,
        pk,
        claim_pk,
        record=services.take_out_of_run,
        question="Why was it not paid?",
        example="For example, the bank returned the payment because the account details were "
        "wrong.",
        done="{claim} taken out of {run}. It will go in the next payment run.",
        template="payments/runs/take_out.html",
    )


@login_required
def payment_returned(request, pk, claim_pk):
    """The run was paid, but the bank sent one claim's payment back afterwards."""
    return _one_claim_not_paid(
        request,
        pk,
        claim_pk,
        record=services.record_payment_returned,
        question="Why did the payment come back?",
        example="For example, the bank returned it because the account was closed.",
        done="The payment for {claim} is recorded as returned. The claim will go in the next "
        "payment run.",
        template="payments/runs/payment_returned.html",
        # Money we asked them to pay back of it: recording the return stops asking for it.
        extra=lambda item: {
            "asked_back": list(
                FeeAdjustment.objects.asked_back().filter(claim=item.claim).order_by("pk")
            )
            if not item.top_up_only
            else [],
        },
    )


@login_required
def cancel(request, pk):
    run = permissions.get_run(request, pk)
    if request.method == "POST":
        try:
            services.cancel_payment_run(run, by=request.user)
        except PaymentError as problem:
            messages.error(request, str(problem))
        else:
            messages.success(
                request, f"{run.reference} cancelled. Its claims will go in the next run."
            )
        return redirect(run)
    return render(request, "payments/runs/cancel.html", {"run": run})
