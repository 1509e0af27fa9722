"""/api/v1/ routes of the inspection loop: points, categories, inspections, cases."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("points", api.PointViewSet, basename="api-point")
router.register("point-categories", api.PointCategoryViewSet, basename="api-point-category")
router.register("case-categories", api.CaseCategoryViewSet, basename="api-case-category")
router.register("inspections", api.InspectionViewSet, basename="api-inspection")
router.register("cases", api.CaseViewSet, basename="api-case")

urlpatterns = router.urls
