"""Writes for projects: creating and changing them, recording the honest step, publishing,
and posting "we said, we did" updates. Views call these with a form's cleaned data."""

from datetime import timedelta
from types import SimpleNamespace

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from coprod_hub.users.handing_over import lock_and_check_staff
from coprod_hub.users.roles import Role
from notifications.broadcasts import not_yet_broadcast, start_broadcast
from notifications.services import body_in_format, queue_messages_for_events, render_message
from participation.models import Opportunity, SignUp

from .ladder import STEP_IN_PLAIN_WORDS, Step, clean_evidence, evidenced_step
from .models import RESERVED_SLUGS, Project, StepChange, Update
from .permissions import who_runs_refusal

# The message everyone who took part gets about a "we said, we did" update.
UPDATE_BROADCAST = "we_said_we_did"
# The message people booked on a published project's sessions get when its step goes down.
STEP_LOWERED = "step_lowered"
# The same update posted again by the same person within this time is a repeat (a double
# click, or the form sent again), not news: it is saved and sent once.
REPEAT_POST_WINDOW = timedelta(minutes=10)

# Fields a project form may set directly. Team members are set separately (many-to-many).
PROJECT_FIELDS = (
    "title",
    "slug",
    "summary",
    "service_area",
    "level",
    "activity_types",
    "principles",
    "owner",
    "start_date",
    "end_date",
    "status",
    "wtfc_stage",
    "budget_pence",
    "contact_name",
    "contact_email",
    "contact_phone",
)

BUDGET_REFUSAL = "Only a commissioner can set or change a project's budget"


def sets_budgets(user) -> bool:
    """Whether `user` may set or change a project's budget: commissioners, who hold the
    budgets and see the budget report, and admins (who hold every role). Staff running a
    project may not, or they could raise their own project's budget to fit its spending."""
    return user.has_role(Role.COMMISSIONER)


class ProjectError(Exception):
    """Something about a project cannot be done. The message is written for the person.

    `field`: the form field the message is about, if any, so the view puts the error next to
    it and the error summary links there.
    """

    def __init__(self, message="", *, field=None):
        super().__init__(message)
        self.field = field


def check_owner_can_run(project) -> None:
    """A project not closed is left with its owner, who answers for it: they must still hold
    the staff role once their row is locked. An administrator may be taking it away at this
    moment (coprod_hub.users.handing_over), and the form's list of staff was read before.
    Call it in the transaction that saves the project, after locking the project's row."""
    if project.status == Project.Status.CLOSED or lock_and_check_staff(project.owner):
        return
    raise ProjectError(
        f"{project.owner} cannot own a project, as they are not a member of staff. Choose a "
        "member of staff as the owner",
        field="owner",
    )


def unique_slug(title: str, *, exclude_pk=None) -> str:
    """A web address from the title that no other project (or page) uses: "carers-forum",
    then "carers-forum-2" and so on."""
    base = slugify(title)[:200].strip("-") or "project"
    taken = set(
        Project.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    ) | set(RESERVED_SLUGS)
    candidate, number = base, 2
    while candidate in taken:
        candidate = f"{base}-{number}"
        number += 1
    return candidate


def _apply(project, data):
    for name in PROJECT_FIELDS:
        if name in data:
            setattr(project, name, data[name])


def create_project(*, by, team=(), **data) -> Project:
    """A new project, unpublished. `by` becomes the owner unless `owner` is given. Only
    people who `sets_budgets` may give it a budget."""
    if data.get("budget_pence") is not None and not sets_budgets(by):
        raise ProjectError(BUDGET_REFUSAL)
    with transaction.atomic():
        project = Project(owner=by)
        _apply(project, data)
        check_owner_can_run(project)
        if not project.slug:
            project.slug = unique_slug(project.title)
        project.save()
        project.team.set(team)
    return project


