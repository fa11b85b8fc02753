"""Writing messages to the outbox, and delivering them.

Other apps call `queue_message` (or `queue_messages` for many people, or
`queue_messages_for_events` for many people's own events) inside the same transaction as the
event. Delivery happens after commit in a Celery task; if the broker is down the rows stay
pending and the `send_due_messages` sweep delivers them later.
"""

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.db import models, transaction
from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.functions import Coalesce, Concat
from django.db.models.lookups import StartsWith
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone
from django.utils.module_loading import import_string

from . import channels
from .kinds import ALWAYS_SENT, PRIVATE_CATEGORIES, Category, always_sent, category_for
from .models import DEADLINES, Message, Unsubscribe

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6  # about an hour of retries with the backoff below
LEASE = timedelta(minutes=5)  # a send that has not finished by then is tried again
BATCH_SIZE = 500

# How people can ask for information (participation's Profile): the words, standard or easy
# read (`format`: easy read words where a message kind has them, `easy_read.txt`, chosen when
# the message is written), and, apart from them, large print (`large_print`: big type in the
# e-mail, read when it is sent). Someone may ask for both.
EASY_READ = "easy_read"


# Attachments made when a message is sent, not when it is queued: a calendar file took
# ~35 ms to build inside the sign-up request. The outbox row stores {"build": name, ...ids};
# the builder gets the ids and returns (filename, text, mimetype), or None when what it
# describes is gone. Rows may also hold ready-made [filename, text, mimetype] lists.
# Only SMTP sends files (channels.sends_files): a message's words must not promise one, and
# should link to what it holds (signup_confirmed links to the session's calendar file).
ATTACHMENT_BUILDERS = {
    "signup_calendar": "participation.calendar.signup_attachment",
}


def late_attachment(name: str, **ids) -> dict:
    """An attachment to build at delivery, for queue_message(attachments=...)."""
    if name not in ATTACHMENT_BUILDERS:
        raise ValueError(f"Unknown attachment {name!r}: add it to ATTACHMENT_BUILDERS")
    return {"build": name, **ids}


def built_attachments(message) -> list[tuple[str, str, str]]:
    """The files to send with `message`, built now from what they describe."""
    files = []
    for item in message.attachments:
        if isinstance(item, dict):
            ids = {key: value for key, value in item.items() if key != "build"}
            built = import_string(ATTACHMENT_BUILDERS[item["build"]])(**ids)
            if built is not None:
                files.append(tuple(built))
        else:
            files.append(tuple(item))
    return files


# The longest text message GOV.UK Notify sends (six parts of 153 characters).
TEXT_MESSAGE_MAX = 918


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8, 16, 32 minutes after each failed attempt."""
    return timedelta(minutes=2 ** max(attempts - 1, 0))


class NotificationError(Exception):
    pass


def _render(name: str, context: dict) -> str:
    # Plain-text templates: no HTML escaping here; the HTML part escapes when it is built.
    return get_template(name).template.render(Context(context, autoescape=False))


def _with_site(context: dict) -> dict:
    return {
        "site_url": settings.SITE_URL,
        "SITE_NAME": settings.SITE_NAME,
        "SUPPORT_EMAIL": settings.SUPPORT_EMAIL,
        "SUPPORT_PHONE": settings.SUPPORT_PHONE,
        **context,
    }


def render_message(kind: str, context: dict) -> tuple[str, str]:
    context = _with_site(context)
    subject = " ".join(_render(f"notifications/{kind}/subject.txt", context).split())
    body = _render(f"notifications/{kind}/body.txt", context).strip()
    return subject, body


def body_in_format(kind: str, template: str, context: dict, email_body: str) -> str:
    """The kind's own wording for another channel or format (`template`) where it has one,
    else the e-mail's words."""
    try:
        return _render(f"notifications/{kind}/{template}", _with_site(context)).strip()
    except TemplateDoesNotExist:
        return email_body


