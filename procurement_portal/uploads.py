"""Files people upload and download: the one place that decides what is safe.

* ``validate_upload`` decides what a file *is* from its bytes (never its name), refuses
  what is too big, empty, of a kind not allowed for the caller, or an archive, bounds
  the zip containers that office files are (per member and as a whole), and makes a
  PDF prove it is one by parsing it (a ``%PDF-`` header alone is not enough).
* ``safe_storage_name`` gives the name a file is stored under: random, with an
  extension chosen from the detected kind. ``display_name`` cleans the name the user
  gave, which is kept only to be shown (and offered back as the download name).
* ``private_storage`` keeps uploads under ``MEDIA_ROOT/private``: no URL, not below the
  static root, never served by the web server.
* ``serve_private_file`` answers a download as an attachment that browsers will
  neither sniff nor run.
"""

from __future__ import annotations

import contextlib
import io
import posixpath
import re
import unicodedata
import uuid
import zipfile
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote

import filetype
from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.storage import FileSystemStorage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from pypdf import PdfReader

# What each kind is stored as and served as. Only these extensions ever reach the disk.
KIND_EXTENSIONS: dict[str, str] = {
    "csv": "csv",
    "txt": "txt",
    "pdf": "pdf",
    "png": "png",
    "jpeg": "jpg",
    "xlsx": "xlsx",
    "docx": "docx",
}
KIND_CONTENT_TYPES: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
KIND_LABELS = {
    "csv": _("CSV file"),
    "txt": _("text file"),
    "pdf": _("PDF document"),
    "png": _("PNG image"),
    "jpeg": _("JPEG image"),
    "xlsx": _("Excel workbook (.xlsx)"),
    "docx": _("Word document (.docx)"),
}
TEXT_KINDS = ("csv", "txt")
# The extension a name claims, mapped to the kind it claims; used only to refuse a
# file whose content is something else (a mismatch is a mistake or a disguise).
_CLAIMED_KINDS = {**{ext: kind for kind, ext in KIND_EXTENSIONS.items()}, "jpeg": "jpeg"}

# filetype's names for formats that are archives or compressed streams: always refused.
ARCHIVE_TYPES = frozenset(
    {"zip", "tar", "rar", "gz", "bz2", "7z", "xz", "cab", "ar", "Z", "lzo", "lz", "lz4",
     "zst", "br", "deb", "rpm", "crx", "epub"}
)  # fmt: skip
_ARCHIVE_SUFFIXES = (
    ".zip", ".7z", ".rar", ".gz", ".tgz", ".tar", ".bz2", ".xz", ".cab", ".jar", ".zst",
    ".lz", ".lzh", ".xlsx", ".xlsm", ".docx", ".docm", ".pptx", ".odt", ".ods",
)  # fmt: skip
_ARCHIVE_MAGIC = (b"PK\x03\x04", b"7z\xbc\xaf\x27\x1c", b"Rar!\x1a\x07", b"\x1f\x8b", b"BZh")

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
# Bounds for the zip containers office files are. A real workbook has tens of members
# and compresses XML about 5-20 times; a zip bomb compresses hundreds of times or more.
ZIP_MAX_MEMBERS = 2_000
ZIP_MAX_TOTAL_BYTES = 512 * 1024 * 1024
ZIP_MAX_RATIO = 100
_RATIO_FLOOR_BYTES = 1024 * 1024  # tiny members may compress oddly well; judge big ones
# The whole container is judged too: many members each under the floor (200 members of
# 900 KB of zeros: 180 MB from 204 KB) must not pass because each one is small. The
# ratio is against the file's real size, not the declared compressed sizes, which a
# crafted zip can inflate (overlapping members).
ZIP_MAX_TOTAL_RATIO = 100
_TOTAL_RATIO_FLOOR_BYTES = 10 * 1024 * 1024  # below this, inflating costs nothing

