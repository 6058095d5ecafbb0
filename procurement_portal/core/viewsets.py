"""DRF's viewsets with the access policy applied (``core.api.ScopedAPIMixin``). Every
API viewset of the portal derives from one of these; ``tests/test_route_scoping.py``
checks that a viewset written without any scoping code is still scoped."""

from __future__ import annotations

from rest_framework import viewsets

from .api import ScopedAPIMixin


class ScopedGenericViewSet(ScopedAPIMixin, viewsets.GenericViewSet):
    """A GenericViewSet under the access policy: add the mixins you need."""


class ScopedReadOnlyModelViewSet(ScopedAPIMixin, viewsets.ReadOnlyModelViewSet):
    """List and retrieve under the access policy."""


class ScopedModelViewSet(ScopedAPIMixin, viewsets.ModelViewSet):
    """Every action under the access policy (writes ask ``write_action`` and the object's
    rule)."""