def render_text_message(kind: str, context: dict, *, email_body: str) -> str:
    """What a text message says: the kind's own short version (`sms.txt`) where it has one,
    else the e-mail's words, then, for an optional kind, a line with the link that stops it
    (as its e-mail has). GOV.UK Notify refuses a text longer than TEXT_MESSAGE_MAX, and a
    refused message would never arrive, so a longer one is cut and says how to hear the rest;
    the stop line is kept whole.
    """
    body = body_in_format(kind, "sms.txt", context, email_body)
    # A preview for staff has a stand-in recipient, with no account: its line shows a link
    # for account 0, which nobody has, so staff see the text as long as people will get it.
    recipient = context.get("recipient")
    recipient_id = None if recipient is None else getattr(recipient, "pk", 0)
    link = channels.stop_link(kind, recipient_id, category_for(kind), short=True)
    stop = f"\nStop these texts: {link}" if link else ""
    room = TEXT_MESSAGE_MAX - len(stop)
    if len(body) > room:
        rest = f"... (Cut short. Call {settings.SUPPORT_PHONE} for the rest.)"
        body = body[: room - len(rest)].rstrip() + rest
    return body + stop


def render_call_list_message(
    kind: str, context: dict, *, email_body: str, information_format: str = ""
) -> str:
    """What staff pass on by phone or post: the kind's own version (`call.txt`) where the
    e-mail's words will not do, else the e-mail's. Staff other than the person's can read the
    call list, so a link meant for the person alone (their private survey) must not be on it.

    For someone who asked for easy read, the easy read words (`easy_read.txt`, which carry
    the easy read version staff wrote of a group message or an update), which staff read out
    or post as they are; a kind with its own call list words has them in easy read too
    (`easy_read_call.txt`), or keeps its `call.txt`, as its easy read e-mail's words will not
    do on the call list either."""
    if information_format == EASY_READ:
        for template in ("easy_read_call.txt", "call.txt", "easy_read.txt"):
            try:
                return _render(f"notifications/{kind}/{template}", _with_site(context)).strip()
            except TemplateDoesNotExist:
                continue
    return body_in_format(kind, "call.txt", context, email_body)


def _preferences(contact_by, phone) -> tuple[str, str]:
    return (contact_by or "email"), (phone or "")


def contact_preferences(user) -> tuple[str, str]:
    """How a person wants to hear from us: (how, phone). `how` is email, text or post_or_phone.

    Preferences live on the participation profile; people without one get email.
    """
    try:
        profile = user.profile
    except (ObjectDoesNotExist, AttributeError):  # no profile yet
        return _preferences(None, None)
    return _preferences(profile.contact_by, profile.phone)


def choose_channel(user, preferences=None, *, private=False) -> tuple[str, str]:
    """(channel, address). A person we cannot reach online goes on the staff call list.

    `preferences`: their (how, phone) when already loaded, else read from their profile.
    `private`: the message must not go on the call list (kinds.PRIVATE_CATEGORIES); the
    address is "" when the person can be reached no other way.
    """
    how, phone = preferences or contact_preferences(user)
    if how == "post_or_phone" and not private:
        return Message.Channel.CALL_LIST, ""
    if how == "text" and phone and channels.notify_configured():
        return Message.Channel.SMS, phone
    if user.has_real_email and user.is_active:
        return Message.Channel.EMAIL, user.email
    if phone and channels.notify_configured():
        return Message.Channel.SMS, phone
    if private:
        return Message.Channel.EMAIL, ""
    return Message.Channel.CALL_LIST, ""


def _reach(recipients, category) -> dict[int, tuple[tuple[str, str], bool, str]]:
    """For each recipient, by id: their (how, phone), whether they have unsubscribed from
    `category`, and the words they want information in (standard or easy read; empty without
    a profile). Large print is not here: it changes only how an e-mail looks, so it is read
    when the e-mail is sent. One query for the whole batch, whether or not their profiles
    were loaded."""
    rows = (
        get_user_model()
        .objects.filter(pk__in=[r.pk for r in recipients])
        .annotate(
            unsubscribed=Exists(Unsubscribe.objects.filter(user=OuterRef("pk"), category=category))
        )
        .values_list(
            "pk", "profile__contact_by", "profile__phone", "unsubscribed", "profile__format"
        )
    )
    return {
        pk: (_preferences(how, phone), unsubscribed, information_format or "")
        for pk, how, phone, unsubscribed, information_format in rows
    }


