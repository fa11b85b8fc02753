"""How finance and commissioners can reach the person a claim pays.

Finance contacts people for bank details, and sends vouchers by post or email. Someone staff
added without an email address has a placeholder one that can never receive mail
(`User.real_email` leaves it out), so their phone number, postal address and how they want
to be contacted must travel with the claim instead.
"""

from dataclasses import dataclass

from participation.models import Profile


@dataclass(frozen=True)
class PayeeContact:
    email: str  # "" when we have no address we can write to
    phone: str
    postal_address: str  # as typed, lines and all
    contact_by: str  # how they asked to be contacted, in words

    @classmethod
    def of(cls, person) -> "PayeeContact":
        """From an account loaded with its profile (select_related "profile"), so a list
        of claims needs no query per person. Someone with no profile gets the defaults."""
        profile = getattr(person, "profile", None)
        email = person.real_email
        how = profile.contact_by if profile else Profile.ContactBy.EMAIL
        if how == Profile.ContactBy.EMAIL and not email:
            # Messages reach them through the staff call list then (notifications.services).
            how = Profile.ContactBy.POST_OR_PHONE
        return cls(
            email=email,
            phone=profile.phone if profile else "",
            postal_address=profile.postal_address.strip() if profile else "",
            contact_by=Profile.ContactBy(how).label,
        )

    @property
    def postal_address_on_one_line(self) -> str:
        """For a spreadsheet cell: the lines joined with commas."""
        lines = (line.strip().rstrip(",") for line in self.postal_address.splitlines())
        return ", ".join(line for line in lines if line)
