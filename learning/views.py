from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count
from django.http import Http404
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
from .models import Entry, Finding, reference_for
from .permissions import (
    ModeratorRequiredMixin,
    can_moderate,
    find_moved_entry,
    get_entry_for_moderation,
    get_published_entry,
)
from .rendering import highlighted, highlighted_line

ENTRIES_PER_PAGE = 20
QUEUE_PER_PAGE = 25
RELATED_ENTRIES = 3
YOURS_PER_PAGE = 20
# The thank-you page shows the reference of what this browser has just shared.
SHARED_SESSION_KEY = "learning:shared"


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

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            # Looked for only when the address is unknown, so the usual page costs nothing.
            moved = find_moved_entry(kwargs["slug"])
            if moved is None:
                raise
            return redirect(moved.get_absolute_url(), permanent=True)

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
    extra_context = {
        "page_title": "Share what you have learned",
        "submit_label": "Send to a moderator",
    }

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

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
            entry = services.submit_entry(submitted_by=self.request.user, **data)
        except services.LearningError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        self.request.session[SHARED_SESSION_KEY] = entry.pk
        return redirect("learning:share_done")


class ShareDoneView(TemplateView):
    template_name = "learning/share_done.html"

    def get_context_data(self, **kwargs):
        shared = self.request.session.get(SHARED_SESSION_KEY)
        return super().get_context_data(
            reference=reference_for(shared) if isinstance(shared, int) else "", **kwargs
        )


class YoursView(LoginRequiredMixin, ForgivingPaginationMixin, ListView):
    """ "Things you shared": a signed-in person's own entries and what became of them."""

    template_name = "learning/yours.html"
    context_object_name = "entries"
    paginate_by = YOURS_PER_PAGE

    def get_queryset(self):
        return Entry.objects.shared_by(self.request.user).order_by("-submitted_at", "-id")


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


# The preview sits under the h2 "How it will look", so the text's sub-headings are h3s.
PREVIEW_HEADING_LEVEL = 3


def _moderation_page(request, entry, undecided_error=None, **forms):
    findings = list(entry.findings.all())
    title_findings = [f for f in findings if f.field == Finding.Field.TITLE]
    text_findings = [f for f in findings if f.field == Finding.Field.TEXT]
    context = {
        "entry": entry,
        "findings": findings,
        "pending_count": sum(f.is_pending for f in findings),
        "title_html": highlighted_line(entry.title, title_findings),
        "text_html": highlighted(entry.text, text_findings, heading_level=PREVIEW_HEADING_LEVEL),
        "events": entry.events.select_related("by"),
        "resolve_form": forms.get("resolve_form")
        or ResolveFindingsForm(entry=entry, findings=findings),
        "decision_form": forms.get("decision_form") or DecisionForm(entry=entry),
        "withdraw_form": forms.get("withdraw_form") or WithdrawForm(),
        "has_errors": any(form.errors for form in forms.values()),
        "undecided_error": undecided_error,
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
    if not entry.is_awaiting_moderation:
        # Decided while the page was open: its findings went with the original words, so
        # the form would only say the text had changed.
        messages.error(request, services.already_dealt_with_message(entry))
        return redirect(entry.get_moderation_url())
    form = ResolveFindingsForm(request.POST, entry=entry, findings=entry.findings.all())
    if not form.is_valid():
        return _moderation_page(request, entry, resolve_form=form)
    try:
        if form.keeps_undecided_hidden:
            # "Keep all undecided hidden": the choices made on the page are saved with it.
            changed = services.keep_undecided_hidden(
                entry,
                by=request.user,
                shown=form.undecided_shown,
                resolutions=form.resolutions(),
            )
        else:
            changed = services.resolve_findings(
                entry, by=request.user, resolutions=form.resolutions()
            )
    except services.LearningError as error:
        messages.error(request, str(error))
        return redirect(entry.get_moderation_url())
    if form.keeps_undecided_hidden:
        messages.success(request, "Saved: everything that was still undecided is kept hidden.")
    elif changed:
        messages.success(request, "Your decisions are saved.")
    # "Save choices only" is for deciding later: the page opens at the top, where the banner
    # saying they are saved takes focus. A jump down to the decision left it unseen and unheard.
    return redirect(entry.get_moderation_url())


@role_required(Role.MODERATOR)
def decide(request, pk):
    """The one button on the moderation page: the choices about findings made on the page
    are saved with the decision, or (if anything is wrong) neither is, and the page shows
    every choice again."""
    entry = get_entry_for_moderation(request, pk)
    if request.method != "POST":
        return redirect(entry.get_moderation_url())
    form = DecisionForm(request.POST, entry=entry)
    resolve_form = ResolveFindingsForm(
        request.POST, entry=entry, findings=entry.findings.all(), require_a_choice=False
    )
    if not (form.is_valid() and resolve_form.is_valid()):
        return _moderation_page(request, entry, decision_form=form, resolve_form=resolve_form)
    decision = form.cleaned_data["decision"]
    if decision == DecisionForm.PUBLISH:
        undecided = resolve_form.mark_undecided()
        if undecided:
            # One message in the error summary, linked to the first undecided finding's
            # first radio; each undecided finding has its own message by its radios.
            first = resolve_form.field_name(undecided[0])
            return _moderation_page(
                request,
                entry,
                decision_form=form,
                resolve_form=resolve_form,
                undecided_error={
                    "message": services.undecided_findings_message(len(undecided)),
                    "target": f"id_{first}_1",
                },
            )
    try:
        entry = services.decide(
            entry,
            by=request.user,
            decision=decision,
            note=form.cleaned_data["note"].strip(),
            reason=form.cleaned_data.get("reason", "").strip(),
            resolutions=resolve_form.resolutions(),
        )
    except services.LearningError as error:
        form.add_error(None, str(error))
        entry.refresh_from_db()
        return _moderation_page(request, entry, decision_form=form, resolve_form=resolve_form)
    done = {
        DecisionForm.PUBLISH: "Entry published. The original words and any contact details "
        "have been deleted.",
        DecisionForm.RETURN: "Entry returned. We are sending your note, with what they wrote, "
        "to the person who shared it.",
        DecisionForm.REJECT: "Entry rejected. It will not be published.",
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
    messages.success(request, "Entry withdrawn. Its page no longer works.")
    return redirect(entry.get_moderation_url())


@role_required(Role.MODERATOR)
def edit_entry(request, pk):
    """Change an entry before deciding, or correct a published one (which takes it off the
    guide until it is published again); the new title and text are scanned again."""
    entry = get_entry_for_moderation(request, pk)
    if not (entry.is_awaiting_moderation or entry.is_published):
        messages.error(request, "Only entries awaiting moderation or published can be changed.")
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
            done = "Changes saved. We checked the new text for personal data again."
            if entry.is_published:
                done += " The entry is off the guide until you publish it again."
            messages.success(request, done)
            return redirect(entry.get_moderation_url())
    return render(request, "learning/moderation_edit.html", {"entry": entry, "form": form})
