"""The upload form of the import page."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from procurement_portal.core import forms as portal_forms
from procurement_portal.uploads import validate_upload

from .models import ImportKind


class ImportUploadForm(portal_forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=ImportKind.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (UTF-8 or Shift_JIS) or Excel .xlsx, first sheet."),
    )
    dry_run = forms.BooleanField(
        label=_("Check only, save nothing"),
        required=False,
        help_text=_("Shows what the import would create and update, and every error."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # The portal's one upload check: size, type by content, bounded xlsx (zip) members.
        validate_upload(upload, allowed={"csv", "xlsx"}, max_bytes=settings.IMPORT_MAX_UPLOAD_BYTES)
        return upload
