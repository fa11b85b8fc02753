from django.urls import path

from . import views

app_name = "learning"

# Fixed pages come before "<slug>/". Published slugs always end in "-<id>", so no entry can
# take the address of a fixed page.
urlpatterns = [
    path("guide/", views.GuideListView.as_view(), name="list"),
    path("guide/share/", views.ShareView.as_view(), name="share"),
    path("guide/share/thank-you/", views.ShareDoneView.as_view(), name="share_done"),
    path("guide/yours/", views.YoursView.as_view(), name="yours"),
    path("guide/moderation/", views.ModerationQueueView.as_view(), name="moderation"),
    path("guide/moderation/<int:pk>/", views.moderate_entry, name="moderate"),
    path("guide/moderation/<int:pk>/edit/", views.edit_entry, name="edit"),
    path("guide/moderation/<int:pk>/findings/", views.resolve_findings, name="resolve"),
    path("guide/moderation/<int:pk>/decision/", views.decide, name="decide"),
    path("guide/moderation/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("guide/<slug:slug>/", views.EntryDetailView.as_view(), name="detail"),
]
