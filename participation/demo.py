"""Demo venues and about 40 opportunities for the fictional council.

Most are coming up; some took place last month with attendance recorded for the demo
residents (so they can try claiming); a few are full with a waiting list, and one holds an
offer for resident@example.org. Idempotent: venues and opportunities are found by name or
title, so running twice changes nothing. Rows are written directly (not through services) so
seeding sends no messages.
"""

import random
import zlib
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.utils import timezone

from coprod_hub.lib.working_days import WorkingDays
from coprod_hub.users.demo import demo_user, joined_long_ago
from coprod_hub.users.models import User
from coprod_hub.users.roles import Role
from projects.ladder import Level, Step
from projects.models import Project, ServiceArea

from .models import Opportunity, Profile, SignUp, Venue

UK = ZoneInfo("Europe/London")
K, F, Fee = Opportunity.Kind, Opportunity.Format, Opportunity.FeeBasis

# Postcodes are made up, in one real postcode area (LN, Lincoln), as a county council's would
# be, and written as the venue form saves them (coprod_hub.lib.forms.clean_uk_postcode). The
# large data set uses the same area (coprod_hub/management/large_data/opportunities.py).
VENUES = {
    "hub": {
        "name": "Anytown Community Hub",
        "address": "14 Market Street\nAnytown",
        "postcode": "LN1 2DE",
        "area": "Anytown centre",
        "step_free": True,
        "ground_floor_or_lift": True,
        "accessible_toilet": True,
        "hearing_loop": True,
        "quiet_room": True,
        "near_public_transport": True,
        "access_notes": "Level entrance from Market Street. Guide dogs welcome.",
    },
    "library": {
        "name": "Northfield Library",
        "address": "2 Mill Lane\nNorthfield",
        "postcode": "LN4 7JP",
        "area": "Northfield",
        "step_free": True,
        "ground_floor_or_lift": True,
        "accessible_toilet": True,
        "parking": True,
        "near_public_transport": True,
    },
    "church": {
        "name": "St Mary's Church Hall",
        "address": "Church Road\nSouthgate",
        "postcode": "LN6 1EF",
        "area": "Southgate",
        "ground_floor_or_lift": True,
        "parking": True,
        "access_notes": "Two steps at the main door; a portable ramp is available on request.",
    },
    "town_hall": {
        "name": "Anytown Town Hall, Committee Room 2",
        "address": "Town Hall Square\nAnytown",
        "postcode": "LN1 1DT",
        "area": "Anytown centre",
        "step_free": True,
        "ground_floor_or_lift": True,
        "accessible_toilet": True,
        "hearing_loop": True,
        "near_public_transport": True,
    },
    "cafe": {
        "name": "The Green Cup Café",
        "address": "7 Riverside Walk\nEastbridge",
        "postcode": "LN8 3GH",
        "area": "Eastbridge",
        "step_free": True,
        "ground_floor_or_lift": True,
        "accessible_toilet": True,
        "quiet_room": False,
        "near_public_transport": True,
        "access_notes": "Busy at lunchtime. We reserve the back room, which is quieter.",
    },
    "day_centre": {
        "name": "Westfield Day Centre",
        "address": "Westfield Road\nWestfield",
        "postcode": "LN9 5HL",
        "area": "Westfield",
        "step_free": True,
        "ground_floor_or_lift": True,
        "accessible_toilet": True,
        "quiet_room": True,
        "parking": True,
    },
}

ONLINE = "We send a video call link the day before. You can join by phone instead if you like."

