"""The directory's search-and-filter form: what people chose stays chosen, every control is
labelled, and a mistake is shown next to the filter it is about."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from participation.models import Opportunity

from .factories import OpportunityFactory, ServiceAreaFactory, VenueFactory

pytestmark = pytest.mark.django_db

URL = reverse("participation:directory")


class _Page(HTMLParser):
    """Every element of a page with its attributes, its text and the elements around it, so
    tests read what a browser would, whatever the whitespace and attribute order."""

    VOID = {"input", "br", "img", "hr", "meta", "link"}

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.elements = []
        self._open = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, "attrs": dict(attrs), "text": [], "in": list(self._open)}
        self.elements.append(element)
        if tag not in self.VOID:
            self._open.append(element)

    def handle_endtag(self, tag):
        while self._open and self._open.pop()["tag"] != tag:
            pass

    def handle_data(self, data):
        for element in self._open:
            element["text"].append(data)

    @staticmethod
    def text(element):
        return " ".join("".join(element["text"]).split())

    def by_id(self, id_):
        (element,) = [e for e in self.elements if e["attrs"].get("id") == id_]
        return element

    def control(self, id_):
        return self.by_id(id_)["attrs"]

    @property
    def ids(self):
        return [e["attrs"]["id"] for e in self.elements if "id" in e["attrs"]]

    @property
    def controls(self):
        return [e for e in self.elements if e["tag"] in ("input", "select")]

    @property
    def labels(self):
        return {e["attrs"]["for"]: self.text(e) for e in self.elements if e["tag"] == "label"}

    @property
    def legends(self):
        return [self.text(e) for e in self.elements if e["tag"] == "legend"]

    @property
    def details_open(self):
        return ["open" in e["attrs"] for e in self.elements if e["tag"] == "details"]

    def fieldset(self, element):
        """The fieldset `element` sits in, and that fieldset's legend."""
        fieldsets = [e for e in element["in"] if e["tag"] == "fieldset"]
        if not fieldsets:
            return None, None
        legends = [
            e for e in self.elements if e["tag"] == "legend" and e["in"][-1:] == [fieldsets[-1]]
        ]
        return fieldsets[-1], self.text(legends[0]) if legends else None

    def chosen(self, name):
        """The values ticked, or selected, for the control called `name`."""
        values = set()
        for e in self.elements:
            attrs = e["attrs"]
            if e["tag"] == "input" and attrs.get("name") == name and "checked" in attrs:
                values.add(attrs.get("value", "on"))
            selects = [s["attrs"].get("name") for s in e["in"] if s["tag"] == "select"]
            if e["tag"] == "option" and "selected" in attrs and name in selects:
                values.add(attrs["value"])
        return values

    def error(self, id_):
        """An error message's text, checking a screen reader hears "Error:" first."""
        element = self.by_id(id_)
        assert "govuk-error-message" in element["attrs"]["class"].split()
        (hidden,) = [e for e in self.elements if element in e["in"]]
        assert hidden["attrs"]["class"] == "govuk-visually-hidden"
        assert self.text(hidden) == "Error:"
        return self.text(element)

    def group_class(self, name):
        return self.control(f"div_id_{name}")["class"].split()


def filters(response):
    """The part of the page inside the filter form."""
    text = response.text
    start = text.index('<form method="get" action="' + URL)
    return text[start : text.index("</form>", start)]


@pytest.fixture
def choices(db):
    ServiceAreaFactory(name="Carers", slug="carers")
    ServiceAreaFactory(name="Dementia", slug="dementia")
    VenueFactory(area="Southgate")
    VenueFactory(area="Northtown")
    OpportunityFactory(title="Carers' panel")


