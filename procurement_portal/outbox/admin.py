from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .models import MessageStatus, OutboxMessage
from .services import email_resend


class UnconfirmedFilter(admin.SimpleListFilter):
    """Messages sent again after an unconfirmed attempt: the recipient may have two copies."""

    title = _("sent again after an unconfirmed attempt")
    parameter_name = "unconfirmed"

    def lookups(self, request, model_admin):
        count = OutboxMessage.objects.filter(unconfirmed_attempts__gt=0).count()
        return [("yes", _("Yes (%(n)s)") % {"n": count}), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(unconfirmed_attempts__gt=0)
        if self.value() == "no":
            return queryset.filter(unconfirmed_attempts=0)
        return queryset


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = [
        "created_at", "to", "subject", "status", "attempts", "unconfirmed_attempts", "sent_at"
    ]  # fmt: skip
    list_filter = ["status", UnconfirmedFilter, "language"]
    search_fields = ["to", "key", "subject"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = ["resend"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Send the failed messages again"))
    def resend(self, request, queryset):
        count = 0
        for pk in queryset.filter(status=MessageStatus.FAILED).values_list("pk", flat=True):
            email_resend(message_id=pk)
            count += 1
        self.message_user(
            request, _("%(n)s message(s) queued again.") % {"n": count}, messages.SUCCESS
        )
