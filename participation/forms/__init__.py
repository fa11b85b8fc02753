"""Forms only check what people typed; views hand `cleaned_data` to services.py.

Split by who fills them in: the public directory, staff, and residents.
"""

from .directory import DirectoryFilterForm
from .residents import (
    AccessNeedsForm,
    ContactPreferencesForm,
    InterestsForm,
    JoiningForm,
    SessionNeedsForm,
    SignUpForm,
)
from .staff import (
    AddPersonForm,
    AttendanceForm,
    CancelOpportunityForm,
    CancelPlaceForm,
    ChoosePersonForm,
    FindPersonForm,
    GroupMessageForm,
    OpportunityForm,
    VenueForm,
)

__all__ = [
    "AccessNeedsForm",
    "AddPersonForm",
    "AttendanceForm",
    "CancelOpportunityForm",
    "CancelPlaceForm",
    "ChoosePersonForm",
    "ContactPreferencesForm",
    "DirectoryFilterForm",
    "FindPersonForm",
    "GroupMessageForm",
    "InterestsForm",
    "JoiningForm",
    "OpportunityForm",
    "SessionNeedsForm",
    "SignUpForm",
    "VenueForm",
]