def update_project(project, *, by, team=None, **data) -> Project:
    """Change a project's details. The step is changed only through `record_step`, and
    publishing only through `set_published`. Who runs it follows `who_runs_refusal`, and
    only people who `sets_budgets` may change the budget.

    The row is locked and only the details given are written: `project` was loaded when the
    request began, so saving every field would put back the step or publication it had then,
    silently undoing a step recorded or a publish made by someone else meanwhile.
    """
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        if "owner" in data or team is not None:
            refusal = who_runs_refusal(
                by,
                locked,
                owner=data.get("owner", locked.owner),
                team=locked.team.all() if team is None else team,
            )
            if refusal:
                raise ProjectError(refusal)
        # Compared with the saved budget, not the one the form was loaded with: a budget sent
        # back unchanged is no change, whoever sends it.
        budget_changes = "budget_pence" in data and data["budget_pence"] != locked.budget_pence
        if budget_changes and not sets_budgets(by):
            raise ProjectError(BUDGET_REFUSAL)
        if locked.web_address_is_fixed:
            # Links to it are out in emails, feeds and bookmarks. The form offers no change
            # then; this keeps the address if the project was published while it was open.
            data.pop("slug", None)
        closed = Project.Status.CLOSED
        if data.get("status") == closed and locked.status != closed:
            check_nothing_still_going_ahead(locked)
        _apply(locked, data)
        contact_changes = {"contact_email", "contact_phone"} & data.keys()
        if contact_changes and locked.is_published and not locked.has_contact:
            raise ProjectError(CONTACT_KEPT, field="contact_email")
        if "owner" in data or "status" in data:
            # A new owner, or a closed project opened again, leaves it with its owner (the
            # form sends both, changed or not).
            check_owner_can_run(locked)
        changed = [name for name in PROJECT_FIELDS if name in data]
        if not locked.slug:
            locked.slug = unique_slug(locked.title, exclude_pk=locked.pk)
            changed.append("slug")
        locked.save(update_fields=[*dict.fromkeys(changed), "updated_at"])
        if team is not None:
            locked.team.set(team)
    # Keep the caller's object in step with what was saved.
    for name in (*changed, "updated_at"):
        setattr(project, name, getattr(locked, name))
    return locked


CONTACT_KEPT = (
    "Enter a contact email address or phone number. The project is published, and its page "
    "must say who to contact"
)
# How many of the sessions still going ahead the page lists when closing is refused.
SESSIONS_LISTED = 10


class SessionsStillGoingAhead(ProjectError):
    """Closing refused: `sessions` (the first SESSIONS_LISTED, soonest first) of the `count`
    still to come are going ahead."""

    def __init__(self, sessions, count):
        some = "1 session" if count == 1 else f"{count} sessions"
        super().__init__(
            f"Cancel the {some} still to come, or wait until they have taken place, before you "
            "close the project",
            field="status",
        )
        self.sessions = sessions
        self.count = count


def check_nothing_still_going_ahead(project, now=None) -> None:
    """A closed project no longer involves people, so it cannot close while any of its
    sessions still to come is going ahead (published, or closed to new sign-ups with people
    booked): its page would say "closed" beside sessions open for sign-up, and the people
    booked would hear nothing.

    Staff are shown the sessions rather than the hub cancelling them for them: cancelling
    tells everyone booked or waiting that the session is off, for a reason they are given,
    and cannot be undone, so it is a decision about each session (one may be the last
    meeting, which should still go ahead before the project closes), made on its own page.
    Call it with the project's row locked: publishing a session locks it too
    (participation.services.publish_opportunity), so one cannot slip in meanwhile. The
    admin's project form checks it too (projects.admin.ProjectAdminForm)."""
    going_ahead = project.opportunities.filter(
        status__in=Opportunity.GOING_AHEAD, starts_at__gt=now or timezone.now()
    ).order_by("starts_at", "pk")
    sessions = list(going_ahead[:SESSIONS_LISTED])
    if sessions:
        count = len(sessions) if len(sessions) < SESSIONS_LISTED else going_ahead.count()
        raise SessionsStillGoingAhead(sessions, count)


