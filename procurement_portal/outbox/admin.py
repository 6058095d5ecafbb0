from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .models import MessageStatus, OutboxMessage
from .services import email_resend


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "to", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "language"]
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
