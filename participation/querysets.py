"""Reads: which opportunities and sign-ups to show, counted and ordered in the database.

Who may see what is decided in permissions.py; these methods only describe sets of rows.
"""

from datetime import timedelta

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection, models
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

# Stored values of SignUp.Status (the models import this module, so the choices classes
# cannot be imported here; opportunity methods use self.model.Status instead).
BOOKED, WAITING, OFFERED, CANCELLED = "booked", "waiting", "offered", "cancelled"
HOLDING_PLACE = (BOOKED, OFFERED)
NOT_RECORDED = ""  # SignUp.Attendance.UNKNOWN

SEARCH_CONFIG = "english"

# How long the public feed keeps a cancelled session (OpportunityQuerySet.in_feed).
FEED_KEEPS_CANCELLED = timedelta(days=14)
FEED_KEEPS_CANCELLED_STARTED = timedelta(days=1)


def _count_of(queryset):
    """A correlated COUNT subquery, 0 when there are no rows."""
    counted = queryset.order_by().values("opportunity_id").annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=models.IntegerField()), Value(0))


class OpportunityQuerySet(models.QuerySet):
    def on_public_projects(self):
        """Standing alone, or part of a project the public can see: an opportunity is only
        ever shown with its project's honest step and page."""
        return self.filter(Q(project__isnull=True) | Q(project__is_published=True))

    def public(self):
        """Pages anyone may open: everything except drafts (cancelled ones say so)."""
        return self.exclude(status=self.model.Status.DRAFT).on_public_projects()

    def listed(self, now=None, *, include_past=False):
        """The directory: published or closed, not yet started (or already over too, when
        people ask to see past ones)."""
        listed = self.filter(status__in=self.model.GOING_AHEAD).on_public_projects()
        if include_past:
            return listed
        return listed.filter(starts_at__gt=now or timezone.now())

    def going_ahead_at(self, venue, now=None):
        """Sessions going ahead at `venue` that have not started: their people hear about a
        change to the venue, and staff changing it are told how many there are."""
        return self.filter(
            venue=venue, status__in=self.model.GOING_AHEAD, starts_at__gt=now or timezone.now()
        )

    def in_feed(self, now=None, *, include_past=False):
        """The public calendar feed. Calendars copy what it lists and drop what it leaves
        out, so a session stays in it until it ends (someone on their way still has the time
        and place), and one called off stays for a while, marked cancelled, rather than
        vanishing: cancelled in the last FEED_KEEPS_CANCELLED and due to start no more than
        FEED_KEEPS_CANCELLED_STARTED ago. Drafts never published were never in it."""
        now = now or timezone.now()
        going_ahead = Q(status__in=self.model.GOING_AHEAD)
        if not include_past:
            going_ahead &= Q(ends_at__gt=now)
        called_off = Q(
            status=self.model.Status.CANCELLED,
            published_at__isnull=False,
            cancelled_at__gt=now - FEED_KEEPS_CANCELLED,
            starts_at__gt=now - FEED_KEEPS_CANCELLED_STARTED,
        )
        return self.filter(going_ahead | called_off).on_public_projects()

    def with_place_counts(self):
        """Adds `held_count` (booked or offered) and `waiting_count`, one query for any
        number of rows."""
        from .models import SignUp

        return self.annotate(
            held_count=_count_of(
                SignUp.objects.filter(opportunity=OuterRef("pk"), status__in=HOLDING_PLACE)
            ),
            waiting_count=_count_of(
                SignUp.objects.filter(opportunity=OuterRef("pk"), status=WAITING)
            ),
        )

    def _register_incomplete(self, ended_by):
        """Over by `ended_by`, not cancelled, and someone with a booked place has nothing on
        the register: fee claims, the prompt to claim and the survey all wait on it."""
        from .models import SignUp

        unrecorded = SignUp.objects.filter(
            opportunity=OuterRef("pk"), status=BOOKED, attendance=NOT_RECORDED
        )
        return Q(Exists(unrecorded), ends_at__lte=ended_by) & ~Q(status=self.model.Status.CANCELLED)

    def register_not_taken(self, ended_by=None):
        """Sessions over by `ended_by` (now) whose register is not complete (see above)."""
        return self.filter(self._register_incomplete(ended_by or timezone.now()))

    def with_register_not_taken(self, now=None):
        """Adds `register_not_taken` (see above) in the same query, for lists."""
        incomplete = self._register_incomplete(now or timezone.now())
        return self.annotate(
            register_not_taken=ExpressionWrapper(incomplete, output_field=BooleanField())
        )

    def with_nobody_running(self):
        """Adds `nobody_runs_it`: standing alone, and whoever it was left with (`created_by`)
        no longer holds the staff role or has closed their account. Nobody then sees its
        people's access needs, takes its register or is reminded to
        (permissions.running_in_person) until a commissioner hands it to a colleague."""
        from django.contrib.auth import get_user_model

        from coprod_hub.users.roles import Role

        staff = get_user_model().objects.holding(Role.STAFF).filter(pk=OuterRef("created_by_id"))
        return self.annotate(
            nobody_runs_it=ExpressionWrapper(
                Q(project__isnull=True) & ~Q(Exists(staff)), output_field=BooleanField()
            )
        )

    def for_list(self):
        """Everything a list row shows, without a query per row."""
        return self.select_related("project__service_area", "venue", "topic").with_place_counts()

    def search(self, text: str):
        """Full-text search with ranking on PostgreSQL: the title counts most; then the
        description, the kind ("focus group") and the topic; then who it is for, the venue's
        name and area (people look for what is near them) and the project's title; then the
        format ("online", "hybrid"). Triggers keep the vector (migrations 0016 and 0018).

        On SQLite, a plain "every word appears" match in the same things. The kind and
        format are matched through the words their choices are known by
        (Opportunity.search_words), as the stored values are not what people type."""
        text = " ".join(text.split())
        if not text:
            return self
        if connection.vendor == "postgresql":
            query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
            return self.filter(search_vector=query).annotate(
                rank=SearchRank(F("search_vector"), query)
            )
        known_by = {field: self.model.search_words(field) for field in ("kind", "format")}

        def choices_matching(field, word):
            return [value for value, words in known_by[field].items() if word in words.lower()]

        matches = self
        for word in text.split():
            matches = matches.filter(
                Q(title__icontains=word)
                | Q(description__icontains=word)
                | Q(who_for__icontains=word)
                | Q(venue__name__icontains=word)
                | Q(venue__area__icontains=word)
                | Q(kind__in=choices_matching("kind", word.lower()))
                | Q(format__in=choices_matching("format", word.lower()))
                # Its own topic, or its project's when it has none (effective_topic).
                | Q(topic__name__icontains=word)
                | Q(topic__isnull=True, project__service_area__name__icontains=word)
                | Q(project__title__icontains=word)
            )
        return matches.annotate(rank=Value(1.0, output_field=models.FloatField()))

    def filtered(self, filters: dict):
        """The directory's filters, from DirectoryFilterForm.usable_filters()."""
        from .models import Venue

        matches = self
        if filters.get("project"):
            matches = matches.filter(project=filters["project"])
        if filters.get("kind"):
            matches = matches.filter(kind__in=filters["kind"])
        if filters.get("format"):
            matches = matches.filter(format__in=filters["format"])
        if filters.get("paid") == "paid":
            matches = matches.exclude(fee_basis="none")
        elif filters.get("paid") == "unpaid":
            matches = matches.filter(fee_basis="none")
        if filters.get("topic"):
            # The opportunity's own topic, or its project's when it has none.
            matches = matches.filter(
                Q(topic__slug__in=filters["topic"])
                | Q(topic__isnull=True, project__service_area__slug__in=filters["topic"])
            )
        if filters.get("level"):
            matches = matches.filter(
                Q(project__isnull=True, level__in=filters["level"])
                | Q(project__level__in=filters["level"])
            )
        if filters.get("step"):
            matches = matches.filter(self._public_step_in(filters["step"]))
        if filters.get("from_date"):
            matches = matches.filter(starts_at__date__gte=filters["from_date"])
        if filters.get("to_date"):
            matches = matches.filter(starts_at__date__lte=filters["to_date"])
        if filters.get("area"):
            matches = matches.filter(venue__area=filters["area"])
        known_facts = {name for name, _ in Venue.ACCESS_FACTS}
        for fact in filters.get("access", []):
            if fact in known_facts:
                matches = matches.filter(**{f"venue__{fact}": True})
        return matches

    @staticmethod
    def _public_step_in(steps):
        """The honest step, as Project.public_step works it out: the lower of the claimed and
        evidenced steps (either may be missing), or the opportunity's own when standalone."""
        claimed, evidenced = "project__claimed_step", "project__evidenced_step"
        return (
            Q(project__isnull=True, step__in=steps)
            | Q(**{f"{claimed}__in": steps, f"{evidenced}__isnull": True})
            | Q(**{f"{evidenced}__in": steps, f"{claimed}__isnull": True})
            | Q(**{f"{claimed}__in": steps, f"{evidenced}__gte": F(claimed)})
            | Q(**{f"{evidenced}__in": steps, f"{claimed}__gte": F(evidenced)})
        )


