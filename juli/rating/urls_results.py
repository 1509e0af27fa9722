"""Pages of branch rating: the results part (included by urls.py)."""

from django.urls import path

from . import views_results as v

urlpatterns = [
    path("rating/rounds/<int:pk>/results/", v.results_page, name="rating-results"),
    path("rating/rounds/<int:pk>/results/export.xlsx", v.results_xlsx, name="rating-results-xlsx"),
    path("rating/rounds/<int:pk>/results/export.pdf", v.results_pdf, name="rating-results-pdf"),
    path("rating/assessments/<int:pk>/export.pdf", v.assessment_pdf, name="rating-assessment-pdf"),
    path("rating/branches/<int:org_id>/history/", v.branch_history, name="rating-branch-history"),
]
