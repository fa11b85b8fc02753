import factory
from django.utils import timezone

from learning import services
from learning.models import Entry


class EntryFactory(factory.django.DjangoModelFactory):
    """An entry awaiting moderation, written straight to the table (no scan). Use `submit`
    below when the test needs the real submission with findings."""

    class Meta:
        model = Entry

    kind = Entry.Kind.LESSON
    title = factory.Sequence(lambda n: f"Lesson about meetings {n}")
    text = "We met in the library. The room was quiet and people could hear each other."
    outcome = Entry.Outcome.WENT_WELL
    status = Entry.Status.SUBMITTED


class PublishedEntryFactory(EntryFactory):
    status = Entry.Status.PUBLISHED
    slug = factory.Sequence(lambda n: f"published-entry-{n}")
    published_at = factory.LazyFunction(timezone.now)
    decided_at = factory.LazyFunction(timezone.now)


def submit(**overrides) -> Entry:
    """A real submission through the service: scanned, with its trail started."""
    data = {
        "kind": Entry.Kind.LESSON,
        "title": "Lessons from the carers group",
        "text": "We met on a Tuesday. It went well.",
        "outcome": Entry.Outcome.WENT_WELL,
    }
    data.update(overrides)
    return services.submit_entry(**data)


def resolve_all(entry, *, by, resolution="redact") -> None:
    services.resolve_findings(
        entry,
        by=by,
        resolutions=dict.fromkeys(entry.findings.values_list("pk", flat=True), resolution),
    )
