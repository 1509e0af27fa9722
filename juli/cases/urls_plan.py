"""The daily plan page and the notifications page."""

from django.urls import path

from . import views_plan as v

urlpatterns = [
    path("plan/", v.plan, name="plan"),
    path("plan/make/", v.plan_make, name="plan-make"),
    path("plan/assignments/<int:pk>/reassign/", v.plan_reassign, name="plan-reassign"),
    path("notifications/", v.notification_list, name="notifications"),
    path("notifications/read-all/", v.notification_read_all, name="notifications-read-all"),
    path("notifications/<int:pk>/read/", v.notification_read, name="notification-read"),
]
