"""Demo entries for the practice guide: how-to guides, lessons learned, and two entries
waiting in moderation with personal data for the moderator to find.

Everything goes through the real services (scan, resolve, publish), so the demo shows what
the hub really does. Running it again adds nothing: entries are found by their title.
"""

import re
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from projects.ladder import Level, Principle, Step
from projects.models import Project

from . import services
from .models import Entry, Finding, Topic

K, OUT = Entry.Kind, Entry.Outcome

HOW_TO_GUIDES = [
    {
        "title": "How to run an accessible meeting",
        "kind": K.HOW_TO,
        "outcome": OUT.NOT_APPLICABLE,
        "topic": Topic.MEETINGS,
        "principle": Principle.ACCESSIBILITY,
        "level": Level.SERVICE,
        "days_ago": 120,
        "text": """\
An accessible meeting is one where everybody can take part fully, not just turn up. Most of
the work happens before the day.

Before the meeting
- Ask each person what they need when they sign up, and only once. The hub keeps this in
  their profile so nobody has to repeat it.
- Choose a venue with step-free access, an accessible toilet, a hearing loop and a quiet
  room. Check these yourself: a listing that says "accessible" is not enough.
- Send papers at least a week before, in the format each person asked for: easy read,
  large print or plain text that works with a screen reader.
- Book interpreters, supporters or transport early. Offer to pay for a supporter's time.

On the day
- Start by agreeing how the meeting will work: one person speaks at a time, plain words,
  no acronyms, and anyone can ask for something to be explained again.
- Build in a break at least every hour, and do not run over.
- Give people more than one way to have their say: speaking, writing, or talking to someone
  one-to-one afterwards.

After the meeting
- Send a short summary within a week, in the same formats as the papers.
- Say what will happen next and when people will hear back.

Ask people at the end what could have been better, and change it next time.""",
    },
    {
        "title": "Paying people for their time",
        "kind": K.HOW_TO,
        "outcome": OUT.NOT_APPLICABLE,
        "topic": Topic.PAYMENT,
        "principle": Principle.RECIPROCITY,
        "level": Level.SERVICE,
        "days_ago": 100,
        "text": """\
People who share their experience are giving their time and expertise, just like the paid
staff in the room. Paying them fairly is part of treating them as equal partners.

Agree the payment before anyone takes part
- Tell people the fee, what expenses are covered and how they will be paid, in the
  invitation, not afterwards.
- Use the council's payment policy so everyone doing the same work is paid the same rate.
- Offer a choice: bank transfer, vouchers, or expenses only with no fee. Some people
  decline fees because payments can affect their benefits.

Talk about benefits honestly
- Do not give benefits advice yourself. Point people to the welfare rights service before
  they take part, so nobody is caught out.
- Keep a record of what each person has been paid in the tax year, so they can tell the
  benefits office if they need to.

Pay quickly
- Cover travel, care and childcare costs on the day, or within a week.
- Do not ask people on low incomes to wait a month to get their own money back.
- If a receipt is needed, say so up front and accept a photo of it.

Thank people properly
- Payment is not the only thanks. Tell people what changed because of what they said.""",
    },
    {
        "title": "Choosing the honest step",
        "kind": K.HOW_TO,
        "outcome": OUT.NOT_APPLICABLE,
        "topic": Topic.HONEST_STEP,
        "principle": Principle.HONESTY,
        "level": Level.STRATEGIC,
        "days_ago": 90,
        "text": """\
Every project on the hub says which step of the ladder of participation it is on. Trust is
lost when a piece of work is called co-production and people later find out they had no
real say. Choosing the honest step protects that trust.

Start from the decision, not the label
- Ask who will make the final decision. If the council decides alone after hearing views,
  that is consultation, however friendly the process is.
- Ask when people were first involved. Joining after the options were drafted means the
  most important choices were already made.

Answer the hub's evidence questions
- The hub asks a few plain questions: who decides, when people joined, whether they set
  the agenda, and whether they help deliver and check the work.
- It works out the step the answers support. If you claim a higher step, the public page
  shows the lower one and says why.

It is fine not to be co-production
- Consultation and engagement are useful when done well. Say so openly and explain why this
  piece of work is not co-production.
- Tell people before they take part how much say they will have.

Look again as the work goes on
- Steps can move up or down. Record each change with the reason, so people can see the
  history.""",
    },
    {
        "title": "Working Together for Change in eight stages",
        "kind": K.HOW_TO,
        "outcome": OUT.NOT_APPLICABLE,
        "topic": Topic.WTFC,
        "principle": Principle.RELATIONSHIPS,
        "level": Level.STRATEGIC,
        "days_ago": 80,
        "text": """\
Working Together for Change is a way of using what people say about their own lives to plan
services together. It runs in eight stages, and people who draw on care and support take
part in every one.

1. Prepare: agree why you are doing it, who will take part, and how people will be
   supported and paid.
2. Collect: gather what is working and not working for people, in their own words, for
   example from reviews and conversations.
3. Theme: in a workshop, sort what people said into shared themes.
4. Understand: work out together why things happen the way they do.
5. Identify success: agree what good would look like for the people involved, written as
   "I" statements.
6. Plan: decide together what to change, who will do it and by when.
7. Implement: make the changes, and keep people informed as you go.
8. Review: meet again to check what changed, then start the cycle again.

Tips from teams who have used it
- Keep the same group together across the stages if you can: trust builds up.
- Protect people's privacy when you collect stories. Remove anything that could identify
  someone before the theming workshop.
- Budget for at least two full-day workshops, with payment and expenses for everyone who is
  not paid to be there.""",
    },
]

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