def record_step(
    project, *, by, claimed: int, evidence, reason: str = "", note: str = ""
) -> StepChange:
    """Record the step staff claim and the evidence for it, and keep a history entry.

    `note` is what changed since the step was last recorded. It is kept with the history entry
    only, and shown in the project's public history.

    The evidenced step comes from `ladder.evidenced_step`. Below co-production (on what the
    public sees, the lower of the two) a reason is required. The project row is locked so two
    people saving at once both get a history entry, each starting from the other's result.

    When the public step of a published project goes down, people booked on its sessions
    still to come are told (`_tell_people_booked_about_lower_step`): they may have signed up
    for more say than they will have. A move up, or any move while it is hidden, tells nobody.
    """
    try:
        claimed = Step(int(claimed))
    except (TypeError, ValueError):
        raise ProjectError("Choose a step from 1 (coercion) to 7 (co-production)") from None
    try:
        evidence = clean_evidence(evidence)
    except ValueError as error:
        raise ProjectError(str(error)) from None
    evidenced = evidenced_step(evidence)
    reason = (reason or "").strip()
    if min(claimed, evidenced) < Step.CO_PRODUCTION:
        if not reason:
            raise ProjectError("Explain why this is not co-production")
    else:
        # A reason left over from when it was not co-production would contradict the step
        # in the public history ("moved up to co-production... the law says we must decide").
        reason = ""

    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        change = StepChange.objects.create(
            project=locked,
            from_claimed=locked.claimed_step,
            from_evidenced=locked.evidenced_step,
            to_claimed=claimed,
            to_evidenced=evidenced,
            evidence=evidence,
            reason=reason,
            note=(note or "").strip(),
            changed_by=by,
        )
        locked.claimed_step = claimed
        locked.evidenced_step = evidenced
        locked.step_evidence = evidence
        locked.not_coproduction_reason = reason
        locked.step_recorded_at = change.changed_at
        locked.save(
            update_fields=[
                "claimed_step",
                "evidenced_step",
                "step_evidence",
                "not_coproduction_reason",
                "step_recorded_at",
                "updated_at",
            ]
        )
        if locked.is_published and change.direction == "down":
            _tell_people_booked_about_lower_step(locked, change)
    # Keep the caller's object in step with the database.
    for name in ("claimed_step", "evidenced_step", "step_evidence", "not_coproduction_reason"):
        setattr(project, name, getattr(locked, name))
    project.step_recorded_at = locked.step_recorded_at
    return change


def _tell_people_booked_about_lower_step(project, change, *, now=None) -> None:
    """Tell everyone with a place (booked, offered or waiting) on the project's sessions still
    to come, not called off, that its public step went down: one message each, listing their
    places, in this transaction. Places given up, and sessions cancelled or started, are left
    out. The event key is the step change's, so a retry of the same change sends nothing
    twice; the queries do not grow with the number of people."""
    now = now or timezone.now()
    signups = (
        SignUp.objects.active()
        .filter(
            opportunity__project=project,
            opportunity__status__in=Opportunity.GOING_AHEAD,
            opportunity__starts_at__gt=now,
        )
        .select_related("resident", "opportunity")
        .order_by("resident_id", "opportunity__starts_at", "pk")
    )
    places = {}
    for signup in signups:
        places.setdefault(signup.resident_id, (signup.resident, []))[1].append(signup)
    context = {
        "project": project,
        "was_step": change.from_public,
        "say": STEP_IN_PLAIN_WORDS[change.to_public],
        # What the project page now says under "Why this is not co-production".
        "reason": change.reason,
        "note": change.note,
    }
    queue_messages_for_events(
        STEP_LOWERED,
        events=(
            (person, f"stepchange:{change.pk}:{STEP_LOWERED}", {**context, "signups": theirs})
            for person, theirs in places.values()
        ),
    )


STEP_NEEDED = "Record the step of participation before you publish the project"
CONTACT_NEEDED = "Add a contact email address or phone number before you publish the project"


class NotReadyToPublish(ProjectError):
    """What a project needs before it is published: `problems` is a list of (what, message),
    `what` being "step" or "contact", so the page links each message to where to fix it."""

    def __init__(self, problems):
        super().__init__("; ".join(message for _, message in problems))
        self.problems = problems


