from django.urls import path

from . import views

urlpatterns = [
    path("posts/", views.my_posts, name="my-posts"),
    path("orgs/", views.org_tree, name="org-tree"),
    path("orgs/<int:pk>/", views.org_detail, name="org-detail"),
    path("orgs/<int:pk>/children/", views.org_children, name="org-children"),
    path("orgs/<int:pk>/new/", views.org_new_child, name="org-new-child"),
    path("orgs/<int:pk>/edit/", views.org_edit, name="org-edit"),
    path("orgs/<int:pk>/move/", views.org_move, name="org-move"),
    path("orgs/<int:pk>/retire/", views.org_retire, name="org-retire"),
    path("orgs/<int:pk>/merge/", views.org_merge, name="org-merge"),
    path("orgs/<int:pk>/posts/new/", views.org_post_new, name="post-new"),
    path("posts/<int:pk>/end/", views.post_end, name="post-end"),
    path("areas/", views.area_tree, name="area-tree"),
    path("areas/<int:pk>/", views.area_detail, name="area-detail"),
    path("areas/<int:pk>/children/", views.area_children, name="area-children"),
    path("areas/<int:pk>/new/", views.area_new_child, name="area-new-child"),
    path("areas/<int:pk>/edit/", views.area_edit, name="area-edit"),
    path("areas/<int:pk>/move/", views.area_move, name="area-move"),
    path("areas/<int:pk>/posts/new/", views.area_post_new, name="area-post-new"),
    path("units/options/", views.unit_options, name="unit-options"),
    path("units/<int:pk>/", views.unit_detail, name="unit-detail"),
    path("units/<int:pk>/posts/new/", views.unit_post_new, name="unit-post-new"),
    path("people/", views.person_list, name="person-list"),
    path("people/new/", views.person_new, name="person-new"),
    path("people/<int:pk>/", views.person_detail, name="person-detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person-edit"),
    path("audit/", views.audit_log, name="audit-log"),
]
