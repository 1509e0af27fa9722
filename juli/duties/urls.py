"""Pages of the duties app."""

from django.urls import path

from . import views

urlpatterns = [
    path("duties/", views.my_duties, name="duties-mine"),
    path("duties/orgs/<int:pk>/", views.chain, name="duties-chain"),
    path("duties/orgs/<int:pk>/pdf/", views.chain_pdf, name="duties-chain-pdf"),
    path("duties/orgs/<int:pk>/xlsx/", views.chain_xlsx, name="duties-chain-xlsx"),
    path("duties/orgs/<int:pk>/leaders/new/", views.leader_new, name="duties-leader-new"),
    path("duties/leaders/<int:pk>/end/", views.leader_end, name="duties-leader-end"),
    path("duties/lists/", views.list_index, name="duties-lists"),
    path("duties/lists/new/", views.list_new, name="duties-list-new"),
    path("duties/lists/<int:pk>/", views.list_detail, name="duties-list"),
    path("duties/lists/<int:pk>/edit/", views.list_edit, name="duties-list-edit"),
    path("duties/lists/<int:pk>/copy/", views.list_copy, name="duties-list-copy"),
    path("duties/lists/<int:pk>/posts/new/", views.post_new, name="duties-post-new"),
    path("duties/posts/<int:pk>/edit/", views.post_edit, name="duties-post-edit"),
    path("duties/posts/<int:pk>/remove/", views.post_remove, name="duties-post-remove"),
    path("duties/posts/<int:pk>/duties/new/", views.duty_new, name="duties-duty-new"),
    path("duties/items/<int:pk>/edit/", views.duty_edit, name="duties-duty-edit"),
    path("duties/items/<int:pk>/remove/", views.duty_remove, name="duties-duty-remove"),
]
