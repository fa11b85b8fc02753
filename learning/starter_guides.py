"""The how-to guides every hub starts with: running an accessible meeting, paying people,
choosing the honest step, and Working Together for Change.

`manage.py add_starter_guides` publishes any not published before (docker-compose runs it
after migrating). Each goes through the same scan and publishing as any entry, and its
publication is recorded in the moderation trail with a note naming it: that record stays
when a council withdraws or deletes a guide, so a guide it took away never comes back.
"""

import re

from projects.ladder import Level, Principle

from . import services
from .models import Entry, ModerationEvent, Topic

K, OUT = Entry.Kind, Entry.Outcome
NOTE = "A starter guide that comes with the hub"

# Their titles, by which pages that help with the same job link to them (`published_guide`).
MEETINGS = "How to run an accessible meeting"
PAYING = "Paying people for their time"
HONEST_STEP = "Choosing the honest step"
WORKING_TOGETHER = "Working Together for Change in eight stages"

GUIDES = [
    {
        "title": MEETINGS,
        "kind": K.HOW_TO,
        "outcome": OUT.NOT_APPLICABLE,
        "topic": Topic.MEETINGS,
        "principle": Principle.ACCESSIBILITY,
        "level": Level.SERVICE,
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
        "title": PAYING,
        "kind": K.HOW_TO,
        "outcome": OUT.NOT_APPLICABLE,
        "topic": Topic.PAYMENT,
        "principle": Principle.RECIPROCITY,
        "level": Level.SERVICE,
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
        "title": HONEST_STEP,
        "kind": K.HOW_TO,
        "outcome": OUT.NOT_APPLICABLE,
        "topic": Topic.HONEST_STEP,
        "principle": Principle.HONESTY,
        "level": Level.STRATEGIC,
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
        "title": WORKING_TOGETHER,
        "kind": K.HOW_TO,
        "outcome": OUT.NOT_APPLICABLE,
        "topic": Topic.WTFC,
        "principle": Principle.RELATIONSHIPS,
        "level": Level.STRATEGIC,
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


def as_typed(text: str) -> str:
    """The texts here are wrapped to fit the file; people type a paragraph as one line, and
    pages keep their line breaks."""
    # A line break stays before a blank line and before a list item ("- ", "1. "). The spaces
    # that indent a wrapped list item in this file go with the line break.
    return re.sub(r"(?<!\n)\n[ \t]*(?!\n|- |\d+\. )", " ", text.strip())


def _note(title: str) -> str:
    return f"{NOTE}: {title}"


def _published_before(title: str) -> bool:
    # The trail names the guide in its note: an entry deleted since has no title to match.
    return (
        Entry.objects.filter(title=title).exists()
        or ModerationEvent.objects.filter(
            action=ModerationEvent.Action.PUBLISHED, note=_note(title)
        ).exists()
    )


def published_guide(title: str) -> Entry | None:
    """The starter guide first published as `title`, while it is published. Found by the note
    its publication left in the moderation trail, so a moderator's change to its title keeps
    the links to it; once withdrawn or deleted there is nothing to link to."""
    return (
        Entry.objects.published()
        .filter(events__action=ModerationEvent.Action.PUBLISHED, events__note=_note(title))
        .only("slug", "title", "status")
        .first()
    )


def missing() -> list[dict]:
    """The guides not published before, in the order the hub offers them."""
    return [guide for guide in GUIDES if not _published_before(guide["title"])]


def submit(guide: dict) -> Entry:
    return services.submit_entry(**{**guide, "text": as_typed(guide["text"])})


def publish(entry: Entry, guide: dict, *, by=None) -> Entry:
    # Written without personal details; anything the scanner flags anyway stays hidden,
    # which is the safe choice.
    services.keep_undecided_hidden(entry, by=by)
    return services.publish_entry(entry, by=by, note=_note(guide["title"]))


def add_missing(*, by=None) -> list[Entry]:
    """Publish each guide not published before. Returns those published now."""
    return [publish(submit(guide), guide, by=by) for guide in missing()]