# title, kind, format, venue, days from today (negative = past), start hour, hours long,
# places, fee, project slug (or None), topic slug for standalone ones, description.
# fmt: off
OPPORTUNITIES = [
    ("Carers' voice: what would make short breaks easier?", K.FOCUS_GROUP, F.ONLINE, None,
     5, 10, 2, 8, Fee.PER_HOUR, "carers-short-breaks-redesign", None,
     "A friendly online group for unpaid carers. Tell us what gets in the way of booking a "
     "short break, and help us design a simpler way."),
    ("Short breaks design workshop", K.WORKSHOP, F.IN_PERSON, "hub",
     12, 10, 3, 12, Fee.HALF_DAY, "carers-short-breaks-redesign", None,
     "Work alongside staff to sketch the new short breaks booking process. Lunch provided."),
    ("Carers' cuppa and chat", K.DROP_IN, F.IN_PERSON, "cafe",
     3, 14, 2, 15, Fee.NONE, None, "carers",
     "Drop in 'over a brew' and tell us what support carers need. No need to stay long."),
    ("Paying for care: read our draft letters", K.READING_GROUP, F.HYBRID, "library",
     9, 13, 2, 10, Fee.PER_HOUR, "adult-social-care-charging-policy-review", None,
     "Help us rewrite the letters we send about charges so they are clear and kind."),
    ("Charging policy survey", K.SURVEY, F.ONLINE, None,
     20, 9, 1, 200, Fee.NONE, "adult-social-care-charging-policy-review", None,
     "A 15-minute survey about how we explain care charges. Paper copies on request."),
    ("Mental health day opportunities: planning group", K.MEETING, F.IN_PERSON, "day_centre",
     7, 11, 2, 6, Fee.PER_HOUR, "mental-health-day-opportunities", None,
     "Monthly planning group. People who use the service decide with us what is on offer."),
    ("Mental health peer interviews", K.INTERVIEW, F.PHONE, None,
     15, 10, 1, 5, Fee.PER_ACTIVITY, "mental-health-day-opportunities", None,
     "One-to-one phone conversation about what helps you on a bad day. At a time that suits."),
    ("Learning disability partnership board", K.PANEL, F.IN_PERSON, "town_hall",
     18, 10, 3, 20, Fee.HALF_DAY, "learning-disability-partnership-board", None,
     "The board meets every two months. Easy read papers are sent a week before."),
    ("Easy read working group", K.WORKSHOP, F.IN_PERSON, "hub",
     25, 13, 2, 8, Fee.PER_HOUR, "learning-disability-partnership-board", None,
     "Check our easy read leaflets and tell us what needs changing."),
    ("Home care quality visits: become an expert by experience", K.OTHER, F.IN_PERSON, "hub",
     11, 10, 6, 6, Fee.FULL_DAY, "home-care-quality-checks-by-experts-by-experience", None,
     "A training day for people who want to join our home care quality visits."),
    ("Direct payments: what support do you need?", K.FOCUS_GROUP, F.ONLINE, None,
     6, 18, 2, 8, Fee.PER_HOUR, "direct-payments-support-service", None,
     "An evening group for people who use direct payments, and their families."),
    ("Direct payments support: recruitment panel", K.RECRUITMENT_PANEL, F.IN_PERSON,
     "town_hall", 30, 9, 7, 3, Fee.FULL_DAY, "direct-payments-support-service", None,
     "Sit on the panel that chooses the new support provider. Full training given."),
    ("Autism strategy: listening event", K.MEETING, F.HYBRID, "library",
     14, 14, 2, 25, Fee.NONE, "autism-strategy-for-the-next-five-years", None,
     "Tell us what should be in the new autism strategy. Quiet room and breaks available."),
    ("Autism strategy: online survey", K.SURVEY, F.ONLINE, None,
     40, 9, 1, 500, Fee.NONE, "autism-strategy-for-the-next-five-years", None,
     "Short survey with a picture version. You can stop and come back to it."),
    ("Care home visiting: families' panel", K.PANEL, F.IN_PERSON, "church",
     8, 15, 2, 10, Fee.PER_HOUR, "care-home-visiting-guidance-for-families", None,
     "Families and friends of people in care homes help us write the new visiting guidance."),
    ("Safeguarding: tell us about your experience", K.INTERVIEW, F.PHONE, None,
     10, 11, 1, 6, Fee.PER_ACTIVITY, "making-safeguarding-personal-your-experience", None,
     "A private conversation with a trained interviewer. You can stop at any time."),
    ("My support plan: review the new form", K.READING_GROUP, F.ONLINE, None,
     16, 10, 2, 8, Fee.PER_HOUR, "my-support-plan-reviews-that-start-with-you", None,
     "Look at the new support plan form with us and say what would make it yours."),
    # Held: its project is closed, and a closed project has no sessions still to come.
    ("Leaving hospital: share your story", K.FOCUS_GROUP, F.IN_PERSON, "hub",
     -45, 10, 2, 8, Fee.PER_HOUR, "leaving-hospital-what-happens-next", None,
     "For people who have recently left hospital and their carers."),
    ("Millbrook extra care housing: design day", K.WORKSHOP, F.IN_PERSON, "day_centre",
     35, 10, 5, 14, Fee.FULL_DAY, "extra-care-housing-at-millbrook", None,
     "Choose with the architects how the shared spaces at Millbrook will work."),
    ("Carers' rights day drop-in", K.DROP_IN, F.IN_PERSON, "library",
     27, 10, 4, 40, Fee.NONE, None, "carers",
     "Advice stalls and a chance to tell the council what carers need next year."),
    ("Young carers online chat", K.FOCUS_GROUP, F.ONLINE, None,
     13, 17, 1, 10, Fee.PER_ACTIVITY, None, "carers",
     "For carers aged 16 to 25. Tell us how college and caring fit together."),
    ("Older people's forum", K.MEETING, F.IN_PERSON, "church",
     19, 14, 2, 30, Fee.NONE, None, "older-people",
     "The forum meets monthly. Tea and cake; transport can be arranged."),
    ("Sensory impairment access audit", K.OTHER, F.IN_PERSON, "town_hall",
     23, 10, 3, 5, Fee.HALF_DAY,
     None, "physical-disability-and-sensory-impairment",
     "Walk round the Town Hall with us and tell us what makes it hard to use."),
    ("Hearing loss: phone survey", K.SURVEY, F.PHONE, None,
     24, 10, 1, 50, Fee.NONE, None, "physical-disability-and-sensory-impairment",
     "We call you at a time you choose. Text relay welcome."),
    ("Home care: what good looks like", K.FOCUS_GROUP, F.HYBRID, "hub",
     29, 14, 2, 12, Fee.PER_HOUR, None, "home-care",
     "Help us write the quality standards we will check home care providers against."),
    ("Housing and support: tenants' reading group", K.READING_GROUP, F.IN_PERSON, "cafe",
     33, 11, 2, 8, Fee.PER_HOUR, None, "housing-and-support",
     "Read the draft tenancy guide over coffee and mark what is unclear."),
    ("Care homes: residents' council", K.MEETING, F.IN_PERSON, "day_centre",
     38, 14, 2, 15, Fee.NONE, None, "care-homes",
     "Residents and relatives share what is going well and what should change."),
    ("Hospital discharge: ward visit debrief", K.MEETING, F.ONLINE, None,
     45, 10, 1, 6, Fee.PER_HOUR, None, "hospital-discharge",
     "Experts by experience who visited the wards tell managers what they found."),
    ("Safeguarding adults board: lay member panel", K.RECRUITMENT_PANEL, F.IN_PERSON,
     "town_hall", 50, 10, 6, 3, Fee.FULL_DAY, None, "safeguarding-adults",
     "Help choose two new lay members for the safeguarding adults board."),
    ("Carers' strategy refresh: online workshop", K.WORKSHOP, F.ONLINE, None,
     4, 19, 2, 4, Fee.PER_HOUR, None, "carers",
     "An evening workshop for working carers about the next carers' strategy."),
    ("Autism-friendly spaces walkabout", K.OTHER, F.IN_PERSON, "hub",
     2, 11, 2, 4, Fee.PER_HOUR, "autism-strategy-for-the-next-five-years", None,
     "Walk round the Community Hub and tell us what makes it calm or stressful."),
    ("Mental health crisis card: test the design", K.WORKSHOP, F.HYBRID, "library",
     17, 14, 2, 6, Fee.PER_HOUR, "mental-health-day-opportunities", None,
     "Try out the new crisis card and say what would help you use it."),
    # Past sessions, with attendance recorded so claims can be tried.
    ("Carers' voice: first meeting", K.FOCUS_GROUP, F.ONLINE, None,
     -20, 10, 2, 8, Fee.PER_HOUR, "carers-short-breaks-redesign", None,
     "The first carers' voice session, where we agreed what to look at."),
    ("Charging letters: first reading", K.READING_GROUP, F.IN_PERSON, "library",
     -14, 13, 2, 10, Fee.PER_HOUR, "adult-social-care-charging-policy-review", None,
     "We read the old charging letters together and listed what confused people."),
    ("Learning disability board: latest meeting", K.PANEL, F.IN_PERSON, "town_hall",
     -30, 10, 3, 20, Fee.HALF_DAY, "learning-disability-partnership-board", None,
     "The latest meeting of the partnership board."),
    ("Direct payments coffee morning", K.DROP_IN, F.IN_PERSON, "cafe",
     -9, 10, 2, 20, Fee.NONE, "direct-payments-support-service", None,
     "An informal chat about direct payments support."),
    ("Home care quality visit: Riverside Care", K.OTHER, F.IN_PERSON, "hub",
     -5, 9, 6, 4, Fee.FULL_DAY, "home-care-quality-checks-by-experts-by-experience", None,
     "An expert-by-experience visit to a home care provider."),
    ("Older people's forum: latest meeting", K.MEETING, F.IN_PERSON, "church",
     -12, 14, 2, 30, Fee.NONE, None, "older-people",
     "The latest older people's forum, with tea and cake."),
    ("Autism strategy: first listening event", K.MEETING, F.ONLINE, None,
     -40, 14, 2, 25, Fee.PER_HOUR, "autism-strategy-for-the-next-five-years", None,
     "The first listening event for the autism strategy."),
    ("Leaving hospital: phone interviews", K.INTERVIEW, F.PHONE, None,
     -3, 11, 1, 6, Fee.PER_ACTIVITY, "leaving-hospital-what-happens-next", None,
     "Phone interviews with people who left hospital this year."),
]
# fmt: on

