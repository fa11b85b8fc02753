"""Factories every app's tests share. Each app's `factories.py` builds on these with the
defaults its own tests want (a past, paid session for payments; an upcoming one for
participation), declaring only what differs."""

from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from coprod_hub.users.models import User
from coprod_hub.users.roles import Role
from participation.models import Opportunity, SignUp
from projects.ladder import Level
from projects.models import Project, ServiceArea

PASSWORD = "correct-horse-battery-2026"


def date_boxes(name: str, day) -> dict:
    """What a person types in a date's day, month and year boxes, as the form posts them."""
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


class UserFactory(factory.django.DjangoModelFactory):
    """A person with a confirmed email address. Pass `roles=[Role.STAFF]` to give roles."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Faker("name", locale="en_GB")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if not create:
            return
        roles = [Role.RESIDENT] if extracted is None else extracted
        for role in roles:
            group, _ = Group.objects.get_or_create(name=str(role))
            self.groups.add(group)
        self.save()
        EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class ServiceAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceArea
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Service area {n}")
    slug = factory.Sequence(lambda n: f"service-area-{n}")


class ProjectFactory(factory.django.DjangoModelFactory):
    """A service-level project run by a member of staff."""

    class Meta:
        model = Project
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Project {n}")
    slug = factory.Sequence(lambda n: f"project-{n}")
    summary = "A project."
    service_area = factory.SubFactory(ServiceAreaFactory)
    level = Level.SERVICE
    owner = factory.SubFactory(UserFactory, roles=[Role.STAFF])
    is_published = True
    # A project is published only with a way to contact someone about it (projects.services).
    contact_email = "coproduction@anytown.example"


class OpportunityFactory(factory.django.DjangoModelFactory):
    """A two-hour workshop for ten people; each app says when it is and what state it is in."""

    class Meta:
        model = Opportunity

    title = factory.Sequence(lambda n: f"Workshop {n}")
    description = "We talk about day services."
    kind = Opportunity.Kind.WORKSHOP
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    capacity = 10
    created_by = factory.SubFactory(UserFactory, roles=[Role.STAFF])
    project = None
    # Standing alone, it has a topic of its own (participation's publishing rule: people hear
    # of new sessions through the topics they follow); in a project, the project's counts.
    topic = factory.Maybe(
        "project",
        yes_declaration=None,
        no_declaration=factory.SubFactory(ServiceAreaFactory, slug="general", name="General"),
    )
    # Standing alone, it says why it is not co-production (participation's publishing rule).
    not_coproduction_reason = factory.LazyAttribute(
        lambda o: "" if getattr(o, "project", None) else "The council decides what happens next."
    )


class SignUpFactory(factory.django.DjangoModelFactory):
    """A booked place."""

    class Meta:
        model = SignUp

    opportunity = factory.SubFactory(OpportunityFactory)
    resident = factory.SubFactory(UserFactory)
    status = SignUp.Status.BOOKED
