"""Photos taken on site: checked, re-encoded, stripped of metadata, stored privately.

A phone's photo carries EXIF metadata: the camera, the time and often the GPS position of
the supplier's site (and so of the inspector). The portal needs none of it, and keeping
less personal data is the rule (DOMAIN.md), so every photo is decoded and encoded again
from its pixels only: the orientation is applied first (so the picture still stands the
right way up once the tag that said how is gone), and nothing else survives. Re-encoding
also means the stored file is one Pillow wrote, not the bytes that were sent.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from procurement_portal.core.text import clean_text
from procurement_portal.uploads import (
    KIND_CONTENT_TYPES,
    display_name,
    private_storage,
    safe_storage_name,
    validate_upload,
)

from .models import VisitAnswer, VisitPhoto
from .services import _locked_visit, _require_editable

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from procurement_portal.accounts.models import User

PHOTO_KINDS = ("jpeg", "png")
PHOTO_MAX_BYTES = 15 * 1024 * 1024
# Decoding a tiny file that claims a huge canvas is how images exhaust memory; a phone
# photo is about 12-50 megapixels.
PHOTO_MAX_PIXELS = 60_000_000
# Stored photos are made smaller than a phone's full resolution: enough to read a label.
STORED_MAX_SIDE = 2560
PHOTO_FOLDER = "visit-photos"


def reencode(uploaded) -> tuple[bytes, int, int]:
    """The photo as a fresh JPEG of its pixels only (oriented, no metadata), with its
    width and height; ValidationError under ``file`` when it cannot be decoded."""
    uploaded.seek(0)
    try:
        with Image.open(uploaded) as image:
            if image.width * image.height > PHOTO_MAX_PIXELS:
                raise ValidationError(
                    {"file": _("This image is too large (at most %(n)s megapixels).")
                     % {"n": PHOTO_MAX_PIXELS // 1_000_000}}
                )  # fmt: skip
            image.load()
            oriented = ImageOps.exif_transpose(image)
            pixels = oriented.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise ValidationError({"file": _("This file is not an image that can be read.")}) from None
    pixels.thumbnail((STORED_MAX_SIDE, STORED_MAX_SIDE))
    # A new image from the pixels alone: no info dictionary, no EXIF, no ICC, no XMP.
    clean = Image.new("RGB", pixels.size)
    clean.paste(pixels)
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue(), clean.width, clean.height


@transaction.atomic
def photo_add(
    *,
    actor: User,
    visit_id: int,
    file: UploadedFile,
    item_code: str | None = None,
    caption: str = "",
) -> VisitPhoto:
    """Add a photo to a draft visit (of one checklist item when ``item_code`` is given).
    Not an image (by its bytes, through the one upload check) or unreadable: refused
    under ``file``, nothing stored."""
    visit = _locked_visit(actor=actor, visit_id=visit_id)
    _require_editable(visit)
    caption = clean_text(caption, field="caption", max_length=200, multiline=False)
    answer = None
    if item_code:
        answer = VisitAnswer.objects.filter(visit=visit, item__code=item_code).first()
        if answer is None:
            raise ValidationError({"item": _("This checklist has no such item.")})
    if not file:
        raise ValidationError({"file": _("Choose a photo.")})
    try:
        validate_upload(file, allowed=PHOTO_KINDS, max_bytes=PHOTO_MAX_BYTES)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    data, width, height = reencode(file)
    name = private_storage.save(f"{PHOTO_FOLDER}/{safe_storage_name('jpeg')}", ContentFile(data))
    try:
        return VisitPhoto.objects.create(
            visit=visit,
            answer=answer,
            file=name,
            original_name=display_name(file.name),
            content_type=KIND_CONTENT_TYPES["jpeg"],
            size=len(data),
            width=width,
            height=height,
            caption=caption,
            uploaded_by=actor,
        )
    except Exception:
        private_storage.delete(name)
        raise
