from functools import cached_property

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, Group, PermissionsMixin
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection, models
from django.utils import timezone

from .roles import IMPLIED_ROLES, Role, roles_held

# The reserved top-level domain for addresses that must never receive mail (RFC 2606): the
# placeholders of people added without an email address, and of erased accounts.
PLACEHOLDER_EMAIL_DOMAIN = ".invalid"


def is_placeholder_email(email: str) -> bool:
    """True for no address at all, and for the placeholders above: nobody can write to them,
    so no page or export may offer one as a way to reach the person."""
    return not email or email.lower().endswith(PLACEHOLDER_EMAIL_DOMAIN)


def real_email_or_blank(email: str) -> str:
    """An address as pages and exports show it: "" for a placeholder. For rows read with
    `values()`; a loaded account has `User.real_email`."""
    return "" if is_placeholder_email(email) else email


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def holding(self, role):
        """Active people who hold `role` as `User.has_role` decides it: in its group, in the
        group of a role that implies it (commissioners are staff too), or as admins."""
        names = [str(role)] + [
            str(other) for other, implied in IMPLIED_ROLES.items() if role in implied
        ]
        in_group = self.model.groups.through.objects.filter(
            user_id=models.OuterRef("pk"), group__name__in=names
        )
        return self.filter(models.Q(models.Exists(in_group)) | models.Q(is_superuser=True)).filter(
            is_active=True
        )

    def with_group_names(self):
        """Load each person's group names in the same query (PostgreSQL), so `role_names`
        needs no query of its own: the sign-in backend loads the signed-in person this way."""
        if connection.vendor != "postgresql":
            return self.get_queryset()
        names = Group.objects.filter(user=models.OuterRef("pk")).values("name")
        return self.get_queryset().annotate(loaded_group_names=ArraySubquery(names))


# Titles people put before their name, for `User.get_short_name`: most go with the surname
# ("Dr Smith"), a knight's or dame's with the first name ("Sir John").
TITLES = frozenset({"dr", "mr", "mrs", "ms", "miss", "mx", "prof", "professor", "rev", "revd"})
TITLES_BEFORE_FIRST_NAME = frozenset({"sir", "dame"})


class User(AbstractBaseUser, PermissionsMixin):
    """One account per person. People sign in with their email address.

    `is_staff` is Django's flag for the admin site only; hub roles are groups (see roles.py).
    """

    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(
        "name",
        max_length=150,
        blank=True,
        help_text="The name we use when we talk to you, and that staff see.",
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField("can use the admin site", default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        ordering = ["display_name", "email"]

    def __str__(self):
        return self.display_name or self.email

    def get_full_name(self):
        return str(self)

    def get_short_name(self):
        """What messages call the person ("Hello Jane,"). Someone who gave their name with
        a title is called by title and surname ("Hello Dr Smith,"), never "Hello Dr,"."""
        words = self.display_name.split()
        if not words:
            return self.email
        title = words[0].rstrip(".").lower()
        if len(words) > 1 and title in TITLES:
            return f"{words[0]} {words[-1]}"
        if len(words) > 1 and title in TITLES_BEFORE_FIRST_NAME:
            return f"{words[0]} {words[1]}"
        return words[0]

    @cached_property
    def role_names(self) -> frozenset[str]:
        """The roles this person holds, with implied roles added. One query, then cached."""
        loaded = ()
        if self.is_active and not self.is_superuser:  # else the groups change nothing
            loaded = getattr(self, "loaded_group_names", None)
            if loaded is None:
                loaded = self.groups.values_list("name", flat=True)
        return roles_held(loaded, is_active=self.is_active, is_superuser=self.is_superuser)

    def has_role(self, role: str) -> bool:
        return str(role) in self.role_names

    @property
    def is_resident(self):
        return self.has_role(Role.RESIDENT)

    @property
    def is_hub_staff(self):
        return self.has_role(Role.STAFF)

    @property
    def is_commissioner(self):
        return self.has_role(Role.COMMISSIONER)

    @property
    def is_admin(self):
        return self.is_active and self.is_superuser

    @property
    def has_real_email(self) -> bool:
        """False for the placeholders we give people added without an email address and
        erased accounts: the reserved ".invalid" domain can never receive mail."""
        return not is_placeholder_email(self.email)

    @property
    def real_email(self) -> str:
        """The email address to show or export as a way to reach them; "" for a placeholder."""
        return real_email_or_blank(self.email)
