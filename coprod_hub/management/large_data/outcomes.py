"""Outcome surveys, "We" statement self-assessments and equality monitoring answers.

Everyone who came to a session in the last eighteen months was invited to the survey and
about a third answered; published projects rate themselves against the "We" statements
for up to eight quarters back from this one; about a third of residents gave equality answers. The
rating and question fields are read from the models, so new questions are filled too.
"""

from datetime import date, timedelta

from django.apps import apps

from .helpers import Seeder, has_field, has_model, local_dt, pick


class OutcomeSeeder(Seeder):
    def seed_insight(self):
        if not has_model("insight", "SurveyResponse"):
            self.log("  the insight app has no surveys yet: skipped")
            return
        rng = self.rng
        Invitation = apps.get_model("insight", "SurveyInvitation")
        Response = apps.get_model("insight", "SurveyResponse")
        ratings = [
            f.name
            for f in Response._meta.concrete_fields
            if f.get_internal_type() == "PositiveSmallIntegerField" and f.choices
        ]
        # Statements that can be answered "not yet" have a flag beside the rating.
        not_yet = [f"{name}_not_yet" for name in ratings if has_field(Response, f"{name}_not_yet")]
        # Everyone who came to a session in the last eighteen months was asked; about a third
        # answered, mostly agreeing.
        since = self.now - timedelta(days=548)
        invited = [a for a in self.attended if a.opportunity.starts_at >= since]
        invitations, responses = [], []
        for attended in invited:
            ended = attended.opportunity.starts_at + timedelta(hours=attended.opportunity.hours)
            invitations.append((attended.id, ended + timedelta(days=28), ended))
            if rng.random() < 0.35:
                answered = min(ended + timedelta(days=rng.uniform(0.1, 10)), self.now)
                answers = {
                    name: pick(rng, [(5, 30), (4, 40), (3, 15), (2, 7), (1, 3), (None, 5)])
                    for name in ratings
                }
                flags = [rng.random() < 0.08 for _ in not_yet]
                for flag, said in zip(not_yet, flags, strict=True):
                    if said:
                        answers[flag.removesuffix("_not_yet")] = None
                responses.append(
                    (attended.id, attended.opportunity.id, *answers.values(), *flags,
                     "It was well run and people listened." if rng.random() < 0.2 else "",
                     answered, answered)
                )  # fmt: skip
        self._copy(
            Invitation,
            ["signup_id", "closes_at", "created_at"],
            invitations,
            label="survey invitations",
        )
        self._copy(
            Response,
            [
                "signup_id",
                "opportunity_id",
                *ratings,
                *not_yet,
                "comment",
                "submitted_at",
                "updated_at",
            ],
            responses,
            key="survey responses",
            label="survey responses",
        )
        self._seed_we_assessments()
        self._seed_equality()

    def _seed_we_assessments(self):
        if not has_model("insight", "WeAssessment"):
            return
        Assessment = apps.get_model("insight", "WeAssessment")
        rng = self.rng
        ratings = [
            f.name
            for f in Assessment._meta.concrete_fields
            if f.get_internal_type() == "PositiveSmallIntegerField" and f.choices
        ]
        this_quarter = date(self.today.year, (self.today.month - 1) // 3 * 3 + 1, 1)
        rows = []
        for pk, published, _, _, _, owner, _ in self.projects:
            if not published:
                continue
            quarter = this_quarter
            for _ in range(rng.randrange(0, 9)):
                scores = [pick(rng, [(5, 25), (4, 45), (3, 20), (2, 8), (1, 2)]) for _ in ratings]
                evidence = ["Minutes of the group, and what members told us."] * len(ratings)
                when = local_dt(quarter, 12) + timedelta(days=80)
                rows.append(
                    (pk, quarter, *[v for pair in zip(scores, evidence, strict=True) for v in pair],
                     owner, min(when, self.now), min(when, self.now))
                )  # fmt: skip
                previous = quarter - timedelta(days=1)
                quarter = date(previous.year, (previous.month - 1) // 3 * 3 + 1, 1)
        fields = [name for rating in ratings for name in (rating, f"{rating}_evidence")]
        self._copy(
            Assessment,
            ["project_id", "quarter_start", *fields, "assessed_by_id", "created_at", "updated_at"],
            rows,
            key="we assessments",
            label="We statement self-assessments",
        )

    def _seed_equality(self):
        if not has_model("insight", "EqualityMonitoring"):
            return
        Equality = apps.get_model("insight", "EqualityMonitoring")
        rng = self.rng
        # The answers, not the earlier ones kept while a change waits to be counted.
        questions = [
            f
            for f in Equality._meta.concrete_fields
            if f.choices and f.get_internal_type() == "CharField"
            and not f.name.startswith("counted_")
        ]  # fmt: skip
        rows = []
        for person in self.residents:
            if rng.random() < 0.35:
                # Given more than a quarter ago, so the dashboard, which counts answers as
                # they stood when this quarter began, has them to count.
                given = self.now - timedelta(days=rng.uniform(100, 700))
                rows.append(
                    (person, given,
                     *[rng.choice([""] + [v for v, _ in f.choices]) for f in questions])
                )  # fmt: skip
        self._copy(
            Equality,
            ["person_id", "updated_at", *[f.name for f in questions]],
            rows,
            key="equality answers",
            label="equality monitoring answers",
        )