class SignUpQuerySet(models.QuerySet):
    def active(self):
        return self.exclude(status=CANCELLED)

    def holding_place(self):
        return self.filter(status__in=HOLDING_PLACE)

    def waiting_in_order(self):
        """First come, first offered. The id breaks ties between identical timestamps."""
        return self.filter(status=WAITING).order_by("waiting_since", "pk")

    def waiting_ahead_of(self, signup):
        return self.filter(status=WAITING).filter(
            Q(waiting_since__lt=signup.waiting_since)
            | Q(waiting_since=signup.waiting_since, pk__lt=signup.pk)
        )

    def with_waiting_position(self):
        """Adds `position` (1 = next to be offered) to waiting rows, in the same query."""
        from .models import SignUp

        ahead = SignUp.objects.filter(
            opportunity_id=OuterRef("opportunity_id"), status=WAITING
        ).filter(
            Q(waiting_since__lt=OuterRef("waiting_since"))
            | Q(waiting_since=OuterRef("waiting_since"), pk__lt=OuterRef("pk"))
        )
        return self.annotate(position=_count_of(ahead) + 1)

    def to_message(self, *, include_waiting=False):
        """Who a message from staff to the group goes to: people with a place (booked or
        offered) and, if asked, the waiting list. Never people who cancelled, nor people whose
        account has closed since (their past sign-ups stay for fee claims)."""
        statuses = [*HOLDING_PLACE, WAITING] if include_waiting else list(HOLDING_PLACE)
        return self.filter(status__in=statuses, resident__is_active=True)

    def offers_expired(self, now=None):
        now = now or timezone.now()
        return self.filter(status=OFFERED, offer_expires_at__lte=now)