def test_what_people_chose_is_still_chosen_after_the_search(client, choices):
    response = client.get(
        URL,
        {
            "q": "carers' panel",
            "format": ["online", "phone"],
            "paid": "unpaid",
            "kind": "meeting",
            "topic": "dementia",
            "area": "Southgate",
            "access": ["quiet_room", "hearing_loop"],
            "level": "service",
            "step": "6",
            "include_past": "on",
            "from_date": "1/3/2026",
            "sort": "relevance",
        },
    )
    page = _Page(filters(response))

    assert page.control("id_q")["value"] == "carers' panel"
    assert page.control("id_from_date")["value"] == "1/3/2026"
    assert "value" not in page.control("id_to_date")
    assert page.chosen("format") == {"online", "phone"}
    assert page.chosen("paid") == {"unpaid"}
    assert page.chosen("kind") == {"meeting"}
    assert page.chosen("topic") == {"dementia"}
    assert page.chosen("area") == {"Southgate"}
    assert page.chosen("access") == {"quiet_room", "hearing_loop"}
    assert page.chosen("level") == {"service"}
    assert page.chosen("step") == {"6"}
    assert page.chosen("include_past") == {"on"}
    assert page.chosen("sort") == {"relevance"}


def test_nothing_is_chosen_on_a_first_visit_and_any_area_or_pay_is_shown(client, choices):
    page = _Page(filters(client.get(URL)))

    for name in ("format", "kind", "topic", "access", "level", "step", "include_past"):
        assert page.chosen(name) == set(), name
    # A set of radios starts on its "any" choice, never with none of them chosen.
    assert page.chosen("paid") == {""}
    assert page.chosen("area") == {""}
    assert page.details_open == [False]


def test_every_control_has_its_own_label_and_each_group_a_legend(client, choices):
    page = _Page(filters(client.get(URL, {"format": "online"})))

    assert len(page.ids) == len(set(page.ids))
    labels = page.labels
    for control in page.controls:
        id_ = control["attrs"]["id"]
        assert labels.get(id_), f"{id_} has no label"
        if control["attrs"].get("type") in ("checkbox", "radio") and id_ != "id_include_past":
            assert page.fieldset(control)[1], f"{id_} is not in a fieldset with a legend"
    assert page.labels["id_q"] == "Search"
    assert page.labels["id_format_2"] == "Online"
    assert page.control("id_format_2")["value"] == "online"
    assert page.labels["id_paid_1"] == "Paid or not"
    assert page.labels["id_kind_7"] == "Informal drop-in"
    assert page.labels["id_paid_2"] == "Paid a fee"
    assert page.labels["id_paid_3"] == "No fee (we may still pay expenses, such as travel)"
    # All seven steps, each said in plain words: opportunities at the lowest are listed too.
    assert page.labels["id_step_1"] == "Coercion: you have no real say"
    assert page.labels["id_step_3"] == "Informing: you are told about decisions"
    assert page.labels["id_step_6"] == "Co-design: you help design it, with real influence"
    assert page.labels["id_step_7"] == (
        "Co-production: you are an equal partner from start to finish"
    )
    assert "id_step_8" not in page.labels
    assert page.labels["id_topic_1"] == "Carers"
    assert page.labels["id_include_past"] == "Include past opportunities"
    assert page.fieldset(page.by_id("id_access_1"))[1] == "The venue has"
    assert page.fieldset(page.by_id("id_to_date"))[1] == "Dates"
    assert page.legends == [
        "How it happens",
        "Paid",
        "Kind of activity",
        "Topic",
        "Dates",
        "The venue has",
        "Level",
        "How much say you have",
    ]


def test_a_mistake_is_shown_next_to_its_filter_and_the_rest_is_kept(client, choices):
    response = client.get(
        URL, {"format": ["teleport", "online"], "from_date": "31/02/2026", "area": "Atlantis"}
    )
    page = _Page(filters(response))
    summary = _Page(response.text)

    # The error summary links to the first checkbox, and to the date box itself.
    links = {e["attrs"]["href"] for e in summary.elements if e["tag"] == "a"}
    assert {"#id_format_1", "#id_from_date", "#id_area"} <= links
    assert "govuk-form-group--error" in page.group_class("format")
    assert page.error("id_format_1_error") == "Error: Choose how it happens from the list"
    fieldset, legend = page.fieldset(page.by_id("id_format_1"))
    assert legend == "How it happens"
    assert fieldset["attrs"]["aria-describedby"].split() == ["id_format_1_error"]
    assert page.chosen("format") == {"online"}
    assert "These results leave out the filters with a problem." in summary.text(
        summary.by_id("main-content")
    )

    assert page.error("id_from_date_1_error") == (
        "Error: From date must be a real date, for example 27/3/2026"
    )
    date = page.control("id_from_date")
    assert date["aria-describedby"].split() == ["id_from_date_hint", "id_from_date_1_error"]
    assert date["aria-invalid"] == "true"
    assert "govuk-input--error" in date["class"].split()
    assert date["value"] == "31/02/2026"

    assert page.error("id_area_1_error") == "Error: Choose an area from the list"
    assert page.control("id_area")["aria-describedby"].split() == ["id_area_1_error"]
    assert page.chosen("area") == set()

    # Filters without a mistake look as usual.
    assert "govuk-form-group--error" not in page.group_class("paid")
    assert "aria-invalid" not in page.control("id_to_date")
    assert page.control("id_to_date")["aria-describedby"] == "id_to_date_hint"


