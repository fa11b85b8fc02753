"""Staff running a session agree taxis for people with a place, and withdraw them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models.functions import Lower
from django.shortcuts import redirect, render

from coprod_hub.lib.pagination import paginate
from participation.models import SignUp

from .. import permissions, policy, services
from ..forms import TaxiAgreementForm
from ..models import TaxiAgreement
from ..services import PaymentError

PEOPLE_PER_PAGE = 50


def _form_for(signup, data=None) -> TaxiAgreementForm:
    # Every person's note box on the page needs its own id: the error summary links to it.
    return TaxiAgreementForm(data, auto_id=f"%s-{signup.pk}")


@login_required
def taxis(request, pk):
    opportunity = permissions.get_opportunity_for_taxis(request, pk)
    failed = None  # (sign-up, form) whose note could not be saved, to show again
    if request.method == "POST":
        failed = _agree_or_withdraw(request, opportunity)
        if failed is None:
            return redirect(request.get_full_path())
    booked = (
        opportunity.signups.filter(status=SignUp.Status.BOOKED)
        .select_related("resident")
        .order_by(Lower("resident__display_name"), "resident__email", "pk")
    )
    page = paginate(request, booked, PEOPLE_PER_PAGE)
    return render(
        request,
        "payments/taxis/manage.html",
        {
            "opportunity": opportunity,
            "page_obj": page,
            "rows": _rows(opportunity, page, failed),
            "problem": policy.taxi_agreement_problem(opportunity),
            "failed_form": failed[1] if failed else None,
        },
    )


def _agree_or_withdraw(request, opportunity):
    """Do what the button pressed asks. None when done (or refused with a message for the
    next page); (sign-up, form) when the note needs changing."""
    if "withdraw" in request.POST:
        agreement = permissions.get_taxi_agreement(opportunity, request.POST["withdraw"])
        try:
            services.withdraw_taxi(agreement, by=request.user)
        except PaymentError as problem:
            messages.error(request, str(problem))
        else:
            messages.success(request, f"Taxi for {agreement.signup.resident} withdrawn.")
        return None
    signup = permissions.get_signup_for_taxi(opportunity, request.POST.get("agree", ""))
    form = _form_for(signup, request.POST)
    if not form.is_valid():
        return signup, form
    try:
        services.agree_taxi(signup, by=request.user, note=form.cleaned_data["note"])
    except PaymentError as problem:
        # Agreed by a colleague a moment ago, say: the next page shows how things stand now,
        # with the reason at the top.
        messages.error(request, str(problem))
    else:
        messages.success(request, f"Taxi agreed for {signup.resident}.")
    return None


def _rows(opportunity, page, failed) -> list[dict]:
    """Each person on this page, their live agreement (one query for the page) and the form
    for their note: the one that failed, with its error, where it did. Someone joining a
    hybrid session online has no journey, so no button to agree one (agree_taxi refuses)."""
    agreed = {
        agreement.signup_id: agreement
        for agreement in TaxiAgreement.objects.live()
        .filter(signup__in=[signup.pk for signup in page])
        .select_related("agreed_by")
    }
    rows = [
        {
            "signup": signup,
            "agreement": agreed.get(signup.pk),
            "form": _form_for(signup),
            "joins_online": opportunity.joins_online(signup.joining),
        }
        for signup in page
    ]
    if failed:
        signup, form = failed
        row = next((row for row in rows if row["signup"].pk == signup.pk), None)
        if row is None:
            # Sent from a page that has changed since (someone else's place was cancelled, or
            # this one moved to another page): shown first, so the error has its note box.
            row = {
                "signup": signup,
                "agreement": TaxiAgreement.objects.live_for(signup.pk),
                "joins_online": opportunity.joins_online(signup.joining),
            }
            rows.insert(0, row)
        row["form"] = form
    return rows
