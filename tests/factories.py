import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from coprod_hub.users.models import User
from coprod_hub.users.roles import Role

PASSWORD = "correct-horse-battery-2026"


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
