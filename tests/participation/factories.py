"""Participation tests' factories: upcoming, published sessions (online unless
`in_person=True`)."""

from datetime import timedelta

import factory
from django.utils import timezone

from participation.models import Opportunity, Profile, Venue
from projects.ladder import Level, Step
from tests import factories as shared


class ServiceAreaFactory(shared.ServiceAreaFactory):
    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")


class ProjectFactory(shared.ProjectFactory):
    summary = "Working together on day services."
    service_area = factory.SubFactory(ServiceAreaFactory)
    claimed_step = Step.CO_PRODUCTION
    evidenced_step = Step.CONSULTATION


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    name = factory.Sequence(lambda n: f"Community Centre {n}")
    address = "1 High Street\nAnytown"
    postcode = "AT1 1AA"
    area = "Northfield"
    step_free = True
    accessible_toilet = True


class OpportunityFactory(shared.OpportunityFactory):
    title = factory.Sequence(lambda n: f"Opportunity {n}")
    description = "We want to hear what works and what does not."
    format = Opportunity.Format.ONLINE
    level = Level.SERVICE
    step = Step.ENGAGEMENT
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=10))
    status = Opportunity.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)

    class Params:
        in_person = factory.Trait(
            format=Opportunity.Format.IN_PERSON, venue=factory.SubFactory(VenueFactory)
        )


class SignUpFactory(shared.SignUpFactory):
    opportunity = factory.SubFactory(OpportunityFactory)


# One person for each way someone can ask for information: the words and, apart, large print.
EVERY_FORMAT = {
    "Both Formats": ("easy_read", True),
    "Easy Words": ("easy_read", False),
    "Big Type": ("standard", True),
    "Plain Standard": ("standard", False),
}


def person_in_each_format(**profile) -> dict:
    """A person named as in EVERY_FORMAT for each way of asking, by name; their profiles
    also hold `profile` (how to contact them, say)."""
    people = {}
    for name, (information_format, large_print) in EVERY_FORMAT.items():
        person = shared.UserFactory(display_name=name)
        Profile.objects.create(
            user=person, format=information_format, large_print=large_print, **profile
        )
        people[name] = person
    return people