# Opportunities filled up, with a waiting list; the first also holds an offer for the resident.
STANDALONE_STEPS = [Step.INFORMING, Step.CONSULTATION, Step.ENGAGEMENT]
# Why a standalone opportunity at each step is not co-production, as staff might put it.
WHY_NOT_COPRODUCTION = {
    Step.INFORMING: (
        "The decision has been made. We want to explain it and answer your questions."
    ),
    Step.CONSULTATION: (
        "The council decides. We want to hear your views before it does, and we will tell "
        "you what we did with them."
    ),
    Step.ENGAGEMENT: (
        "You can shape the options we look at, but the council makes the final decision "
        "because it sets the budget."
    ),
}
OFFERED_TO_RESIDENT = "Autism-friendly spaces walkabout"
FULL = {
    "Autism-friendly spaces walkabout",
    "Carers' strategy refresh: online workshop",
    "Direct payments support: recruitment panel",
}
EXTRA_RESIDENTS = [
    ("amira.hassan@example.org", "Amira Hassan"),
    ("ben.clarke@example.org", "Ben Clarke"),
    ("chloe.morgan@example.org", "Chloe Morgan"),
    ("david.nwosu@example.org", "David Nwosu"),
    ("ellen.fraser@example.org", "Ellen Fraser"),
    ("frank.wilson@example.org", "Frank Wilson"),
    ("gita.patel@example.org", "Gita Patel"),
    ("harry.evans@example.org", "Harry Evans"),
]


