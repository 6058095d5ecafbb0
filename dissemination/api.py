"""The dissemination API: the guideline library (documents, versions, coverage),
acknowledgements, and the partners meetings with attendance and awards.

Reads start from the models' ``visible_to`` (a supplier user sees the versions asked of
their company, the meetings it was invited to, its own acknowledgements, attendance and
awards; another supplier's are 404). Writes go through ``services``: staff author and
publish (``Action.MANAGE_SUPPLIERS``), supplier users acknowledge for their company.
Refusals come back through the portal's one exception handler: 400 naming the field,
403, 404, 409 for a step the object's state forbids.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from procurement_portal import access
from procurement_portal.access import Action
from procurement_portal.core.openapi import (
    VALIDATION_ERROR_SCHEMA,
    ConflictOutputSerializer,
    PortalSchema,
)
from procurement_portal.core.viewsets import ScopedGenericViewSet
from procurement_portal.fiscal import current_fiscal_year

from . import selectors, services
from .models import (
    Acknowledgement,
    Award,
    GuidelineDocument,
    GuidelineVersion,
    MeetingAttendance,
    PartnerMeeting,
)
from .serializers import (
    GuidelineAcknowledgementInputSerializer,
    GuidelineAcknowledgementOutputSerializer,
    GuidelineCoverageOutputSerializer,
    GuidelineDocumentInputSerializer,
    GuidelineDocumentOutputSerializer,
    GuidelineRemindOutputSerializer,
    GuidelineVersionInputSerializer,
    GuidelineVersionOutputSerializer,
    MeetingAttendanceInputSerializer,
    MeetingAttendanceOutputSerializer,
    MeetingAwardInputSerializer,
    MeetingAwardOutputSerializer,
    MeetingFiguresOutputSerializer,
    MeetingFiguresParamsSerializer,
    MeetingInviteInputSerializer,
    MeetingInviteOutputSerializer,
    PartnerMeetingInputSerializer,
    PartnerMeetingOutputSerializer,
)

# --- viewsets -----------------------------------------------------------------------------


class _DisseminationViewSet(ScopedGenericViewSet):
    schema = PortalSchema()
    filter_backends: list = []
    write_action = Action.MANAGE_SUPPLIERS

    def _body(self, serializer_class):
        body = serializer_class(data=self.request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        return body.validated_data


_CONFLICT = OpenApiResponse(ConflictOutputSerializer, description="Not in a state for this step.")


class GuidelineDocumentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, _DisseminationViewSet
):
    """The programme's documents: staff see all, supplier users those with a version asked
    of their company. Staff add documents."""

    model = GuidelineDocument
    serializer_class = GuidelineDocumentOutputSerializer

    def get_queryset(self):
        return GuidelineDocument.objects.visible_to(self.request.user).order_by("category", "code")

    @extend_schema(
        request=GuidelineDocumentInputSerializer, responses={201: GuidelineDocumentOutputSerializer}
    )
    def create(self, request):
        document = services.document_create(
            actor=request.user, **self._body(GuidelineDocumentInputSerializer)
        )
        return Response(
            GuidelineDocumentOutputSerializer(document).data, status=status.HTTP_201_CREATED
        )


class GuidelineVersionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, _DisseminationViewSet
):
    """Versions, newest first: staff see all (drafts too), supplier users those asked of
    their company. Staff create drafts, publish (which asks the audience by e-mail),
    retire and remind; staff and the CSCO read the coverage."""

    model = GuidelineVersion
    serializer_class = GuidelineVersionOutputSerializer

    def get_queryset(self):
        return (
            GuidelineVersion.objects.visible_to(self.request.user)
            .select_related("document")
            .prefetch_related("files")
            .order_by("-published_on", "-id")
        )

    @extend_schema(
        request=GuidelineVersionInputSerializer, responses={201: GuidelineVersionOutputSerializer}
    )
    def create(self, request):
        data = self._body(GuidelineVersionInputSerializer)
        document = data.pop("document")
        version = services.version_create(actor=request.user, document_id=document.pk, **data)
        return Response(self._out(version), status=status.HTTP_201_CREATED)

    def _out(self, version):
        return GuidelineVersionOutputSerializer(self.get_queryset().get(pk=version.pk)).data

    @extend_schema(request=None, responses={200: GuidelineVersionOutputSerializer, 409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Freeze the draft, ask its audience to acknowledge it (e-mail through the
        outbox) and retire the document's earlier published version."""
        version = self.get_object()
        return Response(
            self._out(services.version_publish(actor=request.user, version_id=version.pk))
        )

    @extend_schema(request=None, responses={200: GuidelineVersionOutputSerializer, 409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        version = self.get_object()
        return Response(
            self._out(services.version_retire(actor=request.user, version_id=version.pk))
        )

    @extend_schema(request=None, responses={200: GuidelineRemindOutputSerializer, 409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def remind(self, request, pk=None):
        """A new reminder round to the contacts of the suppliers that have not
        acknowledged (refused within 12 hours of the last one)."""
        version = self.get_object()
        queued = services.version_remind(actor=request.user, version_id=version.pk)
        return Response({"queued": queued})

    @extend_schema(responses={200: GuidelineCoverageOutputSerializer})
    @action(detail=True, methods=["get"])
    def coverage(self, request, pk=None):
        """Asked, acknowledged and missing suppliers (company staff)."""
        version = self.get_object()
        access.require_staff(request.user)
        cover = selectors.version_coverage(user=request.user, version=version)
        return Response(
            GuidelineCoverageOutputSerializer(
                {
                    "version": version.pk,
                    "asked": cover.asked,
                    "acknowledged": cover.acknowledged,
                    "missing_count": cover.missing_count,
                    "percent": cover.percent,
                    "missing": cover.missing,
                }
            ).data
        )


class AcknowledgementViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, _DisseminationViewSet
):
    """Acknowledgements: a supplier user's own company's (and they record new ones);
    staff read every one."""

    model = Acknowledgement
    serializer_class = GuidelineAcknowledgementOutputSerializer
    write_action = Action.ANSWER_ASSESSMENTS

    def get_queryset(self):
        return Acknowledgement.objects.visible_to(self.request.user).order_by(
            "-acknowledged_at", "-id"
        )

    @extend_schema(
        request=GuidelineAcknowledgementInputSerializer,
        responses={
            201: GuidelineAcknowledgementOutputSerializer,
            200: OpenApiResponse(
                GuidelineAcknowledgementOutputSerializer,
                description="Already acknowledged: unchanged.",
            ),
        },
    )
    def create(self, request):
        data = self._body(GuidelineAcknowledgementInputSerializer)
        supplier = data.get("supplier")
        ack, created = services.acknowledgement_create(
            user=request.user,
            version_id=data["version"].pk,
            supplier_id=supplier.pk if supplier else None,
        )
        return Response(
            GuidelineAcknowledgementOutputSerializer(ack).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class PartnerMeetingViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, _DisseminationViewSet
):
    """Partners meetings: staff see all and record them; supplier users see the ones
    their company was invited to."""

    model = PartnerMeeting
    serializer_class = PartnerMeetingOutputSerializer

    def get_queryset(self):
        return PartnerMeeting.objects.visible_to(self.request.user).order_by("-date", "-id")

    @extend_schema(
        request=PartnerMeetingInputSerializer, responses={201: PartnerMeetingOutputSerializer}
    )
    def create(self, request):
        meeting = services.meeting_create(
            actor=request.user, **self._body(PartnerMeetingInputSerializer)
        )
        return Response(
            PartnerMeetingOutputSerializer(meeting).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        request=MeetingInviteInputSerializer, responses={200: MeetingInviteOutputSerializer}
    )
    @action(detail=True, methods=["post"])
    def invite(self, request, pk=None):
        meeting = self.get_object()
        data = self._body(MeetingInviteInputSerializer)
        added = services.meeting_invite(
            actor=request.user,
            meeting_id=meeting.pk,
            supplier_codes=data.get("supplier_codes", []),
            strategic_partners=data["strategic_partners"],
        )
        return Response({"invited": added})

    @extend_schema(
        request=MeetingAttendanceInputSerializer, responses={200: MeetingAttendanceOutputSerializer}
    )
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        """Record how many of a supplier's managers came (0 to 200; null: not known)."""
        meeting = self.get_object()
        data = self._body(MeetingAttendanceInputSerializer)
        row = services.attendance_record(
            actor=request.user,
            meeting_id=meeting.pk,
            supplier_id=data["supplier"].pk,
            managers_attended=data["managers_attended"],
        )
        return Response(MeetingAttendanceOutputSerializer(row).data)

    @extend_schema(
        request=MeetingAwardInputSerializer, responses={201: MeetingAwardOutputSerializer}
    )
    @action(detail=True, methods=["post"])
    def awards(self, request, pk=None):
        meeting = self.get_object()
        award = services.award_create(
            actor=request.user, meeting_id=meeting.pk, **self._body(MeetingAwardInputSerializer)
        )
        return Response(MeetingAwardOutputSerializer(award).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[MeetingFiguresParamsSerializer],
        responses={
            200: MeetingFiguresOutputSerializer,
            400: OpenApiResponse(
                VALIDATION_ERROR_SCHEMA, description="A fiscal year out of range."
            ),
        },
    )
    @action(detail=False, methods=["get"])
    def figures(self, request):
        """ "N managers from M suppliers" for a fiscal year, from the attendance records
        the user sees."""
        params = MeetingFiguresParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        year = params.validated_data.get("fiscal_year") or current_fiscal_year().year
        figures = selectors.meeting_figures(year, user=request.user)
        return Response({"fiscal_year": year, **figures})


class MeetingAttendanceViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, _DisseminationViewSet
):
    """Attendance rows: a supplier user's own company's invitations; staff read all."""

    model = MeetingAttendance
    serializer_class = MeetingAttendanceOutputSerializer

    def get_queryset(self):
        return MeetingAttendance.objects.visible_to(self.request.user).order_by(
            "-meeting__date", "id"
        )


class AwardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _DisseminationViewSet):
    """Awards: a supplier user's own company's; staff read all."""

    model = Award
    serializer_class = MeetingAwardOutputSerializer

    def get_queryset(self):
        return Award.objects.visible_to(self.request.user).order_by("-meeting__date", "id")
