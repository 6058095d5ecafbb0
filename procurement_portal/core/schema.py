"""OpenAPI descriptions of the portal's own authentication classes."""

from drf_spectacular.authentication import SessionScheme, TokenScheme


class AuditedSessionScheme(SessionScheme):
    target_class = "procurement_portal.core.api.AuditedSessionAuthentication"


class AuditedTokenScheme(TokenScheme):
    target_class = "procurement_portal.core.api.AuditedTokenAuthentication"
