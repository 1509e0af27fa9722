"""Pages of attendance (included by urls.py): the QR screen, the printable code, the
attendance card and its forms, and the phone pages under /m/meetings/."""

from django.urls import URLPattern, path

from . import views_signin as v

urlpatterns: list[URLPattern] = [
    path("meetings/<int:pk>/signin/", v.signin_screen, name="meetings-signin-screen"),
    path("meetings/<int:pk>/signin/qr/", v.signin_screen_part, name="meetings-signin-qr"),
    path("meetings/<int:pk>/signin/print/", v.signin_print, name="meetings-signin-print"),
    path("meetings/<int:pk>/signin/rotate/", v.signin_rotate, name="meetings-signin-rotate"),
    path("meetings/<int:pk>/attendance/", v.attendance_card, name="meetings-attendance-card"),
    path(
        "meetings/<int:pk>/attendance/record/",
        v.attendance_record,
        name="meetings-attendance-record",
    ),
    path("m/meetings/", v.field_home, name="meetings-field-home"),
    path("m/meetings/sign/", v.field_sign, name="meetings-field-sign"),
    path("m/meetings/<int:pk>/leave/", v.field_leave, name="meetings-field-leave"),
]