def _about(context: dict) -> tuple[int | None, int | None]:
    """(opportunity id, project id): the session, or else the project, a message is about,
    read from its context: an "opportunity" (or a standalone update's "session"), or a
    "signup" or "claim" with one, or a "project" (or an update of one). The call list shows
    the message only to the staff who run it (permissions.call_list_for). Model rows only:
    a preview or a test may pass stand-ins."""

    def row(name):
        value = context.get(name)
        return value if isinstance(value, models.Model) else None

    if (session := row("opportunity") or row("session")) is not None:
        return session.pk, session.project_id
    for name in ("signup", "claim"):
        if (holder := row(name)) is not None and holder.opportunity_id:
            # Loaded already by whoever wrote the message's words (they name the session).
            return holder.opportunity_id, holder.opportunity.project_id
    if (project := row("project")) is not None:
        return None, project.pk
    if (update := row("update")) is not None and getattr(update, "project_id", None):
        return None, update.project_id
    return None, None


def _deadline(kind: str, context: dict) -> datetime | None:
    """When passing the message on stops being any use (models.DEADLINES): read from the
    context its words are written from, e.g. a place offered from its sign-up, which holds
    when the offer runs out (no query). None for other kinds, or a preview's stand-ins."""
    if kind not in DEADLINES:
        return None
    name, attribute = DEADLINES[kind].source.split(".")
    moment = getattr(context.get(name), attribute, None)
    return moment if isinstance(moment, datetime) else None


def _build(kind, category, recipient, event_key, context, attachments, reach) -> Message:
    context = {**context, "recipient": recipient}
    subject, body = render_message(kind, context)
    preferences, unsubscribed, information_format = reach[recipient.pk]
    channel, address = choose_channel(
        recipient, preferences, private=category in PRIVATE_CATEGORIES
    )
    if channel == Message.Channel.EMAIL and information_format == EASY_READ:
        body = body_in_format(kind, "easy_read.txt", context, body)
    elif channel == Message.Channel.SMS:
        body = render_text_message(kind, context, email_body=body)
    elif channel == Message.Channel.CALL_LIST:
        body = render_call_list_message(
            kind, context, email_body=body, information_format=information_format
        )
    if unsubscribed and not always_sent(kind):
        status = Message.Status.SKIPPED
    elif not address and channel != Message.Channel.CALL_LIST:
        status = Message.Status.SKIPPED  # private, and no way to reach them privately
    elif channel == Message.Channel.CALL_LIST:
        status = Message.Status.CALL_LIST
    else:
        status = Message.Status.PENDING
    opportunity_id, project_id = _about(context)
    return Message(
        kind=kind,
        category=category,
        event_key=event_key,
        recipient=recipient,
        opportunity_id=opportunity_id,
        project_id=project_id,
        channel=channel,
        to_address=address,
        subject=subject[:255],
        body_text=body,
        attachments=[a if isinstance(a, dict) else list(a) for a in attachments],
        status=status,
        deadline=_deadline(kind, context),
    )


def queue_message(kind, *, recipient, event_key, context, attachments=()) -> None:
    """Record one message for one person. Call it inside the event's transaction."""
    queue_messages(
        kind,
        recipients=[recipient],
        event_key=event_key,
        context=context,
        attachments=attachments,
    )


