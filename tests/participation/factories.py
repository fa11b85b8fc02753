from datetime import timedelta

import factory
from django.utils import timezone

from participation.models import Opportunity, SignUp, Venue
from projects.ladder import Level, Step
from projects.models import Project, ServiceArea
from tests.factories import UserFactory


class ServiceAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceArea
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Project {n}")
    slug = factory.Sequence(lambda n: f"project-{n}")
    summary = "Working together on day services."
    service_area = factory.SubFactory(ServiceAreaFactory)
    level = Level.SERVICE
    owner = factory.SubFactory(UserFactory, roles=["staff"])
    is_published = True
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


class OpportunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Opportunity

    title = factory.Sequence(lambda n: f"Opportunity {n}")
    description = "We want to hear what works and what does not."
    kind = Opportunity.Kind.WORKSHOP
    format = Opportunity.Format.ONLINE
    level = Level.SERVICE
    step = Step.CO_DESIGN
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=10))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    capacity = 10
    status = Opportunity.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    created_by = factory.SubFactory(UserFactory, roles=["staff"])

    class Params:
        in_person = factory.Trait(
            format=Opportunity.Format.IN_PERSON, venue=factory.SubFactory(VenueFactory)
        )


class SignUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SignUp

    opportunity = factory.SubFactory(OpportunityFactory)
    resident = factory.SubFactory(UserFactory)
    status = SignUp.Status.BOOKED
