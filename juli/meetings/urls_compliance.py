"""Pages of the meetings app: compliance (included by urls.py)."""

from django.urls import path

from . import views_compliance as v

urlpatterns = [
    path("meetings/compliance/", v.compliance_page, name="meetings-compliance"),
    path("meetings/compliance/export.xlsx", v.compliance_xlsx, name="meetings-compliance-xlsx"),
    path("meetings/compliance/rules/", v.rules_page, name="meetings-compliance-rules"),
]
