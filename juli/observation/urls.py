"""Pages of observation visits, mounted at the site's root by `juli.core.urlmount`."""

from django.urls import URLPattern, path

from . import views as v
from . import views_field as f

urlpatterns: list[URLPattern] = [
    path("observation/", v.cycle_list, name="observation-cycles"),
    path("observation/cycles/<int:pk>/", v.cycle_detail, name="observation-cycle"),
    path("observation/cycles/<int:pk>/close/", v.cycle_close, name="observation-cycle-close"),
    path(
        "observation/cycles/<int:pk>/progress/",
        v.cycle_progress,
        name="observation-cycle-progress",
    ),
    path("observation/visits/<int:pk>/", v.visit_detail, name="observation-visit"),
    path("observation/visits/<int:pk>/act/", v.visit_act, name="observation-visit-act"),
    path(
        "observation/rectifications/<int:pk>/",
        v.rectification_detail,
        name="observation-rectification",
    ),
    path(
        "observation/rectifications/<int:pk>/close/",
        v.rectification_close,
        name="observation-rectification-close",
    ),
    path(
        "observation/rectifications/<int:pk>/reopen/",
        v.rectification_reopen,
        name="observation-rectification-reopen",
    ),
    path("observation/evidence/<int:pk>/", v.evidence_file, name="observation-evidence-file"),
    path("m/observation/", f.field_home, name="observation-field-home"),
    path("m/observation/visits/<int:pk>/score/", f.field_score, name="observation-field-score"),
    path(
        "m/observation/rectifications/<int:pk>/",
        f.field_rectification,
        name="observation-field-rectification",
    ),
]
