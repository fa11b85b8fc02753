"""Demo entries for the practice guide: the starter how-to guides (`starter_guides`), lessons
learned, and two entries waiting in moderation with personal data for the moderator to find.

Everything goes through the real services (scan, resolve, publish), so the demo shows what
the hub really does. They run on the demo clock (coprod_hub.lib.demo_clock) on working days
in office hours, so each entry's dates and its moderation trail agree: sent in, then checked
and published a couple of working days later. Running it again adds nothing: entries are
found by their title.
"""

from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from coprod_hub.lib.demo_clock import demo_clock
from coprod_hub.lib.working_days import WorkingDays
from projects.ladder import Level, Principle, Step
from projects.models import Project

from . import services, starter_guides
from .models import Entry, Finding, Topic
from .starter_guides import as_typed

K, OUT = Entry.Kind, Entry.Outcome

# How long ago the demo says each starter guide was published.
STARTER_GUIDE_AGES = {
    "How to run an accessible meeting": 120,
    "Paying people for their time": 100,
    "Choosing the honest step": 90,
    "Working Together for Change in eight stages": 80,
}

LESSONS = [
    {
        "title": "Paying expenses on the day built trust",
        "kind": K.LESSON,
        "outcome": OUT.WENT_WELL,
        "topic": Topic.PAYMENT,
        "principle": Principle.RECIPROCITY,
        "level": Level.SERVICE,
        "step": Step.CO_DESIGN,
        "days_ago": 60,
        "text": """\
We used to pay travel expenses by bank transfer about a month after each session. Several
people told us they could not afford to be out of pocket for that long, so they stopped
coming.

This year we paid travel costs in cash or by voucher at the end of each session, and paid
fees within a week. More people came back for the second and third sessions, and two
people said it was the first time they felt their time was valued.

It took some work with the finance team to set up, but it was worth it.""",
    },
    {
        "title": "We asked for views after the decision was made",
        "kind": K.LESSON,
        "outcome": OUT.NOT_WELL,
        "topic": Topic.HONEST_STEP,
        "principle": Principle.HONESTY,
        "level": Level.STRATEGIC,
        "step": Step.INFORMING,
        "days_ago": 45,
        "text": """\
We held a series of events about changes to day services and called it co-production. In
fact the budget and the main changes had already been agreed.

People noticed quickly. Some felt their time had been wasted and said they would not take
part again. Looking back, it was informing, and we should have said so from the start.

Next time we will be honest about how much can change, involve people before options are
drafted, and record the step on the hub before we invite anyone.""",
    },
    {
        "title": "An online-only panel left people out",
        "kind": K.LESSON,
        "outcome": OUT.NOT_WELL,
        "topic": Topic.ACCESSIBILITY,
        "principle": Principle.INCLUSIVITY,
        "level": Level.SERVICE,
        "step": Step.ENGAGEMENT,
        "days_ago": 30,
        "text": """\
We ran our review panel online to save travel time. Attendance looked good, but almost
everyone was under sixty and already confident with computers.

People without a device or a reliable connection could not join, and nobody offered a phone
option. We have now added a phone line, loan tablets with data, and hold every third
meeting in person at a venue on a bus route.""",
    },
    {
        "title": "Carers co-chaired the review of respite services",
        "kind": K.GOOD_PRACTICE,
        "outcome": OUT.WENT_WELL,
        "topic": Topic.EVALUATION,
        "principle": Principle.EQUALITY,
        "level": Level.STRATEGIC,
        "step": Step.CO_PRODUCTION,
        "days_ago": 20,
        "text": """\
Two carers co-chaired the review alongside a service manager. They helped set the
questions, ran half of the listening sessions and presented the findings to the board.

Because carers led the sessions, people were more open about what was not working. The
board agreed four of the five changes the group recommended, and the co-chairs are now
helping to check whether the changes make a difference.""",
    },
    {
        "title": "The claim forms were too long",
        "kind": K.FEEDBACK,
        "outcome": OUT.MIXED,
        "topic": Topic.COMMUNICATION,
        "principle": Principle.ACCESSIBILITY,
        "days_ago": 10,
        "text": """\
Being paid for my time made a real difference and I felt respected. But the claim form
asked for the same details on every page and used words I did not understand. It took me
longer to fill in than the meeting lasted.

Please make the form shorter, explain why you need each thing, and offer help over the
phone for people who find forms hard.""",
    },
]

# Waiting for a moderator, with personal details the scanner should find.
AWAITING_MODERATION = [
    {
        "title": "Transport to the Thursday group",
        "kind": K.LESSON,
        "outcome": OUT.MIXED,
        "topic": Topic.MEETINGS,
        "days_ago": 8,
        "contact_email": "sharer@example.org",
        "text": """\
The Thursday group is great but getting there is hard. Jean Watson has been driving three of
us since the community bus stopped. If anyone wants to help, she is on 07700 900461.

The venue at LS2 7EX has no parking close by, so she drops us at the door and waits.
We need the council to sort out transport properly, not rely on volunteers.""",
    },
    {
        "title": "Feedback about the carers' café",
        "kind": K.FEEDBACK,
        "outcome": OUT.WENT_WELL,
        "topic": Topic.MEETINGS,
        "days_ago": 2,
        "contact_email": "",
        "text": """\
The carers' café is the best thing the council has done for us. Priya made everyone
welcome and followed up afterwards. You can reach me at carer.feedback@example.org if you
want to hear more. Please keep it going.""",
    },
]

