"""Reads: who sees which projects and updates, and the filters and flags lists use."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import BooleanField, Case, Count, Exists, F, Max, OuterRef, Q, When, Window
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from coprod_hub.users.roles import Role

# A project with no "we said, we did" update for this long is flagged to staff.
UPDATE_OVERDUE_AFTER = timedelta(weeks=12)


def lower_step(claimed: str, evidenced: str):
    """SQL for the step the public sees from two step columns: the lower one, or the one
    recorded if only one is, or null. Coalesce first because SQLite's LEAST gives null if
    either side is null."""
    return Least(Coalesce(claimed, evidenced), Coalesce(evidenced, claimed))


def public_step_expression(prefix: str = ""):
    """SQL for a project's public step: the lower of claimed and evidenced, or null.

    `prefix` lets other apps use it across a relation, e.g. `public_step_expression("project__")`
    on opportunities.
    """
    return lower_step(f"{prefix}claimed_step", f"{prefix}evidenced_step")


def first_with_total(queryset, limit: int) -> tuple[list, int]:
    """The first `limit` rows of `queryset` and how many rows it has in all, in one query.

    A count over the whole result (a window function, worked out before the LIMIT) comes
    with every row, so a page can say "See all 24" without a second query.
    """
    rows = list(queryset.annotate(total_rows=Window(Count("pk")))[:limit])
    return rows, (rows[0].total_rows if rows else 0)


def staff_users():
    """Active people who hold the staff role (directly, through commissioner, or as admins).

    Owners and team members are chosen from these.
    """
    return get_user_model().objects.holding(Role.STAFF)


class ProjectQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def visible_to(self, user):
        """Staff see every project, drafts included; everyone else sees published ones."""
        if user.is_authenticated and user.has_role(Role.STAFF):
            return self.all()
        return self.published()

    def editable_by(self, user):
        """Projects this person may change. Keep in step with permissions.can_edit_project."""
        if not (user.is_authenticated and user.has_role(Role.STAFF)):
            return self.none()
        if user.is_superuser or user.has_role(Role.COMMISSIONER):
            return self.all()
        on_team = self.model.team.through.objects.filter(project_id=OuterRef("pk"), user=user)
        return self.filter(Q(owner=user) | Q(Exists(on_team)))

    def with_public_step(self):
        return self.annotate(public_step_value=public_step_expression())

    def inflated(self):
        """Claimed step higher than the evidence supports."""
        return self.filter(claimed_step__gt=F("evidenced_step"))

    def active_past_end_date(self, today=None):
        """Still "active" after their end date (Project.is_active_past_end_date)."""
        return self.filter(
            status=self.model.Status.ACTIVE, end_date__lt=today or timezone.localdate()
        )

    def with_update_flags(self, now=None):
        """Adds `last_update_at` and `update_overdue`: no "we said, we did" update for 12 weeks.

        The clock starts when the project is made, so a new project is not flagged at once. A
        closed project that posted an update has told people how it ended: it is not chased
        for ever. One that closed without a word still is.
        """
        cutoff = (now or timezone.now()) - UPDATE_OVERDUE_AFTER
        overdue = Q(last_update_at__lt=cutoff, status__in=["planning", "active"]) | Q(
            last_update_at__isnull=True, created_at__lt=cutoff
        )
        return self.annotate(last_update_at=Max("updates__posted_at")).annotate(
            update_overdue=Case(
                When(overdue, then=True), default=False, output_field=BooleanField()
            )
        )

    def search(self, text: str):
        """Words typed into the search box: every word must appear in the title, summary or
        service area. Projects number in the hundreds, so a simple scan is fast enough and
        works the same on SQLite and PostgreSQL."""
        query = self
        for word in text.split()[:10]:
            query = query.filter(
                Q(title__icontains=word)
                | Q(summary__icontains=word)
                | Q(service_area__name__icontains=word)
            )
        return query

    def for_cards(self):
        """What a list of project cards needs, in a fixed number of queries."""
        return self.select_related("service_area")


class UpdateQuerySet(models.QuerySet):
    def published(self):
        """Updates the public can read: those on published projects, and those about sessions
        standing alone about a session the public can see, as `for_display` lists them (not a
        draft or called off, and not since put in a project that is hidden)."""
        from participation.models import Opportunity

        public_session = Opportunity.objects.filter(
            Q(project__isnull=True) | Q(project__is_published=True),
            updates=OuterRef("pk"),
        ).exclude(status__in=[Opportunity.Status.DRAFT, Opportunity.Status.CANCELLED])
        return self.filter(
            Q(project__is_published=True) | (Q(project__isnull=True) & Q(Exists(public_session)))
        )

    def for_someone_who_took_part(self, person):
        """The updates `person` is sent as someone who took part (notifications.broadcasts
        .took_part): those about a project they attended a session of, and those about a
        session standing alone they attended."""
        from participation.models import SignUp

        attended = SignUp.objects.filter(resident=person, attendance=SignUp.Attendance.ATTENDED)
        about_theirs = Q(project__in=attended.values("opportunity__project")) | Q(
            project__isnull=True,
            pk__in=self.model.opportunities.through.objects.filter(
                opportunity__in=attended.values("opportunity")
            ).values("update"),
        )
        return self.filter(about_theirs)

    def after_session(self, opportunity):
        """What the people who came to `opportunity` are sent afterwards: its project's
        updates, or for a session standing alone, those about it."""
        if opportunity.project_id:
            return self.filter(project_id=opportunity.project_id)
        return self.about_session(opportunity)

    def about_session(self, opportunity):
        """The updates about one session: its project's updates that name it, and those about
        it standing alone."""
        return self.filter(opportunities=opportunity)

    def visible_to(self, user):
        if user.is_authenticated and user.has_role(Role.STAFF):
            return self.all()
        return self.published()

    def for_display(self):
        from participation.models import Opportunity

        public_opportunities = Opportunity.objects.exclude(
            status__in=[Opportunity.Status.DRAFT, Opportunity.Status.CANCELLED]
        ).order_by("starts_at")
        return self.select_related("project", "posted_by").prefetch_related(
            models.Prefetch("opportunities", queryset=public_opportunities)
        )
