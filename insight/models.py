"""Outcome surveys ("I" statements), project self-assessments ("We" statements) and the
optional equality monitoring answers."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .equality import AgeBand, EthnicGroup, Religion, Sex, SexualOrientation, YesNo
from .querysets import SurveyResponseQuerySet, WeAssessmentQuerySet
from .statements import ASKED_NOT_YET, I_STATEMENTS, WE_STATEMENTS, Agreement


class SurveyInvitation(models.Model):
    """One invitation per attended sign-up. The link in it works until `closes_at`.

    The row is what stops a second invitation: the hook in attendance recording and the
    periodic sweep both go through `services.invite_attendees_to_survey`, which creates it
    once.
    """

    signup = models.OneToOneField(
        "participation.SignUp", on_delete=models.CASCADE, related_name="survey_invitation"
    )
    closes_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Survey invitation for sign-up {self.signup_id}"

    def is_open(self, now=None) -> bool:
        return (now or timezone.now()) < self.closes_at


def _rating_field(statement):
    return models.PositiveSmallIntegerField(
        statement.text, choices=Agreement.choices, null=True, blank=True
    )


def _not_yet_field(statement):
    return models.BooleanField(statement.not_yet, default=False, db_default=False)


class SurveyResponse(models.Model):
    """What one participant said about one session. A null rating means "prefer not to say",
    or "not yet" where the statement's `_not_yet` flag is set.

    Only the redacted comment is stored: the personal-data scanner runs before saving. It is
    automatic and can miss things, so staff pages say comments may still hold personal
    details, and show them only from sessions enough people answered (see querysets).
    """

    signup = models.ForeignKey(
        "participation.SignUp", on_delete=models.CASCADE, related_name="survey_responses"
    )
    # Copied from the sign-up so the dashboards join one table fewer.
    opportunity = models.ForeignKey(
        "participation.Opportunity", on_delete=models.CASCADE, related_name="survey_responses"
    )
    valued = _rating_field(I_STATEMENTS[0])
    strengths = _rating_field(I_STATEMENTS[1])
    respect = _rating_field(I_STATEMENTS[2])
    shaped = _rating_field(I_STATEMENTS[3])
    paid_fairly = _rating_field(I_STATEMENTS[4])
    heard_back = _rating_field(I_STATEMENTS[5])
    paid_fairly_not_yet = _not_yet_field(I_STATEMENTS[4])
    heard_back_not_yet = _not_yet_field(I_STATEMENTS[5])
    comment = models.TextField(blank=True, help_text="Redacted before it was saved.")
    comment_redactions = models.PositiveSmallIntegerField(default=0)
    submitted_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = SurveyResponseQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            # One response per person per opportunity (a sign-up is one person on one
            # opportunity); answering again changes it.
            models.UniqueConstraint(fields=["signup"], name="one_survey_response_per_signup"),
            *[
                models.CheckConstraint(
                    condition=Q(**{s.not_yet_field: False}) | Q(**{s.key: None}),
                    name=f"survey_{s.key}_not_yet_has_no_rating",
                )
                for s in ASKED_NOT_YET
            ],
        ]
        indexes = [
            # Dashboard outcomes: responses for opportunities in a date range.
            models.Index(fields=["opportunity", "submitted_at"], name="survey_opportunity_idx"),
        ]

    def __str__(self):
        return f"Survey response for sign-up {self.signup_id}"

    def said_not_yet(self) -> list:
        """The statements this person answered "not yet"."""
        return [s for s in ASKED_NOT_YET if getattr(self, s.not_yet_field)]


def _we_rating_field(statement):
    return models.PositiveSmallIntegerField(statement.text, choices=Agreement.choices)


def _we_evidence_field(statement):
    return models.TextField(f"Evidence: {statement.text}")


class WeAssessment(models.Model):
    """A project team's own rating of the "We" statements for one quarter, with evidence."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="we_assessments"
    )
    quarter_start = models.DateField(help_text="The first day of the quarter assessed.")
    equal_partners = _we_rating_field(WE_STATEMENTS[0])
    equal_partners_evidence = _we_evidence_field(WE_STATEMENTS[0])
    partnership = _we_rating_field(WE_STATEMENTS[1])
    partnership_evidence = _we_evidence_field(WE_STATEMENTS[1])
    feel_valued = _we_rating_field(WE_STATEMENTS[2])
    feel_valued_evidence = _we_evidence_field(WE_STATEMENTS[2])
    what_matters = _we_rating_field(WE_STATEMENTS[3])
    what_matters_evidence = _we_evidence_field(WE_STATEMENTS[3])
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = WeAssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-quarter_start", "project"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "quarter_start"], name="one_we_assessment_per_quarter"
            ),
            models.CheckConstraint(
                condition=models.Q(quarter_start__day=1, quarter_start__month__in=[1, 4, 7, 10]),
                name="we_assessment_on_quarter_start",
            ),
        ]

    def __str__(self):
        return f"{self.project}: {self.quarter_start:%b %Y}"

    def ratings(self):
        return [
            (s, getattr(self, s.key), getattr(self, f"{s.key}_evidence")) for s in WE_STATEMENTS
        ]

    @property
    def average(self) -> float:
        return sum(getattr(self, s.key) for s in WE_STATEMENTS) / len(WE_STATEMENTS)


def _equality_field(choices):
    return models.CharField(max_length=20, choices=choices.choices, blank=True)


class EqualityMonitoring(models.Model):
    """A person's optional equality monitoring answers, kept apart from everything else.

    Its own table, reached only from here: `related_name="+"` means a user object has no way
    back to it, so no template, serializer or admin page showing a person can show these.
    They are read only by the person (at /my/equality/) and counted in aggregate, with small
    numbers suppressed, by `insight.dashboard.reach`. Deleting removes the row.

    The dashboard counts answers as they stood at the start of the current quarter (see
    `insight.dashboard.reach`). When someone changes answers given before then, the
    `counted_*` fields keep the earlier ones, as of `counted_at`, until the next quarter; then
    `services.forget_superseded_equality_answers` empties them.
    """

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    age_band = _equality_field(AgeBand)
    disability = _equality_field(YesNo)
    ethnic_group = _equality_field(EthnicGroup)
    sex = _equality_field(Sex)
    gender_same_as_birth = _equality_field(YesNo)
    sexual_orientation = _equality_field(SexualOrientation)
    religion = _equality_field(Religion)
    carer = _equality_field(YesNo)
    updated_at = models.DateTimeField(default=timezone.now)
    # The answers as they stood at the start of the quarter beginning `counted_at`, kept only
    # while they are the ones counted (the person changed them during that quarter).
    counted_at = models.DateField(null=True, blank=True)
    counted_age_band = _equality_field(AgeBand)
    counted_disability = _equality_field(YesNo)
    counted_ethnic_group = _equality_field(EthnicGroup)
    counted_sex = _equality_field(Sex)
    counted_gender_same_as_birth = _equality_field(YesNo)
    counted_sexual_orientation = _equality_field(SexualOrientation)
    counted_religion = _equality_field(Religion)
    counted_carer = _equality_field(YesNo)

    class Meta:
        verbose_name_plural = "equality monitoring answers"

    def __str__(self):
        return "Equality monitoring answers"

    def get_counted_label(self, question) -> str:
        """The kept earlier answer to `question`, in words."""
        value = getattr(self, f"counted_{question.field}")
        return question.choices(value).label if value else "Not answered"
