from django.contrib import admin
from django.urls import include, path

from . import views
from .users import views as user_views

admin.site.login = views.admin_sign_in

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path(
        "accessibility/",
        views.PageView.as_view(template_name="pages/accessibility.html"),
        name="accessibility",
    ),
    path("privacy/", views.PageView.as_view(template_name="pages/privacy.html"), name="privacy"),
    path("cookies/", views.PageView.as_view(template_name="pages/cookies.html"), name="cookies"),
    path("health/", views.health_view, name="health"),
    path("hello/", views.hello, name="hello"),
    path("accounts/", include("allauth.urls")),
    path("my/name/", user_views.change_name, name="change_name"),
    path("my/data/", user_views.my_data, name="my_data"),
    path("my/data/download/", user_views.download_my_data, name="my_data_download"),
    path("my/data/delete/", user_views.erase_my_account, name="my_data_erase"),
    path("account-deleted/", user_views.account_erased, name="account_erased"),
    path("admin/", admin.site.urls),
    path("", include("projects.urls")),
    path("", include("participation.urls")),
    path("", include("payments.urls")),
    path("", include("learning.urls")),
    path("", include("notifications.urls")),
    path("", include("insight.urls")),
]

handler400 = "coprod_hub.views.bad_request"
handler403 = "coprod_hub.views.permission_denied"
handler404 = "coprod_hub.views.page_not_found"
handler500 = "coprod_hub.views.server_error"

admin.site.site_header = "Co-production Hub administration"
admin.site.site_title = "Co-production Hub admin"
