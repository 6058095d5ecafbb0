"""OpenAPI descriptions of the portal's own authentication classes."""

from drf_spectacular.authentication import SessionScheme, TokenScheme
from drf_spectacular.plumbing import build_bearer_security_scheme_object


class AuditedSessionScheme(SessionScheme):
    target_class = "procurement_portal.core.api.AuditedSessionAuthentication"


class AuditedTokenScheme(TokenScheme):
    """The same API token, sent as ``Authorization: Token <token>`` or as a standard
    bearer token (``Authorization: Bearer <token>``, which generated clients send): two
    schemes, either of which will do."""

    target_class = "procurement_portal.core.api.AuditedTokenAuthentication"
    name = ["tokenAuth", "bearerAuth"]

    def get_security_requirement(self, auto_schema):
        return [{name: []} for name in self.name]

    def get_security_definition(self, auto_schema):
        return [
            build_bearer_security_scheme_object(
                header_name="Authorization", token_prefix=self.target.keyword
            ),
            {"type": "http", "scheme": "bearer"},
        ]
