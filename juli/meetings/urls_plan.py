"""Pages of the meetings app: planning (included by urls.py)."""

from django.urls import path

from . import views_plan

urlpatterns = [
    path("meetings/<int:pk>/", views_plan.meeting_detail, name="meetings-detail"),
]