def set_published(project, *, by, published: bool) -> Project:
    """Show a project to the public, or hide it again. A project must have a step first (the
    honest step is the first thing the public page shows) and a way to contact someone about
    it (the public page says who to contact)."""
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        problems = []
        if locked.public_step is None:
            problems.append(("step", STEP_NEEDED))
        if not locked.has_contact:
            problems.append(("contact", CONTACT_NEEDED))
        if published and problems:
            raise NotReadyToPublish(problems)
        locked.is_published = published
        locked.has_been_published |= published
        locked.save(update_fields=["is_published", "has_been_published", "updated_at"])
        if published:
            # Updates posted while the project was hidden go out now that their link works.
            for update in not_yet_broadcast(UPDATE_BROADCAST, locked.updates.order_by("pk")):
                start_broadcast(UPDATE_BROADCAST, update)
    project.is_published = published
    project.has_been_published = locked.has_been_published
    return project


def _checked_words(said, did, next_steps, easy_read):
    """An update's words without stray spaces, once checked: what people said and what we did
    are needed."""
    said, did, next_steps, easy_read = (
        (text or "").strip() for text in (said, did, next_steps, easy_read)
    )
    if not said:
        raise ProjectError("Enter what people said")
    if not did:
        raise ProjectError("Enter what we did")
    return said, did, next_steps, easy_read


def _checked_update(project_id, said, did, next_steps, easy_read, opportunities):
    """An update's words and its sessions, once each is checked: only the project's own
    sessions link."""
    said, did, next_steps, easy_read = _checked_words(said, did, next_steps, easy_read)
    opportunities = list(opportunities)
    if any(opportunity.project_id != project_id for opportunity in opportunities):
        raise ProjectError("You can only link opportunities that belong to this project")
    return said, did, next_steps, easy_read, opportunities


def _checked_sessions_standing_alone(opportunities, *, by, held_by=None) -> list:
    """The sessions an update with no project is about, once checked: at least one, each
    standing alone (a project's session is told about on the project's page, to everyone
    who took part in the project), run by `by` (participation.permissions.can_run), and
    held: not a draft or called off. With `held_by`, each must also have ended by then."""
    from participation.permissions import can_run

    sessions = sorted(set(opportunities), key=lambda session: (session.starts_at, session.pk))
    if not sessions:
        raise ProjectError("Choose the session this update is about")
    for session in sessions:
        if session.project_id:
            raise ProjectError(
                f"\u201c{session.title}\u201d is part of the project "
                f"\u201c{session.project.title}\u201d. Post the update on the project's page, "
                "so everyone who took part in the project hears about it"
            )
        if not can_run(by, session):
            raise ProjectError(
                "You can only post an update about a session you run. Ask the person who made it"
            )
        if session.status not in Opportunity.GOING_AHEAD:
            raise ProjectError(f"\u201c{session.title}\u201d did not go ahead")
        if held_by is not None and not session.has_ended(held_by):
            raise ProjectError(
                f"\u201c{session.title}\u201d has not ended yet. Post the update once it has"
            )
    return sessions


def correct_update(
    update, *, by, said, did, next_steps="", easy_read="", opportunities=(), now=None
) -> Update:
    """Put right the words of an update already posted. Nobody is sent it again: people who
    took part have it as it was, so the page says it was corrected, and when. An update still
    waiting for its project to be published goes out with the corrected words.

    An update about sessions standing alone keeps to its rule (`post_session_update`): the
    sessions given must stand alone and be run by `by`."""
    if update.project_id:
        said, did, next_steps, easy_read, opportunities = _checked_update(
            update.project_id, said, did, next_steps, easy_read, opportunities
        )
    else:
        said, did, next_steps, easy_read = _checked_words(said, did, next_steps, easy_read)
        opportunities = _checked_sessions_standing_alone(opportunities, by=by)
    with transaction.atomic():
        locked = Update.objects.select_for_update().get(pk=update.pk)
        words = (locked.said, locked.did, locked.next_steps, locked.easy_read)
        if words != (said, did, next_steps, easy_read):
            locked.said, locked.did, locked.next_steps, locked.easy_read = (
                said,
                did,
                next_steps,
                easy_read,
            )
            locked.corrected_at = now or timezone.now()
            locked.corrected_by = by
            locked.save()
        locked.opportunities.set(opportunities)
    return locked


