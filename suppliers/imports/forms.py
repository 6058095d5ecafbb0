"""The upload form of the import page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ImportKind
from .service import validate_upload_size


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=ImportKind.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (UTF-8 or Shift_JIS) or Excel .xlsx, first sheet."),
        validators=[validate_upload_size],
    )
    dry_run = forms.BooleanField(
        label=_("Check only, save nothing"),
        required=False,
        help_text=_("Shows what the import would create and update, and every error."),
    )