def queue_email_to_address(kind, *, to_address, event_key, context) -> None:
    """Record one email to an address with no account behind it (see Message). Call it
    inside the event's transaction. It is always sent: there is no account to have stopped
    it, nor one to stop it from."""
    if not always_sent(kind):
        raise ValueError(
            f"{kind!r} needs an account to respect its stop link; add it to ALWAYS_SENT"
        )
    subject, body = render_message(kind, {**context, "recipient": None})
    Message.objects.bulk_create(
        [
            Message(
                kind=kind,
                category=category_for(kind),
                event_key=event_key,
                recipient=None,
                channel=Message.Channel.EMAIL,
                to_address=to_address,
                subject=subject[:255],
                body_text=body,
            )
        ],
        # A retry of the same event finds its row already there.
        ignore_conflicts=True,
    )
    ids = list(
        Message.objects.filter(
            event_key=event_key, recipient=None, status=Message.Status.PENDING
        ).values_list("pk", flat=True)
    )
    if ids:
        transaction.on_commit(lambda: enqueue_delivery(ids))


def queue_messages(kind, *, recipients: Iterable, event_key, context, attachments=()) -> int:
    """Record the same event's message for many people, in batches.

    Re-running it for the same event adds nothing: the unique (event_key, recipient)
    constraint drops rows that already exist. Returns how many rows were new.
    """
    return queue_messages_for_events(
        kind,
        events=((recipient, event_key, context) for recipient in recipients),
        attachments=attachments,
    )


def queue_messages_for_events(kind, *, events: Iterable, attachments=()) -> int:
    """Record one message per event, each `(recipient, event_key, context)`: what calling
    `queue_message` for each would do, in three queries a batch (everyone's preferences and
    unsubscribes, the rows, the rows still to send) rather than three a person. For one
    message per person about their own place, e.g. a register saved for a whole group.

    Re-running it for the same events adds nothing (the unique (event_key, recipient)
    constraint drops rows that already exist). Delivery is enqueued after commit.
    """
    category = category_for(kind)
    created_ids = []
    batch = []

    def flush():
        if not batch:
            return
        reach = _reach([recipient for recipient, _, _ in batch], category)
        rows = [
            _build(kind, category, recipient, event_key, context, attachments, reach)
            for recipient, event_key, context in batch
        ]
        # ignore_conflicts: a retry of the same event finds its rows already there.
        Message.objects.bulk_create(rows, ignore_conflicts=True, batch_size=BATCH_SIZE)
        # Which rows are still to send. Filtering on keys and recipients separately could
        # match one event's key with another's recipient: only this batch's pairs count.
        wanted = {(event_key, recipient.pk) for recipient, event_key, _ in batch}
        pending = Message.objects.filter(
            event_key__in=sorted({event_key for event_key, _ in wanted}),
            recipient_id__in=sorted({recipient_id for _, recipient_id in wanted}),
            status=Message.Status.PENDING,
        ).values_list("pk", "event_key", "recipient_id")
        created_ids.extend(pk for pk, *pair in pending if tuple(pair) in wanted)
        batch.clear()

    for event in events:
        batch.append(event)
        if len(batch) >= BATCH_SIZE:
            flush()
    flush()
    if created_ids:
        ids = list(created_ids)
        transaction.on_commit(lambda: enqueue_delivery(ids))
    return len(created_ids)


def enqueue_delivery(message_ids: list[int]) -> None:
    """Hand messages to Celery. If the broker is unreachable the rows stay pending and the
    periodic sweep sends them once it is back: nothing is lost."""
    from .tasks import deliver_messages

    for start in range(0, len(message_ids), BATCH_SIZE):
        chunk = message_ids[start : start + BATCH_SIZE]
        try:
            deliver_messages.apply_async(args=[chunk], retry=False)
        except Exception:  # broker down: kombu raises several kinds; the sweep will retry
            logger.warning("Could not reach the task broker; %d messages wait", len(chunk))


def _claim(message_id: int, now) -> bool:
    """Take the right to send this message. Only one worker can win (conditional update)."""
    return bool(
        Message.objects.filter(pk=message_id)
        .filter(
            Q(status=Message.Status.PENDING)
            | Q(status=Message.Status.SENDING, lease_expires_at__lt=now)
        )
        .update(
            status=Message.Status.SENDING,
            lease_expires_at=now + LEASE,
            attempts=F("attempts") + 1,
        )
    )