# A year and more of sessions held before the ones above, so the insight pages have history
# to show: people coming back, survey answers for whole quarters (results show only once a
# quarter's surveys have closed, and only for groups of 10 or more), "we said, we did"
# follow-ups and payments over time. Each is a (title, kind, format, venue, days ago, hour,
# hours long, fee, project slug); all are full-size groups, attended by the people below.
# fmt: off
HISTORY = [
    ("Carers' short breaks: what gets in the way?", K.FOCUS_GROUP, F.IN_PERSON, "hub",
     70, 10, 2, Fee.PER_HOUR, "carers-short-breaks-redesign"),
    ("Carers' short breaks: booking ideas workshop", K.WORKSHOP, F.IN_PERSON, "library",
     160, 10, 3, Fee.HALF_DAY, "carers-short-breaks-redesign"),
    ("Carers' short breaks: first listening day", K.MEETING, F.HYBRID, "hub",
     250, 13, 2, Fee.PER_HOUR, "carers-short-breaks-redesign"),
    ("Carers' short breaks: getting started", K.MEETING, F.IN_PERSON, "church",
     340, 14, 2, Fee.PER_HOUR, "carers-short-breaks-redesign"),
    ("Learning disability board: bus passes and travel", K.PANEL, F.IN_PERSON, "town_hall",
     95, 10, 3, Fee.HALF_DAY, "learning-disability-partnership-board"),
    ("Learning disability board: priorities for the year", K.PANEL, F.IN_PERSON, "town_hall",
     185, 10, 3, Fee.HALF_DAY, "learning-disability-partnership-board"),
    ("Learning disability board: easy read papers", K.PANEL, F.IN_PERSON, "town_hall",
     275, 10, 3, Fee.HALF_DAY, "learning-disability-partnership-board"),
    ("Learning disability board: day services update", K.PANEL, F.IN_PERSON, "town_hall",
     390, 10, 3, Fee.HALF_DAY, "learning-disability-partnership-board"),
    ("Mental health day opportunities: what a good week looks like", K.WORKSHOP, F.IN_PERSON,
     "day_centre", 110, 11, 2, Fee.PER_HOUR, "mental-health-day-opportunities"),
    ("Mental health day opportunities: art and walking groups", K.FOCUS_GROUP, F.IN_PERSON,
     "day_centre", 200, 11, 2, Fee.PER_HOUR, "mental-health-day-opportunities"),
    ("Mental health day opportunities: peer support review", K.MEETING, F.IN_PERSON,
     "day_centre", 290, 11, 2, Fee.PER_HOUR, "mental-health-day-opportunities"),
    ("Direct payments: what support helps?", K.FOCUS_GROUP, F.ONLINE, None,
     125, 18, 2, Fee.PER_HOUR, "direct-payments-support-service"),
    ("Direct payments: designing the support service", K.WORKSHOP, F.IN_PERSON, "hub",
     215, 10, 3, Fee.HALF_DAY, "direct-payments-support-service"),
]
# fmt: on

