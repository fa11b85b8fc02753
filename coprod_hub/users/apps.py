from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "coprod_hub.users"
    label = "users"
    verbose_name = "People and roles"

    def ready(self):
        from . import kept_people

        kept_people.connect_signals()
