"""The registry's routes under /api/v1/ (included by procurement_portal.api_urls)."""

from procurement_portal.core.routers import Router

from .api import views

router = Router()
router.register("suppliers", views.SupplierViewSet, basename="supplier")
router.register("sites", views.SiteViewSet, basename="site")
router.register("contacts", views.ContactViewSet, basename="contact")
router.register("spend", views.SpendViewSet, basename="spend")
router.register("critical-designations", views.DesignationViewSet, basename="designation")
router.register("cdp-participations", views.CdpParticipationViewSet, basename="cdp-participation")
router.register("currency-rates", views.CurrencyRateViewSet, basename="currency-rate")
router.register("priority-risks", views.PriorityRiskViewSet, basename="priority-risk")
router.register("categories", views.CategoryViewSet, basename="category")
urlpatterns = router.urls
