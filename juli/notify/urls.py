"""Pages of the notify app: notification channels and their delivery logs."""

from django.urls import path

from . import views

urlpatterns = [
    path("notify/channels/", views.channel_home, name="channel-home"),
    path("notify/<str:kind>/<int:pk>/channels/", views.channel_list, name="channel-list"),
    path("notify/<str:kind>/<int:pk>/channels/new/", views.channel_new, name="channel-new"),
    path("notify/<str:kind>/<int:pk>/deliveries/", views.delivery_log, name="delivery-log"),
    path("notify/channels/<int:pk>/edit/", views.channel_edit, name="channel-edit"),
    path("notify/channels/<int:pk>/active/", views.channel_active, name="channel-active"),
    path("notify/channels/<int:pk>/test/", views.channel_test, name="channel-test"),
]