# Main-part content types in [Content_Types].xml. Macro-enabled variants carry other
# types and so are not recognised (refused as "not allowed").
_OFFICE_MAIN_TYPES = {
    "xlsx": (b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
    "docx": (b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
}
_OFFICE_MAIN_PARTS = {"xlsx": "xl/workbook.xml", "docx": "word/document.xml"}
_CONTENT_TYPES_MAX_BYTES = 1024 * 1024
_SNIFF_BYTES = 8192
_DISPLAY_NAME_MAX = 120


class _Refused(Exception):
    """Internal: why a file was refused (a message and a code), turned into ValidationError."""

    def __init__(self, message, code: str, **params):
        super().__init__(code)
        self.message, self.code, self.params = message, code, params


def display_name(original_name: str | None) -> str:
    """The user's file name, fit to be shown: last path part only, no control or bidi
    characters (a right-to-left override, U+202E, before ``fdp.exe`` makes ``evil`` +
    U+202E + ``fdp.exe`` look like ``evilexe.pdf``), single
    spaces, at most 120 characters. HTML-escaping is left to the template, as always."""
    name = re.split(r"[\\/]", unicodedata.normalize("NFC", str(original_name or "")))[-1]
    return _clean_text(name).strip(" .") or str(_("unnamed file"))


def _clean_text(text: str) -> str:
    """Control, format (bidi) and unassigned characters dropped, any space made one space,
    cut to 120 characters keeping a short extension."""
    text = "".join(
        " " if ch.isspace() else ch
        for ch in text
        if ch.isspace() or unicodedata.category(ch)[0] != "C"
    )
    text = " ".join(text.split())
    if len(text) > _DISPLAY_NAME_MAX:
        stem, dot, ext = text.rpartition(".")
        if dot and len(ext) <= 10:
            text = stem[: _DISPLAY_NAME_MAX - len(ext) - 2] + "…." + ext
        else:
            text = text[: _DISPLAY_NAME_MAX - 1] + "…"
    return text


def safe_storage_name(kind: str) -> str:
    """A name to store a file of ``kind`` under: random, with the kind's own extension.

    The user's name plays no part (see ``display_name`` for showing it), so a name can
    neither traverse directories nor collide nor leak into the file system.
    """
    return f"{uuid.uuid4().hex}.{KIND_EXTENSIONS[kind]}"


def validate_upload(uploaded_file, *, allowed: Iterable[str], max_bytes: int | None = None) -> str:
    """Return the kind of ``uploaded_file`` (a key of ``KIND_EXTENSIONS``) or raise.

    The kind comes from the content: magic bytes for binary formats, the members of the
    zip container for xlsx/docx, and "decodes as UTF-8 or CP932 with no NUL byte" for
    csv/txt (which of the two is taken from the name, as both are inert text).
    Raises ``ValidationError`` (code ``empty``, ``too_large``, ``archive``,
    ``not_allowed``, ``mismatch``, ``zip_*``) whose message names the file.
    ``max_bytes`` defaults to ``settings.UPLOAD_MAX_BYTES`` (20 MB).
    """
    allowed = frozenset(allowed)
    unknown = allowed - KIND_EXTENSIONS.keys()
    if unknown:
        raise ValueError(f"unknown upload kinds: {sorted(unknown)}")
    if max_bytes is None:
        max_bytes = getattr(settings, "UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES)
    name = display_name(getattr(uploaded_file, "name", ""))
    try:
        kind = _detect(uploaded_file, name=name, allowed=allowed, max_bytes=max_bytes)
    except _Refused as refused:
        raise ValidationError(
            refused.message, code=refused.code, params={"name": name, **refused.params}
        ) from None
    finally:
        _rewind(uploaded_file)
    return kind


def _detect(fileobj, *, name: str, allowed: frozenset[str], max_bytes: int) -> str:
    size = _size_of(fileobj)
    if size == 0:
        raise _Refused(_("“%(name)s” is empty."), "empty")
    if size > max_bytes:
        raise _Refused(
            _("“%(name)s” is too large (%(size)s); the limit is %(limit)s."),
            "too_large",
            size=_megabytes(size),
            limit=_megabytes(max_bytes),
        )
    _rewind(fileobj)
    head = fileobj.read(_SNIFF_BYTES)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        _rewind(fileobj)
        kind = _office_kind(fileobj) or "other"
    else:
        guessed = filetype.guess(head)
        if guessed is None:
            _rewind(fileobj)
            kind = _text_kind(fileobj.read(), name=name, allowed=allowed)
        elif guessed.extension in ARCHIVE_TYPES:
            raise _Refused(
                _("“%(name)s” is an archive (%(type)s); archives are not accepted."),
                "archive",
                type=guessed.extension,
            )
        else:
            kind = {"jpg": "jpeg"}.get(guessed.extension, guessed.extension)
    if kind not in allowed:
        raise _Refused(
            _("“%(name)s” is a file of a type not accepted here; accepted: %(allowed)s."),
            "not_allowed",
            allowed=", ".join(str(KIND_LABELS[k]) for k in sorted(allowed)),
        )
    claimed = _CLAIMED_KINDS.get(name.rpartition(".")[2].lower()) if "." in name else None
    if claimed and claimed != kind and not {claimed, kind} <= set(TEXT_KINDS):
        raise _Refused(
            _("The content of “%(name)s” (%(kind)s) does not match its name."),
            "mismatch",
            kind=KIND_LABELS[kind],
        )
    if kind == "pdf":
        _rewind(fileobj)
        _check_pdf(fileobj)
    return kind


def _text_kind(data: bytes, *, name: str, allowed: frozenset[str]) -> str:
    if b"\x00" in data or not _decodes_as_text(data):
        raise _Refused(
            _("“%(name)s” is a file of a type not accepted here; accepted: %(allowed)s."),
            "not_allowed",
            allowed=", ".join(str(KIND_LABELS[k]) for k in sorted(allowed)),
        )
    claimed = name.rpartition(".")[2].lower() if "." in name else ""
    candidates = [k for k in TEXT_KINDS if k in allowed]
    if claimed in candidates:
        return claimed
    return candidates[0] if candidates else "txt"


def _decodes_as_text(data: bytes) -> bool:
    for encoding in ("utf-8-sig", "cp932"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return True
    return False


def _office_kind(fileobj) -> str | None:
    """xlsx or docx, judged by the container's members; None for another office format
    (macro-enabled, presentation...); any other zip is refused as an archive."""
    try:
        archive = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _Refused(_("“%(name)s” is a damaged or unreadable file."), "damaged") from None
    with archive:
        members = archive.infolist()
        _check_zip_bounds(archive, members, file_size=_size_of(fileobj))
        names = {m.filename for m in members}
        if "[Content_Types].xml" not in names:
            raise _Refused(
                _("“%(name)s” is an archive (%(type)s); archives are not accepted."),
                "archive",
                type="zip",
            )
        content_types = _read_content_types(archive)
        for kind, main_type in _OFFICE_MAIN_TYPES.items():
            if main_type in content_types and _OFFICE_MAIN_PARTS[kind] in names:
                return kind
    return None


def _check_zip_bounds(
    archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], *, file_size: int
) -> None:
    # Declared sizes are what Python's zipfile (and openpyxl on top of it) will ever
    # inflate: a member that inflates past its declared size fails its read, so checking
    # the declared sizes bounds the real work.
    if len(members) > ZIP_MAX_MEMBERS:
        raise _Refused(
            _("“%(name)s” contains too many parts (%(count)s; at most %(limit)s)."),
            "zip_members",
            count=len(members),
            limit=ZIP_MAX_MEMBERS,
        )
    total = sum(m.file_size for m in members)
    if total > ZIP_MAX_TOTAL_BYTES:
        raise _Refused(
            _("“%(name)s” unpacks to %(size)s; at most %(limit)s is accepted."),
            "zip_too_large",
            size=_megabytes(total),
            limit=_megabytes(ZIP_MAX_TOTAL_BYTES),
        )
    if total > _TOTAL_RATIO_FLOOR_BYTES and total > ZIP_MAX_TOTAL_RATIO * max(file_size, 1):
        raise _Refused(
            _(
                "“%(name)s” unpacks to %(size)s from %(packed)s, far more than any real "
                "document (a “zip bomb”); not accepted."
            ),
            "zip_ratio",
            size=_megabytes(total),
            packed=_megabytes(file_size),
        )
    for member in members:
        if member.flag_bits & 0x1:
            raise _Refused(
                _("“%(name)s” is encrypted or password-protected; upload it unprotected."),
                "zip_encrypted",
            )
        if not _safe_member_path(member.filename):
            raise _Refused(
                _("“%(name)s” contains a part with an unsafe path (%(member)s)."),
                "zip_path",
                member=_clean_text(member.filename),
            )
        if member.file_size > _RATIO_FLOOR_BYTES and (
            member.file_size > ZIP_MAX_RATIO * max(member.compress_size, 1)
        ):
            raise _Refused(
                _("“%(name)s” is compressed suspiciously well (a “zip bomb”); not accepted."),
                "zip_ratio",
            )
        if _is_nested_archive(archive, member):
            raise _Refused(
                _("“%(name)s” contains another archive (%(member)s); not accepted."),
                "zip_nested",
                member=_clean_text(member.filename),
            )


def _check_pdf(fileobj) -> None:
    """Refuse a file that says ``%PDF-`` but is not a readable PDF (HTML after the header,
    say): pypdf must find the trailer, the document catalogue and at least one page.

    Lenient (``strict=False``) so the small defects real producers leave (a missing EOF
    marker, a wrong xref offset) still pass; any exception at all is a refusal, never a
    500. pypdf bounds its own recovery work (root-object recovery, xref stream entries);
    the request's own time limit (gunicorn's timeout) bounds the rest.
    """
    try:
        reader = PdfReader(fileobj, strict=False)
        if reader.is_encrypted and not _pdf_opens_without_password(reader):
            raise _Refused(
                _("“%(name)s” is encrypted or password-protected; upload it unprotected."),
                "pdf_encrypted",
            )
        has_pages = "/Root" in reader.trailer and len(reader.pages) > 0
    except _Refused:
        raise
    except Exception:  # any parser failure means "not a PDF we can read"
        has_pages = False
    if not has_pages:
        raise _Refused(
            _("“%(name)s” is not a readable PDF document (it is damaged or only named PDF)."),
            "pdf_damaged",
        )


def _pdf_opens_without_password(reader: PdfReader) -> bool:
    # An owner password only restricts printing or copying and opens with an empty user
    # password; a user password means no reviewer could read it. AES decryption needs a
    # crypto package the portal does not install, so such files count as protected.
    try:
        return bool(reader.decrypt(""))
    except Exception:  # DependencyError (AES), a malformed /Encrypt...
        return False


def _safe_member_path(member_name: str) -> bool:
    if not member_name or "\x00" in member_name or "\\" in member_name:
        return False
    if member_name.startswith("/") or re.match(r"^[A-Za-z]:", member_name):
        return False
    return ".." not in member_name.split("/")


def _is_nested_archive(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    if member.is_dir():
        return False
    if member.filename.lower().endswith(_ARCHIVE_SUFFIXES):
        return True
    if member.file_size < 4:
        return False
    with archive.open(member) as fh:
        head = fh.read(8)
    return head.startswith(_ARCHIVE_MAGIC)


def _read_content_types(archive: zipfile.ZipFile) -> bytes:
    # A byte search, not an XML parse: nothing from the upload reaches an XML parser
    # (entity expansion) before the file has been accepted.
    info = archive.getinfo("[Content_Types].xml")
    if info.file_size > _CONTENT_TYPES_MAX_BYTES:
        return b""
    return archive.read(info)


def _size_of(fileobj) -> int:
    size = getattr(fileobj, "size", None)
    if size is not None:
        return int(size)
    fileobj.seek(0, io.SEEK_END)
    size = fileobj.tell()
    fileobj.seek(0)
    return size


def _rewind(fileobj) -> None:
    with contextlib.suppress(AttributeError, OSError, ValueError):
        fileobj.seek(0)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


# --- Private storage -------------------------------------------------------------------


class PrivateStorage(FileSystemStorage):
    """``MEDIA_ROOT/private``, read at use (tests may move MEDIA_ROOT); no URL at all, so
    ``.url()`` raises and files leave only through a view that checked permission."""

    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return Path(settings.MEDIA_ROOT) / "private"

    @property
    def location(self):
        return str(Path(self.base_location).resolve())

    @cached_property
    def base_url(self):
        return None

    def url(self, name):
        raise ValueError("Private files have no URL; serve them with serve_private_file().")

    def deconstruct(self):
        return ("procurement_portal.uploads.PrivateStorage", (), {})


private_storage = PrivateStorage()


def get_private_storage() -> PrivateStorage:
    """For ``FileField(storage=get_private_storage)``: migrations record the callable."""
    return private_storage


def serve_private_file(
    request: HttpRequest,
    *,
    file_field_or_path: FieldFile | str,
    download_name: str,
    content_type: str | None = None,
) -> FileResponse:
    """Send a privately stored file as a download.

    The caller has already decided that ``request.user`` may have it, by finding the
    owning object through its selector (``Model.objects.visible_to(user)``; absent means
    404). This function does no permission check of its own, on purpose: access is
    decided in one place, and that place is the view's queryset.

    ``file_field_or_path`` is a ``FieldFile`` or a name inside ``private_storage``; a
    name that leaves the storage or does not exist answers 404. ``download_name`` is
    cleaned and sent as RFC 6266 ``filename*`` (UTF-8) with an ASCII fallback.
    The response is an attachment, never sniffed (``nosniff``), and sandboxed by CSP in
    case a browser renders it anyway.
    """
    try:
        if isinstance(file_field_or_path, FieldFile):
            handle = file_field_or_path.open("rb")
        else:
            handle = private_storage.open(_private_name(file_field_or_path), "rb")
    except (FileNotFoundError, IsADirectoryError, SuspiciousFileOperation, ValueError):
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type or "application/octet-stream")
    response["Content-Disposition"] = attachment_disposition(download_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def _private_name(name: str) -> str:
    cleaned = posixpath.normpath(str(name).replace("\\", "/"))
    if cleaned.startswith(("/", "..")) or "\x00" in cleaned or cleaned in {".", ""}:
        raise SuspiciousFileOperation("private file name outside the storage")
    return cleaned


def attachment_disposition(filename: str, *, disposition: str = "attachment") -> str:
    """``attachment; filename="ascii"; filename*=UTF-8''percent-encoded`` (RFC 6266/5987).

    Old clients read the ASCII fallback, every current browser the UTF-8 form, so a
    Japanese name arrives intact; quotes, slashes and line breaks cannot get through.
    """
    name = display_name(filename)
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    ascii_name = re.sub(r"[^A-Za-z0-9._ -]+", "_", ascii_name).strip(" ._") or "download"
    if "." in name and "." not in ascii_name:
        ascii_name += "." + re.sub(r"[^A-Za-z0-9]", "", name.rpartition(".")[2])[:10]
    header = f'{disposition}; filename="{ascii_name}"'
    if ascii_name != name:
        header += f"; filename*=UTF-8''{quote(name, safe='')}"
    return header
