from django.contrib import messages
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.generic import FormView, ListView, TemplateView

from coprod_hub.lib.page_cache import public_page
from coprod_hub.lib.pagination import ForgivingPaginationMixin
from coprod_hub.permissions import role_required
from coprod_hub.users.roles import Role

from . import services, throttle
from .forms import (
    DecisionForm,
    EntryFilterForm,
    ModerationEditForm,
    ResolveFindingsForm,
    ShareForm,
    WithdrawForm,
)
from .models import Entry, Finding
from .permissions import (
    ModeratorRequiredMixin,
    can_moderate,
    get_entry_for_moderation,
    get_published_entry,
)
from .rendering import highlighted, highlighted_line

ENTRIES_PER_PAGE = 20
QUEUE_PER_PAGE = 25
RELATED_ENTRIES = 3


@method_decorator(public_page, name="dispatch")
class GuideListView(ForgivingPaginationMixin, ListView):
    """The public guide: published entries, searched and filtered."""

    template_name = "learning/entry_list.html"
    context_object_name = "entries"
    paginate_by = ENTRIES_PER_PAGE

    def get_queryset(self):
        self.filters = EntryFilterForm(self.request.GET or None)
        return self.filters.apply(Entry.objects.published().for_cards())

    def get_context_data(self, **kwargs):
        return super().get_context_data(filters=self.filters, **kwargs)


@method_decorator(public_page, name="dispatch")
class EntryDetailView(TemplateView):
    template_name = "learning/entry_detail.html"

    def get_context_data(self, **kwargs):
        entry = get_published_entry(kwargs["slug"])
        related = Entry.objects.related_to(entry).for_cards()[:RELATED_ENTRIES]
        return super().get_context_data(
            entry=entry,
            related=list(related),
            can_moderate=can_moderate(self.request.user),
            **kwargs,
        )


