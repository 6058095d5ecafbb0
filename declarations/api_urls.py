"""API routes of the declarations app, included under /api/v1/."""

from procurement_portal.core.routers import Router

from . import api

router = Router()
router.register("declaration-kinds", api.DeclarationKindViewSet, basename="declaration-kind")
router.register(
    "declaration-versions", api.DeclarationVersionViewSet, basename="declaration-version"
)
router.register("declaration-signatures", api.SignatureViewSet, basename="declaration-signature")
urlpatterns = router.urls
