"""Pages of the meetings app: minutes and make-ups (included by urls.py)."""

from django.urls import path

from . import views_minutes

urlpatterns = [
    path("meetings/<int:pk>/minutes/", views_minutes.minutes_page, name="meetings-minutes"),
    path(
        "meetings/<int:pk>/minutes/v<int:version>/",
        views_minutes.minutes_version,
        name="meetings-minutes-version",
    ),
    path("meetings/<int:pk>/minutes.pdf", views_minutes.minutes_pdf, name="meetings-minutes-pdf"),
    path(
        "meetings/<int:pk>/minutes/card/",
        views_minutes.minutes_card,
        name="meetings-minutes-card",
    ),
    path("meetings/makeups/", views_minutes.make_up_list, name="meetings-makeups"),
    path("meetings/makeups/<int:pk>/", views_minutes.make_up_detail, name="meetings-makeup"),
    path(
        "meetings/makeups/<int:pk>/confirm/",
        views_minutes.make_up_confirm,
        name="meetings-makeup-confirm",
    ),
]
