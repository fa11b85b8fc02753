"""Reads: what the public may see, the moderation queue, search and related entries.

Other apps use these too: a project page lists `Entry.objects.published().about_project(p)`,
and the moderators' reminder asks for `Entry.objects.overdue_for_moderation(now)`.
"""

import operator
from functools import reduce

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connections, models
from django.db.models import Case, Count, F, IntegerField, Q, Value, When
from django.utils import timezone

from .working_days import moderation_cutoff

# Search looks at this many words at most; more add nothing but cost.
MAX_SEARCH_WORDS = 10
# The tags that make two entries related, with the project they are about.
RELATING_FIELDS = ("topic", "principle", "step", "level", "project_id")


class EntryQuerySet(models.QuerySet):
    def published(self):
        """The only entries the public may see."""
        return self.filter(status="published")

    def awaiting_moderation(self):
        return self.filter(status="submitted")

    def shared_by(self, user):
        """What a signed-in person shared, in any state, for their own list only."""
        return self.filter(submitted_by=user)

    def about_project(self, project):
        return self.filter(project=project)

    def overdue_for_moderation(self, now=None):
        """Entries waiting for a moderator for more than 5 working days."""
        cutoff = moderation_cutoff(now or timezone.now())
        return self.awaiting_moderation().filter(submitted_at__lt=cutoff)

    def newest_first(self):
        return self.order_by("-published_at", "-id")

    def oldest_submitted_first(self):
        return self.order_by("submitted_at", "id")

    def for_cards(self):
        """What a list of entries shows, in a fixed number of queries."""
        return self.select_related("project")

    def with_finding_counts(self):
        """Adds `pending_findings` and `finding_count` for the moderation queue."""
        return self.annotate(
            finding_count=Count("findings"),
            pending_findings=Count("findings", filter=Q(findings__resolution="pending")),
        )

    def search(self, text: str):
        """Entries matching the words typed, most relevant first (`rank` is annotated).

        PostgreSQL uses the stored search vector (title weighs more than text) and ranks
        with ts_rank. SQLite, used on laptops only, needs every word somewhere in the title
        or text and puts entries with more words in the title first.
        """
        words = text.split()[:MAX_SEARCH_WORDS]
        if not words:
            return self
        if connections[self.db].vendor == "postgresql":
            query = SearchQuery(" ".join(words), search_type="websearch", config="english")
            return (
                self.filter(search_vector=query)
                .annotate(rank=SearchRank(F("search_vector"), query))
                .order_by("-rank", "-published_at", "-id")
            )
        matches = self
        for word in words:
            matches = matches.filter(Q(title__icontains=word) | Q(text__icontains=word))
        in_title = reduce(
            operator.add,
            [
                Case(When(title__icontains=word, then=1), default=0, output_field=IntegerField())
                for word in words
            ],
        )
        return matches.annotate(rank=in_title).order_by("-rank", "-published_at", "-id")

    def related_to(self, entry):
        """Published entries sharing a tag or the project with `entry`, most in common first."""
        conditions = [
            Q(**{field: getattr(entry, field)})
            for field in RELATING_FIELDS
            if getattr(entry, field) not in (None, "")
        ]
        if not conditions:
            return self.none()
        shared = reduce(
            operator.add,
            [Case(When(c, then=1), default=0, output_field=IntegerField()) for c in conditions],
            Value(0),
        )
        return (
            self.published()
            .exclude(pk=entry.pk)
            .filter(reduce(operator.or_, conditions))
            .annotate(shared_tags=shared)
            .order_by("-shared_tags", "-published_at", "-id")
        )
