"""Pages of the meetings app: the desk (included by urls.py)."""

from django.urls import path

from . import views_plan

urlpatterns = [
    path("meetings/", views_plan.meeting_list, name="meetings-list"),
    path("meetings/new/", views_plan.meeting_new, name="meetings-new"),
    path("meetings/mine/", views_plan.meetings_mine, name="meetings-mine"),
    path("meetings/<int:pk>/", views_plan.meeting_detail, name="meetings-detail"),
    path("meetings/<int:pk>/edit/", views_plan.meeting_edit, name="meetings-edit"),
    path("meetings/<int:pk>/cancel/", views_plan.meeting_cancel, name="meetings-cancel"),
    path("meetings/<int:pk>/invite/", views_plan.meeting_invite, name="meetings-invite"),
    path(
        "meetings/<int:pk>/attendees/<int:attendee>/remove/",
        views_plan.meeting_uninvite,
        name="meetings-uninvite",
    ),
    path("meetings/<int:pk>/documents/", views_plan.document_add, name="meetings-document-add"),
    path("meetings/documents/<int:pk>/", views_plan.document_file, name="meetings-document"),
    path(
        "meetings/documents/<int:pk>/remove/",
        views_plan.document_remove,
        name="meetings-document-remove",
    ),
]
