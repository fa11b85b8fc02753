from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.outbox, name="outbox"),
    path("notifications/<int:pk>/retry/", views.retry, name="retry"),
    path("notifications/call-list/", views.call_list, name="call_list"),
    path("notifications/call-list/<int:pk>/done/", views.mark_called, name="mark_called"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("my/notifications/", views.preferences, name="preferences"),
]
