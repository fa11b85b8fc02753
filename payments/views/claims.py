"""Residents' claims: list, start, fill in, send; and staff claiming on someone's behalf."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render

from coprod_hub.lib.pagination import paginate
from coprod_hub.permissions import role_required
from coprod_hub.users.roles import Role
from participation.models import SignUp
from participation.people import MOST_SHOWN

from .. import permissions, policy, services
from ..benefits import fees_over_check
from ..contact import PayeeContact
from ..forms import (
    ClaimDetailsForm,
    ExpenseForm,
    FindPersonForm,
    StartOnBehalfForm,
    SubmitClaimForm,
)
from ..models import Claim, FeeAdjustment, LedgerEntry, PaymentPolicy
from ..querysets import budget_use_of
from ..services import PaymentError, deciders
from . import posted
from .reports import tax_year_rows


def _status_guide():
    return [
        (label, explanation, Claim.STATUS_TAG_CLASSES[status])
        for status, (label, explanation) in Claim.RESIDENT_STATUS.items()
    ]


@login_required
def claim_list(request):
    user = request.user
    claims = Claim.objects.for_claimant(user).with_related().latest_sessions_first()
    claimable = permissions.claimable_signups(request)
    ledger = LedgerEntry.objects.filter(person=user)
    tax_years = tax_year_rows(ledger.tax_year_totals())
    return render(
        request,
        "payments/claims/list.html",
        {
            "page_obj": paginate(request, claims, 20),
            "claimable": claimable[:3],
            "claimable_count": claimable.count(),
            "tax_years": tax_years,
            # Money paid back counts in the tax year it came back (services.money_back), which
            # can leave a year below nothing: the page says what the minus sign means.
            "paid_back_more": any(row["total"] < 0 for row in tax_years),
            "owed_pence": ledger.owed().balance(),
            "status_guide": _status_guide(),
            "policy": PaymentPolicy.current(),
            "is_staff": user.has_role(Role.STAFF),
        },
    )


@login_required
def choose_session(request):
    signups = permissions.claimable_signups(request)
    return render(
        request,
        "payments/claims/choose_session.html",
        {"page_obj": paginate(request, signups, 20)},
    )


@login_required
def start(request, signup_pk):
    signup = permissions.get_signup_to_claim(request, signup_pk)
    existing = Claim.objects.filter(signup=signup).first()
    if existing and permissions.claims_for(request).filter(pk=existing.pk).exists():
        return redirect(existing)
    on_behalf = signup.resident_id != request.user.pk
    form = StartOnBehalfForm(posted(request)) if on_behalf else None
    opportunity = signup.opportunity
    fee = policy.fee_for(opportunity, policy.activity_date(opportunity))
    error = None
    if not services.can_claim_for(signup):
        error = "This session does not pay a fee or expenses, so there is nothing to claim."
    elif request.method == "POST" and (form is None or form.is_valid()):
        try:
            claim = services.start_claim(
                signup,
                by=request.user,
                on_behalf_note=form.cleaned_data["on_behalf_note"] if form else "",
            )
        except PaymentError as problem:
            error = str(problem)
        else:
            return redirect("payments:claim_details", claim.pk)
    return render(
        request,
        "payments/claims/start.html",
        {
            "signup": signup,
            "opportunity": opportunity,
            "nobody_travels": opportunity.nobody_travels_for(signup.joining),
            "fee": fee,
            "form": form,
            "on_behalf": on_behalf,
            "error": error,
        },
    )


@login_required
def claim_detail(request, pk):
    claim = permissions.get_claim_for_user(request, pk)
    user = request.user
    lines = list(
        claim.lines.select_related(
            "receipt", "taxi_agreement__agreed_by", "taxi_agreement__withdrawn_by"
        )
    )
    can_edit = permissions.may_edit(user, claim) and claim.is_editable
    rules = policy.rules_in_force(claim.activity_date)
    for line in lines:
        line.needs_receipt = line.receipt_id is None and policy.receipt_needed(line, rules)
    is_commissioner = permissions.is_commissioner(user)
    is_claimant = claim.claimant_id == user.pk
    context = {
        "claim": claim,
        "fee_lines": [line for line in lines if line.is_fee],
        "expense_lines": [line for line in lines if not line.is_fee],
        "events": claim.events.select_related("actor"),
        "can_edit": can_edit,
        "problems": services.submission_problems(claim, by=user) if can_edit else [],
        "is_claimant": is_claimant,
        "failed_payment": claim.failed_payment() if is_claimant else None,
        "can_download": is_commissioner or is_claimant,
        "is_commissioner": is_commissioner,
        "policy": PaymentPolicy.current(),
    }
    # After its session's fee was corrected: commissioners see every top-up and overpayment;
    # the person (and staff who claimed for them) the top-ups approved and still standing, and
    # money we asked them to pay back (they were told of it).
    adjustments = claim.fee_adjustments.select_related("closed_by", "stopped_asking_by").order_by(
        "created_at", "pk"
    )
    if not is_commissioner:
        approved_top_up = Q(kind=FeeAdjustment.Kind.TOP_UP, approved_at__isnull=False) & ~Q(
            outcome=FeeAdjustment.Outcome.CANCELLED
        )
        asked_back = Q(kind=FeeAdjustment.Kind.OVERPAYMENT, outcome=FeeAdjustment.Outcome.RECOVER)
        adjustments = adjustments.filter(approved_top_up | asked_back)
    context["fee_adjustments"] = list(adjustments)
    if is_commissioner:
        context["held_by"] = claim.overpayment_holding_payment(context["fee_adjustments"])
        context["held_until"] = services.HELD_UNTIL
    if is_commissioner and claim.nobody_may_decide:
        context["nobody_to_decide_told"] = deciders.who_was_told(1)
    if is_commissioner:
        # How finance can reach them: for bank details, or to send vouchers.
        context["contact"] = PayeeContact.of(claim.claimant)
        context["review_block"] = services.review_block_reason(claim, user)
        if claim.can_be_reopened:
            context["reopen_block"] = services.reopen_block_reason(claim, user)
        context["fees_together"] = fees_over_check(claim, context["policy"])
        context["ledger_entries"] = claim.ledger_entries.select_related("created_by")
        # What the claim rests on: who recorded that the person came, and when.
        context["register"] = (
            SignUp.objects.select_related("attendance_recorded_by")
            .filter(pk=claim.signup_id)
            .first()
        )
        if claim.can_be_decided and not context["review_block"] and claim.project_id:
            context.update(_budget_position(claim))
    return render(request, "payments/claims/detail.html", context)


def _budget_position(claim) -> dict:
    """The project's budget as the budget report shows it, and how far over it the project
    is now and would be with this claim approved, for the commissioner deciding it."""
    budget = budget_use_of(claim.project_id)
    if budget is None or budget.budget_pence is None:
        return {}
    return {
        "budget": budget,
        "over_budget_now_pence": max(0, -budget.remaining_pence),
        "over_budget_if_approved_pence": max(0, claim.total_pence - budget.remaining_pence),
    }


def _editable_or_redirect(request, pk):
    claim = permissions.get_claim_for_edit(request, pk)
    if not claim.is_editable:
        messages.info(request, "This claim has been sent, so it cannot be changed now.")
        return claim, redirect(claim)
    return claim, None


@login_required
def claim_details(request, pk):
    claim, blocked = _editable_or_redirect(request, pk)
    if blocked:
        return blocked
    answers = {
        "payment_method": claim.payment_method,
        "voucher_delivery": claim.voucher_delivery,
        "employed_by_partner": claim.employed_by_partner,
    }
    from_last_claim = False
    if not claim.payment_method:
        last = Claim.objects.last_answers(claim)
        from_last_claim = bool(last)
        answers = last or answers
    initial = {
        "payment_method": answers["payment_method"],
        "voucher_delivery": answers["voucher_delivery"],
        "employed_by_partner": {True: "yes", False: "no"}.get(answers["employed_by_partner"]),
        "not_part_of_paid_job": claim.not_part_of_paid_job,
    }
    for_someone_else = request.user.pk != claim.claimant_id
    form = ClaimDetailsForm(
        posted(request), claim=claim, for_someone_else=for_someone_else, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_claim_details(claim, by=request.user, **form.cleaned_data)
        except PaymentError as problem:
            form.add_error(problem.field if problem.field in form.fields else None, str(problem))
        else:
            return redirect(claim)
    return render(
        request,
        "payments/claims/details_form.html",
        {
            "claim": claim,
            "form": form,
            "page_title": (
                f"Payment details for {claim.claimant}"
                if for_someone_else
                else "Your payment details"
            ),
            "for_someone_else": for_someone_else,
            "submit_label": "Save and continue",
            # Answers copied from the last claim are ready to send: people must see that
            # they were not typed for this one (the conflict of interest question above all).
            "from_last_claim": from_last_claim and not form.is_bound,
        },
    )


@login_required
def expense(request, pk, line_pk=None):
    claim, blocked = _editable_or_redirect(request, pk)
    if blocked:
        return blocked
    line = permissions.get_line_for_edit(claim, line_pk) if line_pk else None
    initial = {}
    if line:
        initial = {
            "category": line.category,
            "description": line.description,
            "amount": None if line.miles is not None else line.amount_pence,
            "miles": line.miles,
            "agreed_with": line.agreed_with,
        }
    for_someone_else = request.user.pk != claim.claimant_id
    form = ExpenseForm(
        posted(request),
        request.FILES if request.method == "POST" else None,
        claim=claim,
        line=line,
        for_someone_else=for_someone_else,
        initial=initial,
    )
    if request.method == "POST":
        valid = form.is_valid()
        receipt = form.pending
        if form.content_type and not form.has_error("receipt"):
            # Store a good upload straight away, so a mistake elsewhere on the form does not
            # make the person find the file again.
            try:
                receipt = services.store_receipt(
                    request.FILES["receipt"],
                    owner=claim.claimant,
                    by=request.user,
                    content_type=form.content_type,
                )
            except PaymentError as problem:  # their account was erased a moment ago
                form.add_error(None, str(problem))
                valid = False
        if valid:
            data = form.cleaned_data
            try:
                services.save_expense(
                    claim,
                    by=request.user,
                    line=line,
                    category=data["category"],
                    description=data["description"],
                    amount_pence=data.get("amount"),
                    miles=data.get("miles"),
                    agreed_with=data.get("agreed_with", ""),
                    receipt=receipt,
                    remove_receipt=data.get("remove_receipt", False),
                )
            except PaymentError as problem:
                form.add_error(None, str(problem))
            else:
                if data.get("receipt_missing"):
                    messages.info(
                        request,
                        "Expense saved. Add a receipt for it before you send the claim.",
                    )
                else:
                    messages.success(request, "Expense saved.")
                return redirect(claim)
        if receipt is not None:
            form.keep_receipt(receipt)
    return render(
        request,
        "payments/claims/expense_form.html",
        {"claim": claim, "line": line, "form": form, "for_someone_else": for_someone_else},
    )


@login_required
def expense_remove(request, pk, line_pk):
    claim, blocked = _editable_or_redirect(request, pk)
    if blocked:
        return blocked
    line = permissions.get_line_for_edit(claim, line_pk)
    if request.method == "POST":
        try:
            services.remove_expense(line, by=request.user)
        except PaymentError as problem:
            messages.error(request, str(problem))
        else:
            messages.success(request, f"{line.get_category_display()} removed from the claim.")
        return redirect(claim)
    return render(request, "payments/claims/expense_remove.html", {"claim": claim, "line": line})


@login_required
def submit(request, pk):
    claim, blocked = _editable_or_redirect(request, pk)
    if blocked:
        return blocked
    on_behalf = request.user.pk != claim.claimant_id
    form = SubmitClaimForm(posted(request), on_behalf=on_behalf)
    problems = services.submission_problems(claim, by=request.user)
    policy_row = PaymentPolicy.current()
    if request.method == "POST" and form.is_valid():
        try:
            claim = services.submit_claim(
                claim, by=request.user, benefits_acknowledged=form.cleaned_data["acknowledged"]
            )
        except PaymentError as problem:
            form.add_error(None, str(problem))
        else:
            messages.success(
                request, f"Claim {claim.reference} sent. We will let you know what happens next."
            )
            return redirect(claim)
    return render(
        request,
        "payments/claims/submit.html",
        {
            "claim": claim,
            "form": form,
            "problems": problems,
            "on_behalf": on_behalf,
            "policy": policy_row,
            "fees_together": fees_over_check(claim, policy_row),
        },
    )


@login_required
def delete_draft(request, pk):
    claim, blocked = _editable_or_redirect(request, pk)
    if blocked:
        return blocked
    if not claim.can_be_deleted:
        messages.info(request, "Only a claim that has never been sent can be deleted.")
        return redirect(claim)
    if request.method == "POST":
        try:
            services.delete_draft(claim, by=request.user)
        except Claim.DoesNotExist:  # deleted a moment ago, in another tab
            pass
        except services.PaymentError as error:  # sent a moment ago, in another tab
            messages.error(request, str(error))
            return redirect(claim)
        messages.success(request, "Claim deleted.")
        if claim.claimant_id == request.user.pk:
            return redirect("payments:claims")
        return redirect("payments:on_behalf")
    return render(request, "payments/claims/delete.html", {"claim": claim})


@login_required
def receipt(request, pk, line_pk):
    line = permissions.get_receipt_line(request, pk, line_pk)
    stored = line.receipt
    try:
        handle = stored.file.open("rb")
    except FileNotFoundError:
        raise Http404("The receipt file is missing") from None
    # Always a download, never shown inline, and never kept in a shared cache.
    response = FileResponse(
        handle, as_attachment=True, filename=stored.download_name, content_type=stored.content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response


@role_required(Role.STAFF)
def on_behalf(request):
    """Staff find the person who asked for help (by email address, or by name or phone number
    among the people they work with: participation.people), then start a claim for one of
    their sessions. Without a search it lists the claims this member of staff made for
    others. A search that finds several people lists them to choose from."""
    form = FindPersonForm(request.GET if "q" in request.GET else None, by=request.user)
    search = form.search if form.is_valid() else None
    person = None
    if search is not None:
        chosen = search.people[0] if len(search.people) == 1 else None
        chosen = search.get(request.GET.get("person", "")) or chosen
        person = chosen.person if chosen else None
    page = None
    if person is not None:
        page = paginate(request, permissions.claimable_signups(request, for_person=person), 20)
    made = None
    if search is None:
        made = paginate(
            request,
            permissions.claims_made_for_others(request.user)
            .with_related()
            .order_by("-created_at", "-pk"),
            20,
        )
    return render(
        request,
        "payments/claims/on_behalf.html",
        {
            "form": form,
            "search": search,
            "most_shown": MOST_SHOWN,
            "person": person,
            "page_obj": page or made,
            "searching": person is not None,
        },
    )
