from django.urls import path

from .views import directory, profile, signups, staff

app_name = "participation"

urlpatterns = [
    # Public
    path("opportunities/", directory.directory, name="directory"),
    path("opportunities/feed.ics", directory.feed, name="feed"),
    path("opportunities/<int:pk>/", directory.detail, name="detail"),
    path("opportunities/<int:pk>/calendar.ics", directory.calendar_file, name="calendar"),
    # Residents
    path("opportunities/<int:pk>/sign-up/", signups.sign_up, name="sign_up"),
    path("sign-ups/<int:pk>/", signups.signup_detail, name="signup"),
    path("sign-ups/<int:pk>/cancel/", signups.cancel, name="cancel"),
    path("sign-ups/<int:pk>/accept/", signups.accept, name="accept"),
    path("sign-ups/<int:pk>/share-access-needs/", signups.share_needs, name="share_needs"),
    path("sign-ups/<int:pk>/access-needs/", signups.session_needs, name="session_needs"),
    path("sign-ups/<int:pk>/joining/", signups.joining, name="joining"),
    path("my/", signups.my, name="my"),
    path("my/updates/", signups.my_updates, name="my_updates"),
    path("my/calendar/", signups.calendar_link, name="calendar_link"),
    path("my/calendar/<str:token>.ics", signups.personal_feed, name="personal_feed"),
    path("my/profile/", profile.profile, name="profile"),
    path("my/profile/interests/", profile.interests, name="interests"),
    path("my/profile/access-needs/", profile.access_needs, name="access_needs"),
    path(
        "my/profile/access-needs/delete/",
        profile.delete_access_needs,
        name="delete_access_needs",
    ),
    path("my/profile/contact/", profile.contact, name="contact"),
    # Staff
    path("opportunities/staff/", staff.staff_list, name="staff_list"),
    path("opportunities/new/", staff.create, name="create"),
    path("opportunities/<int:pk>/edit/", staff.edit, name="edit"),
    path("opportunities/<int:pk>/copy/", staff.copy_opportunity, name="copy"),
    path("opportunities/<int:pk>/publish/", staff.publish, name="publish"),
    path("opportunities/<int:pk>/close/", staff.close, name="close"),
    path("opportunities/<int:pk>/cancel/", staff.cancel_opportunity, name="cancel_opportunity"),
    path("opportunities/<int:pk>/manage/", staff.manage, name="manage"),
    path("opportunities/<int:pk>/manage/sign-up/", staff.sign_up_person, name="sign_up_person"),
    path("opportunities/<int:pk>/manage/add-person/", staff.add_person, name="add_person"),
    path("opportunities/<int:pk>/manage/came/", staff.came, name="came"),
    path("opportunities/<int:pk>/manage/message/", staff.message_group, name="message_group"),
    path("opportunities/<int:pk>/manage/messages/", staff.group_messages, name="group_messages"),
    path("opportunities/<int:pk>/manage/attendance/", staff.attendance, name="attendance"),
    path(
        "opportunities/<int:pk>/manage/attendance.csv",
        staff.attendance_csv,
        name="attendance_csv",
    ),
    path("venues/", staff.venues, name="venues"),
    path("venues/new/", staff.venue_form, name="venue_create"),
    path("venues/<int:pk>/edit/", staff.venue_form, name="venue_edit"),
]
