"""From an opportunity found by a search, "All opportunities" goes back to that search (its
words, filters and page), not to a fresh directory that has lost them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.participation.factories import OpportunityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_back_link_returns_to_the_search_the_person_came_from(page, axe):
    soon = timezone.now() + timedelta(days=7)
    OpportunityFactory(title="Carers panel", starts_at=soon)
    OpportunityFactory(title="Transport survey", starts_at=soon)
    page.goto("/opportunities/")
    page.get_by_label("Search").fill("carers")
    with page.expect_navigation():
        page.get_by_role("button", name="Show results").click()
    page.get_by_role("link", name="Carers panel").click()

    back = page.get_by_role("link", name="Back to your search")
    back.wait_for()
    axe(page)
    with page.expect_navigation():
        back.click()
    assert "q=carers" in page.url
    page.get_by_role("heading", name="1 opportunity matching “carers”").wait_for()


def test_from_anywhere_else_it_opens_the_whole_directory(page):
    opportunity = OpportunityFactory(
        title="Carers panel", starts_at=timezone.now() + timedelta(days=7)
    )
    page.goto(f"/opportunities/{opportunity.pk}/")
    back = page.get_by_role("link", name="All opportunities")
    back.wait_for()
    assert back.get_attribute("href") == "/opportunities/"
