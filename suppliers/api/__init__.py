"""The supplier registry's REST API (/api/v1/): serializers, filters and viewsets."""
