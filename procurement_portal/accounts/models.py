"""Users of the portal: e-mail login, one role each, supplier membership."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken

from procurement_portal.access import ScopedQuerySet
from procurement_portal.core import fields

from .roles import STAFF_ROLES, Role


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("role", Role.SUPPLIER)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.update(role=Role.ADMIN, is_superuser=True)
        return self._create(email, password, **extra)

    def get_by_natural_key(self, username: str) -> User:
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an e-mail address and acts in exactly one role."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = fields.CharField(_("full name"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.SUPPLIER)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=[("en", "English"), ("ja", "日本語")],
        default="en",
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=[r.value for r in Role]), name="user_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def is_staff(self) -> bool:  # Django admin access
        return self.is_active and self.role == Role.ADMIN

    @property
    def is_portal_staff(self) -> bool:
        """Company side (any role but supplier user)."""
        return self.role in STAFF_ROLES

    @property
    def is_supplier_user(self) -> bool:
        return self.role == Role.SUPPLIER

    def has_perm(self, perm: str, obj=None) -> bool:
        # The administrator role holds every Django permission; other roles act through
        # the portal's own pages, which go through procurement_portal.access.
        if self.is_active and self.role == Role.ADMIN:
            return True
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label: str) -> bool:
        if self.is_active and self.role == Role.ADMIN:
            return True
        return super().has_module_perms(app_label)

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.get_full_name()


class SupplierMembership(models.Model):
    """Ties a supplier user to the supplier company they act for."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    supplier = models.ForeignKey(
        "suppliers.Supplier", on_delete=models.CASCADE, related_name="memberships"
    )
    is_supplier_admin = models.BooleanField(
        _("supplier administrator"),
        default=False,
        help_text=_("May invite colleagues of the same supplier."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["supplier_id", "user_id"]
        verbose_name = _("supplier membership")
        verbose_name_plural = _("supplier memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "supplier"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.supplier}"


class InvitationQuerySet(ScopedQuerySet):
    def pending(self):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)


class Invitation(models.Model):
    """A one-time, expiring link that lets a supplier's contact set a password and join.

    Only a hash of the link's token is stored, so the table cannot be used to log in.
    """

    supplier_path = "supplier"

    supplier = models.ForeignKey(
        "suppliers.Supplier", on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mail address"))
    contact = models.ForeignKey(
        "suppliers.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_supplier_admin = models.BooleanField(_("supplier administrator"), default=False)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="invitations_sent"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    next_path = models.CharField(
        _("page after joining"),
        max_length=200,
        blank=True,
        default="",
        help_text=_("A page of the portal the person lands on after accepting."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        indexes = [models.Index(fields=["supplier", "email"], name="invitation_supplier_email")]

    def __str__(self) -> str:
        return f"{self.email} → {self.supplier_id}"

    @property
    def state(self) -> str:
        if self.revoked_at:
            return "withdrawn"
        if self.accepted_at:
            return "accepted"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"


class ApiToken(AbstractAuthToken):
    """An API token (django-rest-knox's model, swapped in by KNOX_TOKEN_MODEL): only a hash
    of the token is stored, each has its own expiry, and a user may hold several. The
    first characters (``token_key``) are kept to find it and to show which one it is."""

    id = models.BigAutoField(primary_key=True)
    digest = models.CharField(max_length=128, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=100, blank=True, default="")
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.token_key[:8]}… ({self.user_id})"

    @property
    def prefix(self) -> str:
        return self.token_key[:8]

    @property
    def is_expired(self) -> bool:
        return self.expiry is not None and self.expiry <= timezone.now()
