"""Pages of the letters app."""

from django.urls import path

from juli.core.views_verify import verify_document

from . import views as v
from . import views_sign as s

urlpatterns = [
    path("letters/", v.letter_list, name="letter-list"),
    # Printed codes and QR codes point here: core's check page, speaking of letters.
    path("letters/verify/", verify_document, {"kind": "letter"}, name="letter-verify"),
    path("letters/templates/", v.template_list, name="letter-templates"),
    path("letters/templates/<int:pk>/", v.template_detail, name="letter-template"),
    path("letters/templates/<int:pk>/session/", s.session, name="letter-session"),
    path("letters/templates/<int:pk>/compare/", v.compare, name="letter-compare"),
    path("letters/templates/items/<int:pk>/", v.template_item, name="letter-template-item"),
    path("letters/<int:pk>/", v.letter_detail, name="letter-detail"),
    path("letters/<int:pk>/sign/", s.letter_sign, name="letter-sign"),
    path("letters/<int:pk>/pdf/", s.letter_pdf, name="letter-pdf"),
    path("letters/<int:pk>/evidence/", v.evidence, name="letter-evidence"),
    path("letters/<int:pk>/assessment/", v.assessment, name="letter-assessment"),
    path("letters/items/<int:pk>/", v.letter_item, name="letter-item"),
    path("letters/evidence/<int:pk>/remove/", v.evidence_remove, name="letter-evidence-remove"),
    path("letters/evidence/<int:pk>/file/", v.evidence_file, name="letter-evidence-file"),
    path("letters/signatures/<int:pk>/", s.signature_image, name="letter-signature"),
]
