"""The declarations demo: versions published, signatures made in the portal and on paper,
some missing, one revoked; all through the services, so the chain is intact."""

import pytest
from django.urls import reverse

from declarations.demo import build_declaration_demo
from declarations.models import Channel, DeclarationVersion, Revocation, Signature
from declarations.services import verify_chain
from procurement_portal.accounts.models import User
from suppliers import demo

pytestmark = pytest.mark.django_db


def test_the_demo_shows_signed_missing_and_revoked_declarations(client):
    demo.build_demo(suppliers=120)

    made = build_declaration_demo()

    assert made.versions == 3
    assert made.portal_signatures == 1
    assert DeclarationVersion.objects.filter(status="retired").count() == 1
    assert Signature.objects.filter(channel=Channel.PORTAL).count() == 1
    assert Signature.objects.filter(channel=Channel.PAPER).count() == made.paper_signatures
    assert Revocation.objects.count() == made.revocations
    assert verify_chain().ok
    # The demo supplier user has signed one declaration and has one still to sign.
    user = User.objects.get(email="supplier@demo.example")
    client.force_login(user)
    home = client.get(reverse("declarations:home"))
    assert len(home.context["companies"][0]["signatures"]) == 1
    assert len(home.context["companies"][0]["to_sign"]) == 1
    # Running it again adds nothing.
    assert build_declaration_demo().versions == 0
    assert Signature.objects.count() == made.portal_signatures + made.paper_signatures