# With --scale large, this many more published lessons are added for load testing.
LARGE_SCALE_EXTRA = 300
LOAD_TEST_TITLE_PREFIX = "Practice note"


def _moderator():
    User = get_user_model()
    return User.objects.filter(email="moderator@example.org").first()


def _published_projects():
    return list(Project.objects.published().order_by("title")[:3])


def _create(spec, *, project=None) -> Entry:
    return services.submit_entry(
        kind=spec["kind"],
        title=spec["title"],
        text=as_typed(spec["text"]),
        outcome=spec["outcome"],
        level=spec.get("level", ""),
        step=spec.get("step"),
        principle=spec.get("principle", ""),
        topic=spec.get("topic", ""),
        project=project,
        contact_email=spec.get("contact_email", ""),
    )


# Entries are sent in during the afternoon and decided the next morning but one.
SENT_AT = time(14, 30)
DECIDED_AT = time(10, 15)
DAYS_IN_THE_QUEUE = 2  # working days


def _working_day(days_ago: int, working: WorkingDays) -> date:
    """The day `days_ago` days back, or the working day before it: moderators work then."""
    day = timezone.localdate() - timedelta(days=days_ago)
    while day not in working:
        day -= timedelta(days=1)
    return day


def _working_days_before(day: date, count: int, working: WorkingDays) -> date:
    for _ in range(count):
        day -= timedelta(days=1)
        while day not in working:
            day -= timedelta(days=1)
    return day


def _at(day: date, clock: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, clock))


def _moments(days_ago: int, working: WorkingDays | None = None) -> tuple[datetime, datetime]:
    """When an entry published about `days_ago` days ago was sent in, and when published."""
    working = working or WorkingDays()
    decided = _working_day(days_ago, working)
    sent = _working_days_before(decided, DAYS_IN_THE_QUEUE, working)
    return _at(sent, SENT_AT), _at(decided, DECIDED_AT)


def _publish(spec, *, moderator, project=None) -> bool:
    if Entry.objects.filter(title=spec["title"]).exists():
        return False
    sent, decided = _moments(spec["days_ago"])
    with demo_clock(sent):
        entry = _create(spec, project=project)
    with demo_clock(decided):
        # Demo guides are written without personal details; anything the scanner flags
        # anyway stays hidden, which is the safe choice.
        services.resolve_findings(
            entry,
            by=moderator,
            resolutions=dict.fromkeys(
                entry.findings.values_list("pk", flat=True), Finding.Resolution.REDACT
            ),
        )
        services.publish_entry(entry, by=moderator, note="Demo entry")
    return True


def _add_starter_guides(moderator) -> int:
    """The starter guides, published first, as a new hub does (see STARTER_GUIDE_AGES)."""
    added = 0
    for guide in starter_guides.missing():
        sent, decided = _moments(STARTER_GUIDE_AGES[guide["title"]])
        with demo_clock(sent):
            entry = starter_guides.submit(guide)
        with demo_clock(decided):
            starter_guides.publish(entry, guide, by=moderator)
        added += 1
    return added


def _load_test_entries(count: int) -> int:
    existing = Entry.objects.filter(title__startswith=LOAD_TEST_TITLE_PREFIX).count()
    if existing >= count:
        return 0
    topics, outcomes = list(Topic), [OUT.WENT_WELL, OUT.NOT_WELL, OUT.MIXED]
    places = ["a day centre", "a library", "a community hall", "an online call", "a café"]
    working = WorkingDays()
    new = []
    for n in range(existing + 1, count + 1):
        topic = topics[n % len(topics)]
        sent, decided = _moments(n % 365 + 1, working)
        new.append(
            Entry(
                kind=K.LESSON,
                title=f"{LOAD_TEST_TITLE_PREFIX} {n}: {topic.label.lower()}",
                text=(
                    f"Notes from a session at {places[n % len(places)]} about "
                    f"{topic.label.lower()}. What worked, what did not, and what we will "
                    "change next time."
                ),
                outcome=outcomes[n % len(outcomes)],
                topic=topic,
                status=Entry.Status.PUBLISHED,
                # Real slugs end in "-<id>"; ending in a word keeps these apart from them.
                slug=f"practice-note-{n}-demo",
                submitted_at=sent,
                decided_at=decided,
                published_at=decided,
            )
        )
    Entry.objects.bulk_create(new, batch_size=500)
    return len(new)


def seed(*, scale, log):
    moderator = _moderator()
    projects = _published_projects()
    published = _add_starter_guides(moderator)
    for index, spec in enumerate(LESSONS):
        project = projects[index % len(projects)] if projects and index < 2 else None
        published += _publish(spec, moderator=moderator, project=project)
    waiting = 0
    for spec in AWAITING_MODERATION:
        if Entry.objects.filter(title=spec["title"]).exists():
            continue
        sent = _at(_working_day(spec["days_ago"], WorkingDays()), SENT_AT)
        with demo_clock(sent):
            _create(spec)
        waiting += 1
    extra = _load_test_entries(LARGE_SCALE_EXTRA) if scale == "large" else 0
    log(
        f"Practice guide: {published} entries published, {waiting} waiting for moderation"
        + (f", {extra} load-test notes" if extra else "")
    )
