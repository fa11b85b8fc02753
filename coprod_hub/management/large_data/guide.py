"""The practice guide: lessons, good practice and feedback, with their moderation trail.

Most entries are published, a few wait for moderation or were returned, rejected or
withdrawn, and every decision leaves a moderation event. Titles and texts reuse the topic
phrases and lessons that mention community transport, which the benchmark searches for.
"""

from datetime import timedelta

from django.apps import apps
from django.utils.text import slugify

from ..bulk_copy import next_id
from .helpers import Seeder, has_model, pick
from .words import EMAIL_DOMAIN, SENTENCES, TOPIC_PHRASES


class GuideSeeder(Seeder):
    def seed_guide(self):
        if not has_model("learning", "Entry"):
            self.log("  the learning app has no practice guide yet: skipped")
            return
        Entry = apps.get_model("learning", "Entry")
        ModerationEvent = apps.get_model("learning", "ModerationEvent")
        rng = self.rng
        kinds = [("lesson", 40), ("good_practice", 30), ("feedback", 20), ("how_to", 10)]
        outcomes = [("went_well", 45), ("not_well", 20), ("mixed", 30), ("not_applicable", 5)]
        topics = [
            "meetings", "accessibility", "payment", "honest_step", "wtfc", "reaching_people",
            "communication", "feedback_loop", "recruitment", "evaluation",
        ]  # fmt: skip
        principles = ["equality", "diversity", "accessibility", "reciprocity", "honesty", ""]
        lessons = [
            "Book community transport a week ahead: people could not come when we left it late.",
            "Send papers in easy read a week before, and phone people who asked for large print.",
            "Pay on the day in vouchers if people prefer; waiting a month put people off.",
            "Ask people what time suits them. Mornings clashed with care visits.",
            "Say honestly what is already decided and what people can still change.",
            "Meet in a room with a hearing loop and check it works before people arrive.",
            "Write back within a month to say what changed because of what people said.",
            "Pair new panel members with someone who has done it before.",
            "Offer taxis for people who cannot use buses, and agree them before the day.",
            "Keep sessions under two hours, with a break, and say when the break is.",
        ]
        projects = [p[0] for p in self.projects if p[1]]
        moderators = self.commissioners or self.staff
        first_id = next_id(Entry)
        rows, events = [], []
        for n in range(self.target["guide"]):
            pk = first_id + n
            topic = rng.choice(topics)
            lesson = rng.choice(lessons)
            title = f"{rng.choice(TOPIC_PHRASES).capitalize()}: {lesson.split(':')[0][:90]}"
            title = title[:150]
            status = pick(
                rng,
                [("published", 85), ("submitted", 6), ("rejected", 4), ("returned", 3),
                 ("withdrawn", 2)],
            )  # fmt: skip
            submitted = self.now - timedelta(days=rng.uniform(0, 3 * 365))
            if status == "submitted":
                submitted = self.now - timedelta(days=rng.uniform(0, 12))
            decided = (
                submitted + timedelta(days=rng.uniform(1, 6)) if status != "submitted" else None
            )
            decided = min(decided, self.now) if decided else None
            published = status in ("published", "withdrawn")
            waiting = status == "submitted"
            text = " ".join([lesson, *rng.sample(SENTENCES, 3), rng.choice(lessons)])
            rows.append(
                (pk, pick(rng, kinds), title, text, pick(rng, outcomes),
                 rng.choice(["", "individual", "service", "strategic"]),
                 rng.choice([None, 4, 5, 6, 7]), rng.choice(principles), topic,
                 rng.choice(projects) if projects and rng.random() < 0.4 else None,
                 status, f"{slugify(title)[:80]}-{pk}" if published else None,
                 f"sharer{n}@{EMAIL_DOMAIN}" if waiting and rng.random() < 0.5 else "",
                 rng.choice(self.residents) if waiting and rng.random() < 0.5 else None,
                 submitted, decided, decided if published else None,
                 self.now - timedelta(days=1) if status == "withdrawn" else None,
                 decided or submitted)
            )  # fmt: skip
            events.append((pk, "submitted", None, submitted, ""))
            if decided:
                action = "published" if published else status
                events.append((pk, action, rng.choice(moderators), decided, ""))
            if status == "withdrawn":
                events.append((pk, "withdrawn", rng.choice(moderators), self.now, "Out of date."))
        self._copy(
            Entry,
            ["id", "kind", "title", "text", "outcome", "level", "step", "principle", "topic",
             "project_id", "status", "slug", "contact_email", "submitted_by_id", "submitted_at",
             "decided_at", "published_at", "withdrawn_at", "updated_at"],
            rows,
            key="guide entries",
            label="practice guide entries (search vectors filled by the trigger)",
        )  # fmt: skip
        self._copy(
            ModerationEvent,
            ["entry_id", "action", "by_id", "at", "note"],
            events,
            label="moderation trail events",
        )
