"""The other supplier's share of declarations for the route walk
(tests/test_route_scoping.py): a draft version (drafts are company-side), the other
supplier's signature of a published version and its revocation, at OTHER_ID. Kinds are
shared reference data every user reads, so none is made at OTHER_ID."""

from __future__ import annotations


def build(*, other, buyer) -> None:
    import datetime as dt

    from django.utils import timezone

    from declarations import services
    from declarations.models import (
        Channel,
        DeclarationKind,
        DeclarationVersion,
        Revocation,
        Signature,
    )
    from tests.test_route_scoping import OTHER_ID

    kind = DeclarationKind.objects.get(code="env-safety-health")
    common = {"effective_date": dt.date(2026, 4, 1), "audience": "all_active"}
    # The draft is company-side work no supplier user may read.
    DeclarationVersion.objects.create(
        pk=OTHER_ID,
        kind=kind,
        number=99,
        title_en="Draft",
        title_ja="下書き",
        text_en="hidden-site-name draft",
        text_ja="hidden-site-name draft",
        **common,
    )
    published = DeclarationVersion.objects.create(
        kind=kind,
        number=1,
        title_en="Declaration",
        title_ja="宣言",
        text_en="We declare.",
        text_ja="宣言します。",
        status="published",
        published_at=timezone.now(),
        **common,
    )
    sequence, previous = services._lock_chain()
    fields = {
        "channel": Channel.PORTAL,
        "signed_at": timezone.now(),
        "signer_name": "hidden-site-name signer",
        "signer_title": "Director",
        "language": "en",
    }
    canonical = services.canonical_json(
        services.signature_payload(
            sequence=sequence,
            previous_hash=previous,
            version=published,
            supplier_code=other.code,
            **fields,
        )
    )
    signature = Signature.objects.create(
        pk=OTHER_ID,
        supplier=other,
        version=published,
        canonical=canonical,
        content_hash=services.sha256_hex(canonical),
        previous_hash=previous,
        sequence=sequence,
        ip_address="192.0.2.1",
        **fields,
    )
    Revocation.objects.create(
        pk=OTHER_ID, signature=signature, reason="hidden-site-name reason", revoked_by=buyer
    )


def snapshot() -> tuple:
    from declarations.models import DeclarationVersion, Revocation, Signature

    return (
        list(DeclarationVersion.objects.values("pk", "status", "text_en", "published_at")),
        list(Signature.objects.values("pk", "content_hash", "sequence", "signer_name")),
        list(Revocation.objects.values("pk", "signature_id", "reason", "effective_date")),
    )
