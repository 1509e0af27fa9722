"""The app's pages, mounted at the site's root by `juli.core.urlmount`: one module per part
(standards, the branch's self-assessment, review and public notice, results)."""

from . import urls_results, urls_review, urls_self, urls_standards

urlpatterns = [
    *urls_standards.urlpatterns,
    *urls_self.urlpatterns,
    *urls_review.urlpatterns,
    *urls_results.urlpatterns,
]
