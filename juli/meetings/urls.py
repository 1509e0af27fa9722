"""The app's pages, mounted at the site's root by `juli.core.urlmount`: one module per part
(planning, sign-in and the phone pages, minutes and make-ups, compliance, calendar feeds)."""

from . import urls_compliance, urls_feed, urls_minutes, urls_plan, urls_publicity, urls_signin

urlpatterns = [
    *urls_plan.urlpatterns,
    *urls_signin.urlpatterns,
    *urls_minutes.urlpatterns,
    *urls_compliance.urlpatterns,
    *urls_feed.urlpatterns,
    *urls_publicity.urlpatterns,
]
