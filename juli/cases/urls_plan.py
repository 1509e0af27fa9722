"""The daily plan page (the notifications page is notify's)."""

from django.urls import path

from . import views_plan as v

urlpatterns = [
    path("plan/", v.plan, name="plan"),
    path("plan/make/", v.plan_make, name="plan-make"),
    path("plan/assignments/<int:pk>/reassign/", v.plan_reassign, name="plan-reassign"),
]