# People who came to those sessions. They never sign in, so they have no password: the demo
# logins are the people in coprod_hub.users.demo and EXTRA_RESIDENTS above.
FIRST_NAMES = [
    "Aisha", "Bernard", "Carol", "Dev", "Edith", "Femi", "Gwen", "Hamza", "Irene", "Jack",
    "Kiran", "Linda", "Mohammed", "Nora", "Owen", "Pauline", "Rashid", "Sandra", "Terry",
    "Una", "Victor", "Wendy", "Yusuf", "Zofia", "Alan", "Beth", "Colin", "Dorothy",
]  # fmt: skip
LAST_NAMES = ["Ahmed", "Baker", "Collins", "Dunn", "Ellis", "Fox", "Green", "Hall", "Iqbal"]
HISTORY_SIZE = (16, 22)  # people at each session, fewest and most


def _at(days, hour):
    """`hour` o'clock about `days` from today, on a working day: council sessions are not held
    at weekends or on bank holidays. Sessions to come move later to one, past ones earlier,
    so each stays on its side of today."""
    day = timezone.localdate() + timedelta(days=days)
    working = WorkingDays()
    while day not in working:
        day += timedelta(days=1 if days >= 0 else -1)
    return datetime.combine(day, time(hour, 0), tzinfo=UK)


def _topic(slug, areas):
    if slug is None:
        return None
    if slug not in areas:
        name = slug.replace("-", " ").capitalize()
        areas[slug], _ = ServiceArea.objects.get_or_create(slug=slug, defaults={"name": name})
    return areas[slug]