class ShareView(FormView):
    """Anyone may share, signed in or not. A bot trap and a rate limit keep spam out."""

    template_name = "learning/share.html"
    form_class = ShareForm
    extra_context = {"page_title": "Share what you have learned", "submit_label": "Send"}

    def form_valid(self, form):
        wait = throttle.minutes_until_allowed(self.request)
        if wait:
            minutes = f"{wait} minute{'s' if wait > 1 else ''}"
            form.add_error(
                None,
                "You have shared a lot in a short time. To stop automated spam we limit how "
                f"often anyone can share. Please try again in {minutes}. "
                "What you typed is still here.",
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        throttle.count_share(self.request)
        if form.is_from_a_bot:
            # Look exactly like success, so the bot learns nothing; save nothing.
            return redirect("learning:share_done")
        data = {k: v for k, v in form.cleaned_data.items() if k != "website"}
        try:
            services.submit_entry(submitted_by=self.request.user, **data)
        except services.LearningError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        return redirect("learning:share_done")


class ShareDoneView(TemplateView):
    template_name = "learning/share_done.html"


class ModerationQueueView(ModeratorRequiredMixin, ForgivingPaginationMixin, ListView):
    """Entries by state; entries waiting for a decision come first, oldest first."""

    template_name = "learning/moderation_queue.html"
    context_object_name = "entries"
    paginate_by = QUEUE_PER_PAGE

    def get_queryset(self):
        status = self.request.GET.get("status")
        self.status = status if status in Entry.Status.values else Entry.Status.SUBMITTED
        entries = Entry.objects.filter(status=self.status).select_related("project")
        if self.status == Entry.Status.SUBMITTED:
            # Findings are prefetched to show titles with personal data hidden.
            return (
                entries.with_finding_counts().prefetch_related("findings").oldest_submitted_first()
            )
        return entries.order_by("-decided_at", "-id")

    def get_context_data(self, **kwargs):
        counts = dict(
            Entry.objects.values_list("status").annotate(n=Count("id")).order_by("status")
        )
        tabs = [
            {
                "status": value,
                "label": label,
                "count": counts.get(value, 0),
                "current": value == self.status,
            }
            for value, label in Entry.Status.choices
        ]
        return super().get_context_data(
            tabs=tabs,
            status=self.status,
            status_label=Entry.Status(self.status).label,
            overdue_count=Entry.objects.overdue_for_moderation(timezone.now()).count(),
            **kwargs,
        )


def _moderation_page(request, entry, **forms):
    findings = list(entry.findings.all())
    title_findings = [f for f in findings if f.field == Finding.Field.TITLE]
    text_findings = [f for f in findings if f.field == Finding.Field.TEXT]
    context = {
        "entry": entry,
        "findings": findings,
        "pending_count": sum(f.is_pending for f in findings),
        "title_html": highlighted_line(entry.title, title_findings),
        "text_html": highlighted(entry.text, text_findings),
        "events": entry.events.select_related("by"),
        "resolve_form": forms.get("resolve_form")
        or ResolveFindingsForm(entry=entry, findings=findings),
        "decision_form": forms.get("decision_form") or DecisionForm(entry=entry),
        "withdraw_form": forms.get("withdraw_form") or WithdrawForm(),
        "has_errors": any(form.errors for form in forms.values()),
    }
    return render(request, "learning/moderate.html", context)


@role_required(Role.MODERATOR)
def moderate_entry(request, pk):
    """One entry: its text with personal data hidden and highlighted, the findings to
    check, the decision, and the history."""
    return _moderation_page(request, get_entry_for_moderation(request, pk))


@role_required(Role.MODERATOR)
def resolve_findings(request, pk):
    entry = get_entry_for_moderation(request, pk)
    if request.method != "POST":
        return redirect(entry.get_moderation_url())
    form = ResolveFindingsForm(request.POST, entry=entry, findings=entry.findings.all())
    if not form.is_valid():
        return _moderation_page(request, entry, resolve_form=form)
    try:
        changed = services.resolve_findings(entry, by=request.user, resolutions=form.resolutions())
    except services.LearningError as error:
        messages.error(request, str(error))
        return redirect(entry.get_moderation_url())
    if changed:
        messages.success(request, "Your decisions are saved")
    return redirect(f"{entry.get_moderation_url()}#decision")


@role_required(Role.MODERATOR)
def decide(request, pk):
    entry = get_entry_for_moderation(request, pk)
    if request.method != "POST":
        return redirect(entry.get_moderation_url())
    form = DecisionForm(request.POST, entry=entry)
    if not form.is_valid():
        return _moderation_page(request, entry, decision_form=form)
    decision, note = form.cleaned_data["decision"], form.cleaned_data["note"].strip()
    action = {
        DecisionForm.PUBLISH: services.publish_entry,
        DecisionForm.RETURN: services.return_entry,
        DecisionForm.REJECT: services.reject_entry,
    }[decision]
    try:
        entry = action(entry, by=request.user, note=note)
    except services.LearningError as error:
        form.add_error(None, str(error))
        entry.refresh_from_db()
        return _moderation_page(request, entry, decision_form=form)
    done = {
        DecisionForm.PUBLISH: "Entry published. The original words and any contact details "
        "have been deleted",
        DecisionForm.RETURN: "Entry returned. We have emailed your note to the person who "
        "shared it",
        DecisionForm.REJECT: "Entry rejected. It will not be published",
    }[decision]
    messages.success(request, done)
    return redirect("learning:moderation")


@role_required(Role.MODERATOR)
def withdraw(request, pk):
    entry = get_entry_for_moderation(request, pk)
    if request.method != "POST":
        return redirect(entry.get_moderation_url())
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return _moderation_page(request, entry, withdraw_form=form)
    try:
        services.withdraw_entry(entry, by=request.user, note=form.cleaned_data["note"])
    except services.LearningError as error:
        form.add_error(None, str(error))
        entry.refresh_from_db()
        return _moderation_page(request, entry, withdraw_form=form)
    messages.success(request, "Entry withdrawn. Its page no longer works")
    return redirect(entry.get_moderation_url())


@role_required(Role.MODERATOR)
def edit_entry(request, pk):
    """Change an entry before deciding; the new title and text are scanned again."""
    entry = get_entry_for_moderation(request, pk)
    if not entry.is_awaiting_moderation:
        messages.error(request, "Only entries awaiting moderation can be changed")
        return redirect(entry.get_moderation_url())
    form = ModerationEditForm(
        request.POST if request.method == "POST" else None,
        initial=ModerationEditForm.initial_for(entry),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.edit_entry(
                entry,
                by=request.user,
                project=data.pop("project"),
                note=data.pop("note").strip(),
                **data,
            )
        except services.LearningError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, "Changes saved. We checked the new text for personal data again"
            )
            return redirect(entry.get_moderation_url())
    return render(request, "learning/moderation_edit.html", {"entry": entry, "form": form})
