from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "coprod_hub.users"
    label = "users"
    verbose_name = "People and roles"