def test_each_date_mistake_names_its_box(client, choices):
    response = client.get(URL, {"from_date": "31/2/2026", "to_date": "next week"})
    page = _Page(response.text)

    summary = page.elements[page.elements.index(page.by_id("filter-problems")) :]
    links = {e["attrs"]["href"]: page.text(e) for e in summary if e["tag"] == "a"}
    assert links["#id_from_date"] == "From date must be a real date, for example 27/3/2026"
    assert links["#id_to_date"] == "To date must be a real date, for example 27/3/2026"
    assert page.error("id_from_date_1_error") == (
        "Error: From date must be a real date, for example 27/3/2026"
    )
    assert page.error("id_to_date_1_error") == (
        "Error: To date must be a real date, for example 27/3/2026"
    )


def test_without_javascript_a_mistake_is_linked_from_above_the_results(client, choices):
    """The form sends people to #results-heading, below the error summary: on a phone the
    summary was 4,300px above the screen. hub.mjs brings it first (the browser test in
    tests/browser/test_directory_errors.py); without JavaScript the note above the results
    leads up to it."""
    response = client.get(URL, {"from_date": "31/2/2026"})
    page = _Page(response.text)

    (form,) = [
        e
        for e in page.elements
        if e["tag"] == "form" and "hub-filters" in e["attrs"].get("class", "")
    ]
    assert form["attrs"]["action"] == URL + "#results-heading"
    skip = [e for e in page.elements if e["tag"] == "a" and page.text(e) == "Skip to the results"]
    assert [e["attrs"]["href"] for e in skip] == ["#results-heading"]
    assert page.by_id("results-heading")
    # The note under the results heading leads back up to the problems.
    (note,) = [
        e for e in page.elements if "These results leave out" in page.text(e) and e["tag"] == "p"
    ]
    (link,) = [e for e in page.elements if e["tag"] == "a" and note in e["in"]]
    assert (link["attrs"]["href"], page.text(link)) == (
        "#filter-problems",
        "the filters with a problem",
    )
    problems = page.by_id("filter-problems")
    assert any(
        "govuk-error-summary" in e["attrs"].get("class", "").split() and problems in e["in"]
        for e in page.elements
    )
    assert page.elements.index(problems) < page.elements.index(page.by_id("results-heading"))


def test_more_filters_unfold_once_one_of_them_is_used(client, choices):
    assert _Page(filters(client.get(URL, {"q": "x", "format": "online"}))).details_open == [False]
    assert _Page(filters(client.get(URL, {"area": "Southgate"}))).details_open == [True]
    assert _Page(filters(client.get(URL, {"include_past": "on"}))).details_open == [True]


def test_the_search_is_a_get_form_with_no_csrf_token(client, choices):
    text = filters(client.get(URL, {"q": "carers"}))

    assert "csrfmiddlewaretoken" not in text
    assert 'method="get"' in text


def test_a_fresh_search_with_filters_stays_within_its_query_budget(
    client, choices, settings, django_assert_max_num_queries
):
    # No kept copies: every new search is rendered afresh, and this is what people wait for.
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    for n in range(30):
        OpportunityFactory(
            title=f"Carers' group {n}",
            format="in_person",
            venue=VenueFactory(),
            fee_basis=Opportunity.FeeBasis.PER_HOUR,
        )

    with django_assert_max_num_queries(4):
        response = client.get(
            URL,
            {"q": "carers", "format": "in_person", "paid": "paid", "step": "99", "page": "2"},
        )

    assert response.context["result_count"] == 30
    assert len(response.context["page_obj"].object_list) == 10
