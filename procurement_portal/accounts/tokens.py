"""API tokens: issue, list, revoke. The one place tokens end.

Tokens are django-rest-knox's (only a hash is stored; see README for why knox). Each gets
its own expiry when issued: ``API_TOKEN_TTL_STAFF`` for company staff, shorter than
``API_TOKEN_TTL_SUPPLIER`` for supplier users. Every token of a user is revoked here, by
``api_tokens_revoke_all``, whenever the password changes (change or reset), the account
is deactivated or the role changes: the signal handlers below call it on every save of a
user, whichever page, command or admin form made the change.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.http import Http404
from django.utils import timezone

from procurement_portal import access

from .models import ApiToken, User

logger = logging.getLogger(__name__)

# Fields of a user whose change ends every API token.
REVOKING_FIELDS = ("password", "is_active", "role")


def token_ttl_for(user: User):
    if access.sees_all_suppliers(user):
        return settings.API_TOKEN_TTL_STAFF
    return settings.API_TOKEN_TTL_SUPPLIER


@transaction.atomic
def api_token_issue(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new token for ``user`` (who has just proved who they are). Returns the row and
    the token itself, which is shown once and stored nowhere."""
    ApiToken.objects.filter(user=user, expiry__lte=timezone.now()).delete()
    token, raw = ApiToken.objects.create(user=user, expiry=token_ttl_for(user), name=name[:100])
    return token, raw


def api_tokens_of(*, user: User):
    """The user's own tokens that still work, newest first."""
    return ApiToken.objects.filter(user=user, expiry__gt=timezone.now()).order_by("-created")


@transaction.atomic
def api_token_revoke(*, actor: User, token_id: int) -> None:
    """A user revokes one of their own tokens; anybody else's is not found (404)."""
    deleted, _rows = ApiToken.objects.filter(user_id=actor.pk, pk=token_id).delete()
    if not deleted:
        raise Http404


def api_tokens_revoke_all(*, user: User, reason: str) -> int:
    """End every API token of ``user``. Returns how many there were."""
    deleted, _rows = ApiToken.objects.filter(user_id=user.pk).delete()
    if deleted:
        logger.info("revoked %s API token(s) of user %s: %s", deleted, user.pk, reason)
    return deleted


@receiver(pre_save, sender=User, dispatch_uid="accounts.tokens.note_revoking_change")
def _note_revoking_change(sender, instance: User, update_fields=None, **kwargs) -> None:
    instance._access_change = None
    if instance.pk is None:
        return
    if update_fields is not None and not set(update_fields) & set(REVOKING_FIELDS):
        return  # e.g. last_login at every log-in: nothing to compare
    before = User.objects.filter(pk=instance.pk).values(*REVOKING_FIELDS).first()
    if before is None:
        return
    if before["password"] != instance.password:
        instance._access_change = "password changed"
    elif before["is_active"] and not instance.is_active:
        instance._access_change = "deactivated"
    elif before["role"] != instance.role:
        instance._access_change = "role changed"


@receiver(post_save, sender=User, dispatch_uid="accounts.tokens.revoke_on_change")
def _revoke_on_change(sender, instance: User, created: bool, **kwargs) -> None:
    reason = getattr(instance, "_access_change", None)
    if reason:
        api_tokens_revoke_all(user=instance, reason=reason)
        instance._access_change = None
