import pytest

from coprod_hub.users import demo as user_demo
from learning import demo
from learning.models import Entry

pytestmark = pytest.mark.django_db


def test_the_demo_is_believable_and_idempotent():
    user_demo.seed(scale="small", log=lambda line: None)
    demo.seed(scale="small", log=lambda line: None)
    first = sorted(Entry.objects.values_list("title", "status"))
    demo.seed(scale="small", log=lambda line: None)
    assert sorted(Entry.objects.values_list("title", "status")) == first

    published = Entry.objects.published()
    assert published.filter(kind="how_to").count() == 4
    for title in (
        "How to run an accessible meeting",
        "Paying people for their time",
        "Choosing the honest step",
        "Working Together for Change in eight stages",
    ):
        assert published.filter(title=title).exists()
    assert published.filter(outcome="went_well").exists()
    assert published.filter(outcome="not_well").exists()

    waiting = Entry.objects.awaiting_moderation()
    assert waiting.count() == 2
    kinds = set(waiting.values_list("findings__kind", flat=True))
    assert {"name", "phone", "postcode", "email"} <= kinds


def test_the_large_demo_adds_load_test_entries():
    demo.seed(scale="large", log=lambda line: None)
    count = Entry.objects.published().count()
    assert count >= demo.LARGE_SCALE_EXTRA
    demo.seed(scale="large", log=lambda line: None)
    assert Entry.objects.published().count() == count


def test_demo_entries_read_as_typed_paragraphs_and_lists():
    user_demo.seed(scale="small", log=lambda line: None)
    demo.seed(scale="small", log=lambda line: None)

    how_to = Entry.objects.get(title="How to run an accessible meeting").text
    feedback = Entry.objects.get(title="The claim forms were too long").text

    assert "\n- Choose a venue with step-free access" in how_to  # list items keep their lines
    assert "keeps this in\n" not in how_to  # a wrapped line does not
    assert "\n" not in feedback.split("\n\n")[0]