# Stands in for each person in a preview: the message greets them by name.
_ANYONE = SimpleNamespace(get_short_name="[their name]")


def preview_update(project, *, said, did, next_steps="", easy_read="", session=None) -> dict:
    """The update's email as the people who took part will get it, and in easy read, for
    staff to check before posting: {"subject", "body", "easy_read_body"}. For an update about
    a session standing alone, `project` is None and `session` is the session."""
    update = Update(
        project=project,
        said=said.strip(),
        did=did.strip(),
        next_steps=next_steps.strip(),
        easy_read=easy_read.strip(),
    )
    context = {"update": update, "project": project, "session": session, "recipient": _ANYONE}
    subject, body = render_message(UPDATE_BROADCAST, context)
    return {
        "subject": subject,
        "body": body,
        "easy_read_body": body_in_format(UPDATE_BROADCAST, "easy_read.txt", context, body),
    }


def post_update(
    project, *, by, said, did, next_steps="", easy_read="", opportunities=(), now=None
) -> Update:
    """Post a "we said, we did" update on a project.

    Everyone who took part in the project hears about it: the broadcast is recorded in this
    transaction, so it happens only if the update is saved, and its messages are written in
    batches afterwards (notifications/broadcasts.py). While the project is hidden from the
    public the message would link to a page people cannot open, so it waits until the project
    is published (`set_published`).

    `easy_read` is an optional easy read version of the whole update: people who asked for
    easy read get it instead of the three parts.

    Posting the same words again within `REPEAT_POST_WINDOW` (a double click, or the form
    sent twice) returns the update already posted: nothing new is saved or sent.
    """
    now = now or timezone.now()
    words = _checked_update(project.pk, said, did, next_steps, easy_read, opportunities)
    with transaction.atomic():
        # Locked so that publishing at the same moment sees this update, or this sees it, and
        # so that of two identical posts at once the second waits and then finds the first.
        is_public = (
            Project.objects.select_for_update()
            .values_list("is_published", flat=True)
            .get(pk=project.pk)
        )
        return _save_update(project, *words, by=by, now=now, is_public=is_public)


def post_session_update(
    opportunity, *, by, said, did, next_steps="", easy_read="", now=None
) -> Update:
    """Post a "we said, we did" update about a session standing alone, with no project.

    As `post_update`, for everyone who attended the session: the same message, sent the same
    way, once each, and a repeat of the same words returns the update already posted. The
    session must stand alone, be run by `by` and have ended (`_checked_sessions_standing_alone`):
    a project's session is told about on the project's page. A session standing alone is
    public once published, so the message goes at once.
    """
    now = now or timezone.now()
    said, did, next_steps, easy_read = _checked_words(said, did, next_steps, easy_read)
    with transaction.atomic():
        # Locked, and checked again, so that it cannot be put in a project meanwhile, and
        # so that of two identical posts at once the second waits and then finds the first.
        locked = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
        sessions = _checked_sessions_standing_alone([locked], by=by, held_by=now)
        return _save_update(
            None, said, did, next_steps, easy_read, sessions, by=by, now=now, is_public=True
        )


def _save_update(
    project, said, did, next_steps, easy_read, opportunities, *, by, now, is_public
) -> Update:
    """The part of posting an update that `post_update` and `post_session_update` share, in
    their transaction once what it is about is locked: the repeat check, the row, its
    sessions, and the message to everyone who took part (at once if `is_public`)."""
    fields = {
        "project": project,
        "said": said,
        "did": did,
        "next_steps": next_steps,
        "easy_read": easy_read,
        "posted_by": by,
    }
    repeat = Update.objects.filter(**fields, posted_at__gte=now - REPEAT_POST_WINDOW)
    if project is None:
        repeat = repeat.filter(opportunities=opportunities[0])
    repeat = repeat.first()
    if repeat is not None:
        return repeat
    update = Update.objects.create(**fields, posted_at=now)
    update.opportunities.set(opportunities)
    if is_public:
        start_broadcast(UPDATE_BROADCAST, update)
    return update
