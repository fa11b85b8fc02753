from django.urls import path

from . import views

app_name = "projects"

# The fixed pages come before "<slug>/" and their names are in models.RESERVED_SLUGS, so no
# project can take them.
urlpatterns = [
    path("projects/", views.ProjectListView.as_view(), name="list"),
    path("projects/new/", views.ProjectCreateView.as_view(), name="create"),
    path("projects/manage/", views.ManageView.as_view(), name="manage"),
    path("projects/ladder/", views.LadderView.as_view(), name="ladder"),
    path(
        "projects/how-we-decide-the-step/",
        views.HowWeDecideView.as_view(),
        name="how_we_decide",
    ),
    path("projects/<slug:slug>/", views.ProjectDetailView.as_view(), name="detail"),
    path("projects/<slug:slug>/edit/", views.ProjectEditView.as_view(), name="edit"),
    path("projects/<slug:slug>/step/", views.ProjectStepView.as_view(), name="step"),
    path(
        "projects/<slug:slug>/step/history/",
        views.StepHistoryView.as_view(),
        name="step_history",
    ),
    path("projects/<slug:slug>/publish/", views.ProjectPublishView.as_view(), name="publish"),
    path(
        "projects/<slug:slug>/updates/new/",
        views.UpdateCreateView.as_view(),
        name="update_create",
    ),
    path(
        "projects/<slug:slug>/updates/<int:pk>/correct/",
        views.UpdateCorrectView.as_view(),
        name="update_correct",
    ),
    path("updates/", views.UpdateListView.as_view(), name="updates"),
    path("updates/feed/", views.UpdatesFeed(), name="updates_feed"),
    path("updates/<int:pk>/", views.update_permalink, name="update"),
    # Any update by its number: the only way to one about a session standing alone.
    path(
        "updates/<int:pk>/correct/",
        views.UpdateCorrectAnyView.as_view(),
        name="update_correct_any",
    ),
    # An update about a session standing alone, from the session's own pages.
    path(
        "opportunities/<int:pk>/updates/new/",
        views.SessionUpdateCreateView.as_view(),
        name="session_update_create",
    ),
]
