"""Pages of branch rating: the branch's self-assessment (included by urls.py)."""

from django.urls import path

from . import views_self

urlpatterns = [
    path("rating/my/", views_self.my_assessments, name="rating-my"),
    path("rating/assessments/<int:pk>/", views_self.assessment_page, name="rating-assessment"),
]