def deliver_message(message_id: int) -> bool:
    """Send one message if it still needs sending. Safe to call any number of times."""
    now = timezone.now()
    if not _claim(message_id, now):
        return False
    unsubscribed = Unsubscribe.objects.filter(
        user=OuterRef("recipient"), category=OuterRef("category")
    )
    message = (
        Message.objects.select_related("recipient")
        .annotate(
            unsubscribed=Exists(unsubscribed),
            # Read when sending, so a change of mind since the message was written counts.
            # Easy read words were chosen when it was written, and get big type here too.
            wants_large_print=Coalesce(F("recipient__profile__large_print"), Value(False)),
        )
        .get(pk=message_id)
    )
    if message.unsubscribed and not always_sent(message.kind):
        Message.objects.filter(pk=message_id).update(status=Message.Status.SKIPPED)
        return False
    try:
        if message.channel == Message.Channel.SMS:
            channels.send_sms(message)
        else:
            channels.send_email(
                message,
                # Not built for Notify, which cannot send them (channels.sends_files).
                attachments=built_attachments(message) if channels.sends_files() else (),
                large_print=message.wants_large_print,
            )
    except Exception as error:  # any delivery failure is recorded and retried, never lost
        failed = message.attempts >= MAX_ATTEMPTS
        with transaction.atomic():
            Message.objects.filter(pk=message_id).update(
                status=Message.Status.FAILED if failed else Message.Status.PENDING,
                last_error=f"{error.__class__.__name__}: {error}"[:2000],
                next_attempt_at=now + backoff(message.attempts),
                lease_expires_at=None,
            )
            if failed:
                _pass_on(message)
        logger.warning("Message %s failed (attempt %s): %s", message_id, message.attempts, error)
        return False
    forget = {}
    if message.recipient_id is None:
        # An address with no account behind it was kept only to send this: forget it and
        # what was said (a returned entry's words) now, as the share page promises.
        forget = {"to_address": "", "body_text": ""}
    Message.objects.filter(pk=message_id, status=Message.Status.SENDING).update(
        status=Message.Status.SENT,
        sent_at=timezone.now(),
        lease_expires_at=None,
        last_error="",
        **forget,
    )
    return True


PASSED_ON = ":passed-on"


def fallback_key(message) -> str:
    """The event key of the message that passes `message` on: one per message, whatever
    retries happen (the outbox keeps one message per key and person). It starts with the
    message's own key, so whatever finds a place's messages by key ("signup:42:") finds it."""
    return f"{message.event_key}{PASSED_ON}"


HOW_IT_FAILED = {
    Message.Channel.SMS: "We could not send this by text message to {address}.",
    Message.Channel.EMAIL: "We could not send this by email to {address}.",
}


def _pass_on(message) -> Message | None:
    """An always-sent message (kinds.ALWAYS_SENT) that finally failed goes by the next way
    to reach the person, so they do not lose a place or money for want of it: a text by
    email if they have a real address, else (and an email) on the staff call list, where the
    staff running its session (or commissioners, for a claim) phone or write. The new
    message says what the old one said; its own failure is passed on in turn, so a text
    ends on the call list at worst. Call inside the transaction that marks it failed."""
    person = message.recipient
    if not always_sent(message.kind) or person is None:
        return None  # nobody to phone: an address with no account is all we had
    private = message.category in PRIVATE_CATEGORIES
    body = message.body_text
    if message.channel == Message.Channel.SMS and person.has_real_email and person.is_active:
        channel, address, status = Message.Channel.EMAIL, person.email, Message.Status.PENDING
        body = f"We could not send you this by text message, so here it is by email.\n\n{body}"
    elif private or message.channel == Message.Channel.CALL_LIST:
        return None  # never on the call list (kinds.PRIVATE_CATEGORIES)
    else:
        channel, address, status = Message.Channel.CALL_LIST, "", Message.Status.CALL_LIST
    why = HOW_IT_FAILED[message.channel].format(address=message.to_address)
    fallback = Message(
        kind=message.kind,
        category=message.category,
        event_key=fallback_key(message),
        recipient=person,
        opportunity_id=message.opportunity_id,
        project_id=message.project_id,
        channel=channel,
        to_address=address,
        subject=message.subject,
        body_text=body,
        # Files are built when sent, from what they describe: still true now.
        attachments=message.attachments,
        status=status,
        # An offer still runs out when it did: on the call list it comes first.
        deadline=message.deadline,
        # On the call list, what staff read as why it is there (templates/notifications/
        # call_list.html); for an email, what the admins' outbox shows.
        last_error=why,
    )
    created = Message.objects.bulk_create([fallback], ignore_conflicts=True)
    if status == Message.Status.PENDING:
        ids = list(
            Message.objects.filter(
                event_key=fallback.event_key, recipient=person, status=Message.Status.PENDING
            ).values_list("pk", flat=True)
        )
        if ids:
            transaction.on_commit(lambda: enqueue_delivery(ids))
    return created[0]


