"""Pages of branch rating: rounds, review, public notice and star changes (included by
urls.py; the views are in views_review.py)."""

from django.urls import path

from . import views_review

urlpatterns = [
    path("rating/rounds/", views_review.round_list, name="rating-rounds"),
    path("rating/rounds/<int:pk>/", views_review.round_page, name="rating-round"),
    path("rating/rounds/<int:pk>/step/", views_review.round_step, name="rating-round-step"),
    path(
        "rating/rounds/<int:pk>/publicity/",
        views_review.publicity_page,
        name="rating-publicity",
    ),
    path("rating/assessments/<int:pk>/review/", views_review.review_page, name="rating-review"),
    path(
        "rating/assessments/<int:pk>/stars/",
        views_review.star_change,
        name="rating-star-change",
    ),
]
