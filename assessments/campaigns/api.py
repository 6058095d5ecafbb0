"""The campaigns API: list and read campaigns with their progress (company staff), and
launch a draft (staff who assign self-assessments).

Thin, like the pages: reads come from the campaign selectors (the list, the exact
target count, the progress counts the progress page shows), the launch goes to
``services.campaign_launch``, which checks the draft once more and decides between
launching now and scheduling. Its refusals go through the portal's exception handler:
a draft that no longer passes its checks is a 400 naming the field, a campaign already
launched a 409.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from assessments.models import Campaign, CampaignStatus, TargetRule
from procurement_portal import access
from procurement_portal.access import Action
from procurement_portal.core import serializers as portal
from procurement_portal.core.openapi import ConflictOutputSerializer, PortalSchema
from procurement_portal.core.viewsets import ScopedGenericViewSet
from procurement_portal.fiscal import FiscalYear
from suppliers.regions import Region

from . import selectors, services


class CampaignOutputSerializer(portal.ModelSerializer):
    questionnaire_code = serializers.CharField(source="version.questionnaire.code", read_only=True)
    version_number = serializers.IntegerField(source="version.number", read_only=True)
    fiscal_year_label = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=CampaignStatus.choices, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    target_rule = serializers.ChoiceField(choices=TargetRule.choices, read_only=True)
    regions = serializers.ListField(child=serializers.CharField(), read_only=True)
    countries = serializers.ListField(child=serializers.CharField(), read_only=True)
    reminder_days_before = serializers.ListField(child=serializers.IntegerField(), read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "version",
            "questionnaire_code",
            "version_number",
            "fiscal_year",
            "fiscal_year_label",
            "opens_on",
            "due_date",
            "status",
            "status_label",
            "target_rule",
            "critical_only",
            "confidential_only",
            "regions",
            "countries",
            "reminder_days_before",
            "overdue_every_days",
            "reminder_max",
            "launched_at",
            "completed_at",
            "target_count",
            "skipped_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_fiscal_year_label(self, obj: Campaign) -> str:
        return str(FiscalYear(obj.fiscal_year))


class CampaignRegionProgressOutputSerializer(portal.Serializer):
    region = serializers.ChoiceField(choices=Region.choices, allow_blank=True)
    label = serializers.CharField()
    suppliers = serializers.IntegerField()
    submitted = serializers.IntegerField()
    response_rate = serializers.FloatField()


class CampaignProgressOutputSerializer(portal.Serializer):
    """The progress page's counts. Before launch only the target is known: every
    supplier of it counts as not invited yet."""

    suppliers = serializers.IntegerField(
        help_text=_("Suppliers asked: the fixed list after launch, the target before.")
    )
    skipped = serializers.IntegerField(
        help_text=_("Suppliers of the target that had already submitted: not asked again.")
    )
    invited = serializers.IntegerField(help_text=_("Invitations put into the outbox."))
    delivered = serializers.IntegerField(help_text=_("Invitations the mail server accepted."))
    failed = serializers.IntegerField(help_text=_("Invitations that could not be delivered."))
    queued = serializers.IntegerField(help_text=_("Invitations waiting to be sent."))
    sent_again_after_unconfirmed = serializers.IntegerField(
        source="unconfirmed",
        help_text=_(
            "Invitations sent again after an unconfirmed attempt (the contact may have two "
            "copies with the same Message-ID)."
        ),
    )
    without_contact = serializers.IntegerField(
        help_text=_("Suppliers invited that have no contact to write to.")
    )
    not_invited = serializers.IntegerField(help_text=_("Suppliers the launch has not reached yet."))
    not_started = serializers.IntegerField(help_text=_("Assessments not opened yet."))
    opened = serializers.IntegerField(
        source="started",
        help_text=_("Assessments opened and being answered (returned ones included)."),
    )
    returned = serializers.IntegerField(help_text=_("Of those opened: returned for clarification."))
    submitted = serializers.IntegerField(help_text=_("Assessments submitted, waiting for review."))
    accepted = serializers.IntegerField(help_text=_("Assessments accepted."))
    overdue = serializers.IntegerField(help_text=_("Not submitted and past the due date."))
    response_rate = serializers.FloatField(
        help_text=_("Percent of the suppliers asked that submitted (or were accepted).")
    )
    by_region = CampaignRegionProgressOutputSerializer(many=True)


class CampaignDetailOutputSerializer(CampaignOutputSerializer):
    """One campaign with its exact target count and its progress counts."""

    targets = serializers.SerializerMethodField(
        help_text=_(
            "Suppliers the campaign asks: before launch, those the target names today "
            "(less those already submitted); after, its fixed list."
        )
    )
    progress = serializers.SerializerMethodField()

    class Meta(CampaignOutputSerializer.Meta):
        fields = [*CampaignOutputSerializer.Meta.fields, "targets", "progress"]
        read_only_fields = fields

    def get_targets(self, obj: Campaign) -> int:
        return self.context["targets"].count

    @extend_schema_field(CampaignProgressOutputSerializer)
    def get_progress(self, obj: Campaign) -> dict:
        progress = self.context["progress"]
        if obj.targets_frozen_at is None:
            # Not launched: nobody is invited yet, the whole target waits.
            progress.suppliers = progress.not_invited = self.context["targets"].count
            progress.skipped = self.context["targets"].finished_count
        return CampaignProgressOutputSerializer(progress).data


class CampaignViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedGenericViewSet):
    """Survey campaigns (company staff read them; staff who assign self-assessments
    launch them). Supplier users have no campaigns: the list refuses them (403) and an
    id is answered as one that does not exist (404), as for any record they cannot see.
    """

    model = Campaign
    schema = PortalSchema()
    filter_backends: list = []
    write_action = Action.ASSIGN_ASSESSMENTS
    staff_only_message = _("Campaigns are for company staff.")

    def initial(self, request, *args, **kwargs):
        try:
            super().initial(request, *args, **kwargs)
        except exceptions.PermissionDenied:
            # A campaign is company-side: for a supplier user an id names nothing they
            # may know of, so scope first (404), as the route walk asks of every id.
            if self.detail and access.is_supplier_user(request.user):
                raise exceptions.NotFound from None
            raise

    def get_serializer_class(self):
        if self.action == "list":
            return CampaignOutputSerializer
        return CampaignDetailOutputSerializer

    def get_queryset(self):
        return selectors.campaign_list(user=self.request.user)

    def _detail(self, campaign: Campaign) -> dict:
        fresh = self.get_queryset().get(pk=campaign.pk)
        context = {
            **self.get_serializer_context(),
            "targets": selectors.campaign_targets(fresh, preview_size=0),
            "progress": selectors.campaign_progress(fresh),
        }
        return CampaignDetailOutputSerializer(fresh, context=context).data

    def retrieve(self, request, *args, **kwargs):
        """A campaign with its exact target count and its progress: invitations
        (delivered, failed, sent again after an unconfirmed attempt), and each supplier
        counted once as not invited, not started, opened, submitted or accepted."""
        return Response(self._detail(self.get_object()))

    @extend_schema(
        request=None,
        responses={
            200: OpenApiResponse(
                CampaignDetailOutputSerializer,
                _(
                    "Launched (status launching: the workers are inviting the suppliers) or, "
                    "when the open date is ahead, scheduled."
                ),
            ),
            409: OpenApiResponse(ConflictOutputSerializer, _("Already launched.")),
        },
    )
    @action(detail=True, methods=["post"])
    def launch(self, request, pk=None, format=None):
        """Launch a draft: checked again as a whole (400 names what no longer holds, e.g.
        a retired questionnaire version or an empty target), then handed to the workers;
        a campaign whose open date is ahead is scheduled and opens by itself."""
        campaign = self.get_object()
        services.campaign_launch(actor=request.user, campaign_id=campaign.pk)
        return Response(self._detail(campaign))