def retry_message(message: Message) -> None:
    """Staff asked to try a failed message again."""
    if message.status not in (Message.Status.FAILED, Message.Status.PENDING):
        raise NotificationError("Only failed or waiting messages can be sent again.")
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.PENDING, next_attempt_at=timezone.now(), attempts=0
    )
    transaction.on_commit(lambda: enqueue_delivery([message.pk]))


def mark_called(message: Message, *, by) -> None:
    if message.status != Message.Status.CALL_LIST:
        raise NotificationError("This person is not on the call list for this message.")
    Message.objects.filter(pk=message.pk, status=Message.Status.CALL_LIST).update(
        status=Message.Status.CALLED, sent_at=timezone.now(), last_error=f"Contacted by {by}"
    )


def withdraw_calls(messages) -> int:
    """Take these messages off the call list if they are still on it: what they say is no
    longer true (the place they were about has ended), so staff must not phone it through.
    So too the calls passing any of them on (`_pass_on`: a text that failed, say), whose
    keys start with theirs."""
    passed_on = messages.filter(recipient_id=OuterRef("recipient_id")).filter(
        StartsWith(OuterRef("event_key"), Concat("event_key", Value(PASSED_ON)))
    )
    return (
        Message.objects.filter(Q(pk__in=messages.values("pk")) | Q(Exists(passed_on)))
        .filter(status=Message.Status.CALL_LIST)
        .update(status=Message.Status.WITHDRAWN)
    )


def unsubscribe(user_id: int, category: str) -> None:
    """Stop `category` for this person. A link in an old email can outlive the account: then
    nothing is sent any more anyway, and there is nothing to record."""
    if not get_user_model().objects.filter(pk=user_id).exists():
        return
    Unsubscribe.objects.get_or_create(user_id=user_id, category=category)
    # Anything of that kind still waiting will not be sent, nor phoned through, except what
    # the person must hear to keep their place or be paid.
    Message.objects.filter(
        recipient_id=user_id,
        category=category,
        status__in=[Message.Status.PENDING, Message.Status.CALL_LIST],
    ).exclude(kind__in=ALWAYS_SENT).update(status=Message.Status.SKIPPED)
    if category == Category.ALERTS:
        # The profile's alert setting is what people read back ("Once a week"): stopping
        # alerts from an email's link must show there as off, not only be skipped here.
        from participation.models import Profile
        from participation.services import update_alert_frequency

        profile = (
            Profile.objects.filter(user_id=user_id)
            .exclude(alert_frequency=Profile.AlertFrequency.OFF)
            .first()
        )
        if profile is not None:
            update_alert_frequency(profile, Profile.AlertFrequency.OFF)


def subscribed_categories(user) -> set[str]:
    unsubscribed = set(Unsubscribe.objects.filter(user=user).values_list("category", flat=True))
    return {c for c in Category.values if c not in unsubscribed}


def set_subscriptions(user, *, categories: Iterable[str], offered: Iterable[str]) -> None:
    """Keep exactly `categories` (out of the `offered` ones) switched on for this person."""
    wanted = set(categories)
    with transaction.atomic():
        for category in offered:
            if category in wanted:
                Unsubscribe.objects.filter(user=user, category=category).delete()
            else:
                unsubscribe(user.pk, category)
