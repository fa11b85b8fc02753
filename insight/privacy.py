"""A person's insight data, for "download my data" and "delete my account"
(see coprod_hub/users/privacy.py)."""

from django.db import transaction

from .equality import QUESTIONS
from .models import EqualityMonitoring, SurveyResponse
from .statements import I_STATEMENTS, Agreement


def _answer_label(response, statement) -> str:
    value = getattr(response, statement.key)
    if statement in response.said_not_yet():
        return statement.not_yet
    return "Prefer not to say" if value is None else Agreement(value).label


def export(user) -> dict:
    record = EqualityMonitoring.objects.filter(person=user).first()
    responses = (
        SurveyResponse.objects.filter(signup__resident=user)
        .select_related("opportunity")
        .order_by("submitted_at")
    )
    return {
        "equality_monitoring": None
        if record is None
        else {
            question.text: getattr(record, f"get_{question.field}_display")() or "Not answered"
            for question in QUESTIONS
        },
        # Earlier answers kept only until the figures count the change (see the model).
        "equality_monitoring_earlier_answers_still_counted": None
        if record is None or record.counted_at is None
        else {question.text: record.get_counted_label(question) for question in QUESTIONS},
        "survey_answers": [
            {
                "opportunity": response.opportunity.title,
                "answered_on": response.submitted_at,
                "last_changed": response.updated_at,
                **{s.text: _answer_label(response, s) for s in I_STATEMENTS},
                "comment_as_saved": response.comment,
            }
            for response in responses
        ],
    }


@transaction.atomic
def erase(user) -> None:
    """Delete the equality answers and any comments. Survey ratings stay, as numbers attached
    only to the erased (pseudonymous) account, so the totals staff see do not change."""
    EqualityMonitoring.objects.filter(person=user).delete()
    SurveyResponse.objects.filter(signup__resident=user).update(comment="", comment_redactions=0)