def _venues():
    venues = {}
    for key, fields in VENUES.items():
        venues[key], _ = Venue.objects.get_or_create(name=fields["name"], defaults=fields)
    return venues


def _joining(opportunity, person) -> str:
    """How someone joins a hybrid session, as they said when booking: about one in three
    online. Decided by their email address, so each seeding says the same."""
    if opportunity.format != F.HYBRID:
        return SignUp.Joining.NOT_SAID
    online = zlib.crc32(person.email.encode()) % 3 == 0
    return SignUp.Joining.ONLINE if online else SignUp.Joining.IN_PERSON


def _book(opportunity, person, status=SignUp.Status.BOOKED, **fields):
    signup, _ = SignUp.objects.get_or_create(
        opportunity=opportunity,
        resident=person,
        defaults={"status": status, "joining": _joining(opportunity, person), **fields},
    )
    return signup


def _fill(opportunity, people, resident, *, resident_first):
    """Book every place, then queue the rest; the demo resident is on the waiting list. The
    places went in the days after the session was published; once it was full, people joined
    the waiting list in the order they are queued, one a working day."""
    crowd = [p for p in people if p != resident]
    for person in crowd[: opportunity.capacity]:
        _book(opportunity, person)
    _backdate_signups(opportunity)
    rest = crowd[opportunity.capacity :]
    waiting = [resident, *rest] if resident_first else [*rest, resident]
    joined_on = _waiting_list_joined(opportunity, len(waiting))
    for person, joined in zip(waiting, joined_on, strict=True):
        signup = _book(opportunity, person, SignUp.Status.WAITING, waiting_since=joined)
        # The place page says when they joined; created_at is stamped with today by default.
        SignUp.objects.filter(pk=signup.pk).update(created_at=joined, status_changed_at=joined)


def _waiting_list_joined(opportunity, count):
    """When each of `count` people joined a full session's waiting list, first in line
    first: mid-morning on the working days after its places were booked. A session is
    published a month before it starts and a month before seeding (`_published_at`), which
    leaves room for the few on each list."""
    working = WorkingDays()
    day = timezone.localtime(opportunity.published_at + PLACES_BOOKED_AFTER).date()
    joined = []
    for _ in range(count):
        day = working.after(day)
        joined.append(datetime.combine(day, time(10, 30), tzinfo=UK))
    return joined


def _hold_a_place_for(resident, now):
    """Someone left a full session, so the place is offered to the resident, first in line."""
    opportunity = Opportunity.objects.filter(title=OFFERED_TO_RESIDENT).first()
    if opportunity is None or opportunity.signups.filter(status=SignUp.Status.OFFERED).exists():
        return
    leaver = opportunity.signups.filter(status=SignUp.Status.BOOKED).exclude(resident=resident)
    leaver = leaver.order_by("pk").first()
    first = opportunity.signups.waiting_in_order().first()
    if leaver and first and first.resident_id == resident.pk:
        SignUp.objects.filter(pk=leaver.pk).update(status=SignUp.Status.CANCELLED)
        SignUp.objects.filter(pk=first.pk).update(
            status=SignUp.Status.OFFERED, offer_expires_at=opportunity.offer_expiry(now)
        )


def _crowd():
    """The people who came to the sessions in HISTORY, made once."""
    names = [f"{first} {LAST_NAMES[n % len(LAST_NAMES)]}" for n, first in enumerate(FIRST_NAMES)]
    emails = [name.lower().replace(" ", ".") + "@example.org" for name in names]
    people = {user.email: user for user in User.objects.filter(email__in=emails)}
    group, _ = Group.objects.get_or_create(name=str(Role.RESIDENT))
    for name, email in zip(names, emails, strict=True):
        if email not in people:
            user = User(email=email, display_name=name, date_joined=joined_long_ago())
            user.set_unusable_password()
            user.save()
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            user.groups.add(group)
            people[email] = user
    return [people[email] for email in emails]


