"""What may be uploaded where: file formats, attachment kinds and the configurable limits.

A *format* is what a file really is (PDF, PNG, DOCX …), recognised from its content; a
*kind* is what the file is for (a business licence, a supporting document …) and lists
the formats it accepts. Services register their own kinds next to their models:

    register_kind(AttachmentKind("claims", _("claims"), ("pdf", "docx")))
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

MiB = 1024 * 1024


@dataclass(frozen=True)
class FileFormat:
    code: str  # canonical extension, also what the sniffer answers
    extensions: tuple[str, ...]  # every extension a file of this format may carry
    content_type: str  # what we store and serve, never the browser's claim
    label: Promise
    family: str  # "pdf", "image" or "ooxml": which content checks run


FORMATS: dict[str, FileFormat] = {
    f.code: f
    for f in (
        FileFormat("pdf", ("pdf",), "application/pdf", _("PDF"), "pdf"),
        FileFormat("jpg", ("jpg", "jpeg"), "image/jpeg", _("JPEG image"), "image"),
        FileFormat("png", ("png",), "image/png", _("PNG image"), "image"),
        FileFormat(
            "docx",
            ("docx",),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            _("Word document (DOCX)"),
            "ooxml",
        ),
        FileFormat(
            "xlsx",
            ("xlsx",),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            _("Excel workbook (XLSX)"),
            "ooxml",
        ),
    )
}
EXTENSION_TO_FORMAT = {ext: f for f in FORMATS.values() for ext in f.extensions}


@dataclass(frozen=True)
class AttachmentKind:
    code: str  # stored in Attachment.kind
    label: Promise
    formats: tuple[str, ...]  # FORMATS codes

    @property
    def extensions(self) -> tuple[str, ...]:
        return tuple(ext for code in self.formats for ext in FORMATS[code].extensions)

    @property
    def accept(self) -> str:
        """The HTML `accept` attribute: a hint for the file picker, never a check."""
        return ",".join(f".{ext}" for ext in self.extensions)

    @property
    def allowed_label(self) -> str:
        return ", ".join(str(FORMATS[code].label) for code in self.formats)


KINDS: dict[str, AttachmentKind] = {}


def register_kind(kind: AttachmentKind) -> AttachmentKind:
    unknown = set(kind.formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"attachment kind {kind.code!r} names unknown formats {sorted(unknown)}")
    KINDS[kind.code] = kind
    return kind


def get_kind(code: str) -> AttachmentKind:
    try:
        return KINDS[code]
    except KeyError:
        raise ValueError(f"unknown attachment kind {code!r}; register it with register_kind()") from None


# The kinds every service shares. 营业执照: a scan or photo, or the PDF of the electronic licence.
LICENCE = register_kind(AttachmentKind("licence", _("Business licence"), ("pdf", "jpg", "png")))
DOCUMENT = register_kind(AttachmentKind("document", _("Document"), ("pdf", "docx")))
SPREADSHEET = register_kind(AttachmentKind("spreadsheet", _("Spreadsheet"), ("xlsx",)))
IMAGE = register_kind(AttachmentKind("image", _("Image"), ("jpg", "png")))


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_files_per_case: int
    max_pixels: int
    zip_max_ratio: int
    zip_max_uncompressed: int
    zip_max_entries: int


def limits() -> Limits:
    """The upload limits, read on every call so tests can override them."""
    return Limits(
        max_bytes=getattr(settings, "ZHIBAO_UPLOAD_MAX_BYTES", 20 * MiB),
        max_files_per_case=getattr(settings, "ZHIBAO_UPLOAD_MAX_FILES_PER_CASE", 20),
        max_pixels=getattr(settings, "ZHIBAO_UPLOAD_MAX_PIXELS", 40_000_000),
        zip_max_ratio=getattr(settings, "ZHIBAO_UPLOAD_ZIP_MAX_RATIO", 100),
        zip_max_uncompressed=getattr(settings, "ZHIBAO_UPLOAD_ZIP_MAX_UNCOMPRESSED", 50 * MiB),
        zip_max_entries=getattr(settings, "ZHIBAO_UPLOAD_ZIP_MAX_ENTRIES", 1000),
    )
