"""The app's pages, mounted at the site's root by `juli.core.urlmount`."""

from django.urls import path

from . import views

urlpatterns = [
    path("honours/", views.kind_list, name="honours-kinds"),
    path("honours/kinds/new/", views.kind_new, name="honours-kind-new"),
    path("honours/kinds/<int:pk>/calls/new/", views.call_new, name="honours-call-new"),
    path("honours/calls/<int:pk>/", views.call_detail, name="honours-call"),
    path("honours/calls/<int:pk>/nominate/", views.nominate, name="honours-nominate"),
    path(
        "honours/calls/<int:pk>/nominate-round/",
        views.nominate_round,
        name="honours-nominate-round",
    ),
    path("honours/calls/<int:pk>/<slug:action>/", views.call_step, name="honours-call-step"),
    path("honours/nominations/<int:pk>/review/", views.review, name="honours-review"),
    path("honours/nominations/<int:pk>/withdraw/", views.withdraw, name="honours-withdraw"),
    path("honours/list/", views.honour_list, name="honours-list"),
    path("honours/<int:pk>/", views.honour_detail, name="honours-honour"),
    path("honours/<int:pk>/certificate.pdf", views.certificate, name="honours-certificate"),
    path("honours/<int:pk>/revoke/", views.revoke, name="honours-revoke"),
]