def _published_at(starts_at, now):
    # Published a month ahead, as the council does, and never after the day it was seeded.
    return min(starts_at - timedelta(days=28), now - timedelta(days=30))


# Places on a session go in the first days after it is published.
PLACES_BOOKED_AFTER = timedelta(days=3)


def _backdate_signups(opportunity):
    """Places on a session were booked before it, not on the day the demo was seeded."""
    booked = opportunity.published_at + PLACES_BOOKED_AFTER
    SignUp.objects.filter(opportunity=opportunity, created_at__gt=booked).update(
        created_at=booked, status_changed_at=booked
    )


def _seed_history(venues, projects, people, now, rng):
    """Sessions from the last year and more, with their registers taken."""
    made = 0
    existing = set(Opportunity.objects.filter(ends_at__lt=now).values_list("title", flat=True))
    for title, kind, format_, venue, days, hour, hours, fee, project_slug in HISTORY:
        project = projects.get(project_slug)
        if title in existing or project is None:
            continue
        starts_at = _at(-days, hour)
        published_at = _published_at(starts_at, now)
        opportunity = Opportunity.objects.create(
            title=title,
            description="A session from earlier in the project. Its register was taken.",
            kind=kind,
            format=format_,
            venue=venues[venue] if venue else None,
            online_details=ONLINE if format_ != F.IN_PERSON else "",
            project=project,
            topic=project.service_area,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=hours),
            capacity=HISTORY_SIZE[1] + 4,  # room for one or two who came on the day
            signup_deadline=starts_at - timedelta(days=1),
            fee_basis=fee,
            pays_expenses=True,
            refreshments=format_ != F.ONLINE,
            who_for="Anyone who lives in Anytown and draws on care and support, or cares "
            "for someone who does.",
            contact_name=str(project.owner),
            contact_email=project.owner.email,
            contact_phone="01632 960 000",
            status=Opportunity.Status.CLOSED,
            published_at=published_at,
            created_by=project.owner,
        )
        Opportunity.objects.filter(pk=opportunity.pk).update(
            created_at=published_at - timedelta(days=1)
        )
        came = rng.sample(people, k=rng.randint(*HISTORY_SIZE))
        SignUp.objects.bulk_create(
            SignUp(
                opportunity=opportunity,
                resident=person,
                status=SignUp.Status.BOOKED,
                joining=_joining(opportunity, person),
                attendance=SignUp.Attendance.ATTENDED,
                attendance_recorded_at=opportunity.ends_at,
                attendance_recorded_by=project.owner,
            )
            for person in came
        )
        opportunity.refresh_from_db()
        _backdate_signups(opportunity)
        made += 1
    return made