def _as_typed(text: str) -> str:
    """The texts above are wrapped to fit this file; people type a paragraph as one line, and
    pages keep their line breaks."""
    # A line break stays before a blank line and before a list item ("- ", "1. ").
    return re.sub(r"(?<!\n)\n(?!\n|- |\d+\. )", " ", text.strip())


def _create(spec, *, project=None) -> Entry:
    return services.submit_entry(
        kind=spec["kind"],
        title=spec["title"],
        text=_as_typed(spec["text"]),
        outcome=spec["outcome"],
        level=spec.get("level", ""),
        step=spec.get("step"),
        principle=spec.get("principle", ""),
        topic=spec.get("topic", ""),
        project=project,
        contact_email=spec.get("contact_email", ""),
    )


def _backdate(entry: Entry, days_ago: int, *, published: bool) -> None:
    moment = timezone.now() - timedelta(days=days_ago)
    fields = {"submitted_at": moment - timedelta(days=2) if published else moment}
    if published:
        fields.update(published_at=moment, decided_at=moment)
    Entry.objects.filter(pk=entry.pk).update(**fields)
    entry.events.filter(action="submitted").update(at=fields["submitted_at"])
    if published:
        entry.events.exclude(action="submitted").update(at=moment)


def _publish(spec, *, moderator, project=None) -> bool:
    if Entry.objects.filter(title=spec["title"]).exists():
        return False
    entry = _create(spec, project=project)
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
    _backdate(entry, spec["days_ago"], published=True)
    return True


def _load_test_entries(count: int) -> int:
    existing = Entry.objects.filter(title__startswith=LOAD_TEST_TITLE_PREFIX).count()
    if existing >= count:
        return 0
    topics, outcomes = list(Topic), [OUT.WENT_WELL, OUT.NOT_WELL, OUT.MIXED]
    places = ["a day centre", "a library", "a community hall", "an online call", "a café"]
    now = timezone.now()
    new = []
    for n in range(existing + 1, count + 1):
        topic = topics[n % len(topics)]
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
                submitted_at=now - timedelta(days=n % 365 + 1),
                decided_at=now - timedelta(days=n % 365),
                published_at=now - timedelta(days=n % 365),
            )
        )
    Entry.objects.bulk_create(new, batch_size=500)
    return len(new)


def seed(*, scale, log):
    moderator = _moderator()
    projects = _published_projects()
    published = 0
    for spec in HOW_TO_GUIDES:
        published += _publish(spec, moderator=moderator)
    for index, spec in enumerate(LESSONS):
        project = projects[index % len(projects)] if projects and index < 2 else None
        published += _publish(spec, moderator=moderator, project=project)
    waiting = 0
    for spec in AWAITING_MODERATION:
        if Entry.objects.filter(title=spec["title"]).exists():
            continue
        entry = _create(spec)
        _backdate(entry, spec["days_ago"], published=False)
        waiting += 1
    extra = _load_test_entries(LARGE_SCALE_EXTRA) if scale == "large" else 0
    log(
        f"Practice guide: {published} entries published, {waiting} waiting for moderation"
        + (f", {extra} load-test notes" if extra else "")
    )
