from django.urls import path

from . import views

app_name = "insight"

urlpatterns = [
    path("insight/", views.dashboard, name="dashboard"),
    path("insight/comments/", views.comments, name="comments"),
    path("insight/we/", views.we_list, name="we_list"),
    path("insight/projects/<slug:slug>/we/", views.we_project, name="we_project"),
    path(
        "insight/projects/<slug:slug>/we/<int:year>/q<int:quarter>/",
        views.we_rate,
        name="we_rate",
    ),
    path("survey/<str:token>/", views.survey, name="survey"),
    path("survey/<str:token>/thanks/", views.survey_done, name="survey_done"),
    path("my/equality/", views.equality, name="equality"),
    path("my/equality/delete/", views.equality_delete, name="equality_delete"),
]
