"""Pages of the notify app: a user's notifications, notification channels and their delivery
logs."""

from django.urls import path

from . import views

urlpatterns = [
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read-all/", views.notification_read_all, name="notifications-read-all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification-read"),
    path("notify/channels/", views.channel_home, name="channel-home"),
    path("notify/<str:kind>/<int:pk>/channels/", views.channel_list, name="channel-list"),
    path("notify/<str:kind>/<int:pk>/channels/new/", views.channel_new, name="channel-new"),
    path("notify/<str:kind>/<int:pk>/deliveries/", views.delivery_log, name="delivery-log"),
    path("notify/channels/<int:pk>/edit/", views.channel_edit, name="channel-edit"),
    path("notify/channels/<int:pk>/active/", views.channel_active, name="channel-active"),
    path("notify/channels/<int:pk>/test/", views.channel_test, name="channel-test"),
]
