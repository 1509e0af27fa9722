"""Pages of the meetings app: publicity, a news draft from a meeting (included by urls.py)."""

from django.urls import path

from . import views_publicity as v

urlpatterns = [
    path("meetings/<int:pk>/publicity/", v.publicity_card, name="meetings-publicity"),
    path("meetings/<int:pk>/publicity/draft/", v.publicity_draft, name="meetings-publicity-draft"),
]