def seed(*, scale, log):
    now = timezone.now()
    staff = demo_user("staff@example.org", "Grace Adeyemi", [Role.STAFF])
    resident = demo_user("resident@example.org", "Priya Shah", [Role.RESIDENT])
    carer = demo_user("carer@example.org", "Tom O'Neill", [Role.RESIDENT])
    people = [resident, carer] + [
        demo_user(email, name, [Role.RESIDENT]) for email, name in EXTRA_RESIDENTS
    ]
    Profile.objects.get_or_create(
        user=carer,
        defaults={
            "access_needs": "I use a wheelchair and need step-free access.",
            "access_needs_consent_at": now,
            "contact_by": Profile.ContactBy.EMAIL,
        },
    )
    Profile.objects.get_or_create(user=resident)

    venues = _venues()
    areas = {area.slug: area for area in ServiceArea.objects.all()}
    projects = {p.slug: p for p in Project.objects.select_related("owner")}
    existing = set(Opportunity.objects.values_list("title", flat=True))
    rng = random.Random(2026)  # the same demo every time
    made = 0
    for spec in OPPORTUNITIES:
        title, kind, format_, venue, days, hour, hours, places, fee, project_slug = spec[:10]
        topic_slug, description = spec[10:]
        if title in existing:
            continue
        project = projects.get(project_slug) if project_slug else None
        starts_at = _at(days, hour)
        step = None if project else rng.choice(STANDALONE_STEPS)
        opportunity = Opportunity.objects.create(
            title=title,
            description=description,
            kind=kind,
            format=format_,
            venue=venues[venue] if venue else None,
            online_details=ONLINE if format_ != F.IN_PERSON else "",
            project=project,
            topic=project.service_area if project else _topic(topic_slug, areas),
            # Standalone ones carry their own honest step; project ones use the project's.
            level="" if project else Level.SERVICE,
            step=step,
            not_coproduction_reason=WHY_NOT_COPRODUCTION[step] if step else "",
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=hours),
            capacity=places,
            signup_deadline=starts_at - timedelta(days=1) if days > 3 else None,
            fee_basis=fee,
            pays_expenses=True,
            refreshments=format_ != F.ONLINE,
            travel_arranged=kind in (K.PANEL, K.RECRUITMENT_PANEL),
            who_for="Anyone who lives in Anytown and draws on care and support, or cares "
            "for someone who does.",
            contact_name=str(project.owner if project else staff),
            contact_email=(project.owner if project else staff).email,
            contact_phone="01632 960 000",
            status=Opportunity.Status.PUBLISHED,
            published_at=_published_at(starts_at, now),
            created_by=project.owner if project else staff,
        )
        Opportunity.objects.filter(pk=opportunity.pk).update(
            created_at=opportunity.published_at - timedelta(days=1)
        )
        made += 1
        if days < 0:
            attendees = [resident, carer, *people[2 : 2 + rng.randint(1, 4)]]
            for person in attendees[: opportunity.capacity]:
                _book(
                    opportunity,
                    person,
                    attendance=SignUp.Attendance.ATTENDED,
                    attendance_recorded_at=opportunity.ends_at,
                    attendance_recorded_by=opportunity.created_by,
                )
        elif title in FULL:
            _fill(opportunity, people, resident, resident_first=title == OFFERED_TO_RESIDENT)
        elif rng.random() < 0.5:
            for person in rng.sample(people[1:], k=min(3, opportunity.capacity - 1)):
                _book(opportunity, person)

    for opportunity in Opportunity.objects.filter(
        title__in=[spec[0] for spec in OPPORTUNITIES], starts_at__lt=now
    ):
        _backdate_signups(opportunity)
    # Its own random numbers, so adding history leaves the sessions above as they were.
    history_rng = random.Random(2025)
    made += _seed_history(venues, projects, people[2:] + _crowd(), now, history_rng)
    _hold_a_place_for(resident, now)
    first_session = Opportunity.objects.filter(title=OPPORTUNITIES[0][0]).first()
    if first_session:
        _book(first_session, resident)

    if scale == "large":
        made += _seed_many(staff, venues, areas, now, rng)
    log(f"Opportunities: {made} added ({Opportunity.objects.count()} in all).")


def _seed_many(staff, venues, areas, now, rng, count=5000):
    """Plenty of opportunities for load testing, written in bulk."""
    if Opportunity.objects.filter(title__startswith="Generated opportunity").exists():
        return 0
    kinds, formats = list(K.values), list(F.values)
    topics = list(areas.values()) or [None]
    rows = []
    for n in range(count):
        starts_at = _at(rng.randint(-365, 180), rng.choice([10, 14, 18]))
        format_ = rng.choice(formats)
        rows.append(
            Opportunity(
                title=f"Generated opportunity {n:05d}: {rng.choice(topics) or 'general'}",
                description="A session generated for load testing. Carers, older people and "
                "anyone who uses care and support are welcome.",
                kind=rng.choice(kinds),
                format=format_,
                venue=None if format_ in (F.ONLINE, F.PHONE) else rng.choice(list(venues.values())),
                topic=rng.choice(topics),
                level=Level.SERVICE,
                step=rng.randint(3, 7),
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=2),
                capacity=rng.choice([6, 10, 20]),
                fee_basis=rng.choice(list(Fee.values)),
                status=Opportunity.Status.PUBLISHED,
                published_at=now,
                created_by=staff,
            )
        )
    Opportunity.objects.bulk_create(rows, batch_size=1000)
    return count
