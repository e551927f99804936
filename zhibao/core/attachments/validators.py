"""Checks every upload passes before it is stored (security baseline issue, “Uploads”).

In order: a safe display name, the extension allowed for the kind, the size limit, the
content sniffed (filetype) and matched against the extension, then the checks of the
file's family — ZIP-based Office files (central directory only, never extracted), PDF
(parsed: no active content, not encrypted) and images (pixel cap, then re-encoded so no
metadata or trailing payload survives). Each refusal is an `AttachmentRejected` with a
machine code and a message that tells the person what to do.
"""

import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

import filetype
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.template.defaultfilters import filesizeformat
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from .kinds import EXTENSION_TO_FORMAT, FORMATS, FileFormat, Limits, MiB, get_kind, limits

SNIFF_BYTES = 8192  # what filetype looks at
# Sizes in messages are written out when the message is shown, in the reader's language.
filesize = lazy(filesizeformat, str)


class AttachmentRejected(ValidationError):
    """An upload refused, with a machine `code` (for the API) and a message for the person."""

    def __init__(self, message, *, code: str, params: dict | None = None):
        super().__init__(message, code=code, params=params or {})


@dataclass
class CleanUpload:
    """A file that passed every check, ready for `attachment_add` to store."""

    kind: str
    name: str  # the safe display name; never used on disk
    format: FileFormat
    size: int
    sha256: str
    content: File  # what is stored: the original bytes, or the re-encoded image

    @property
    def content_type(self) -> str:
        return self.format.content_type


# --- File names ----------------------------------------------------------------------------

_UNSAFE_CHARS = re.compile(r'[<>:"/\\|?*]')


def safe_display_name(raw: str, *, max_length: int = 200) -> str:
    """The last path component of a client's file name, without control, bidi-override or
    path characters: “../../etc/passwd.pdf” → “passwd.pdf”. Shown and sent back on download
    only; files are stored under random names (core.models.attachment.attachment_path)."""
    name = unicodedata.normalize("NFC", str(raw or ""))
    name = name.replace("\\", "/").split("/")[-1]
    kept = []
    for ch in name:
        category = unicodedata.category(ch)
        if ch.isspace():
            kept.append(" ")
        elif not category.startswith("C"):  # Cc control, Cf format (U+202E …), Cs, Co, Cn
            kept.append(ch)
    name = _UNSAFE_CHARS.sub("_", "".join(kept))
    name = re.sub(r"\s+", " ", name).strip().strip(".").strip()
    if not name:
        name = "file"
    if len(name) > max_length:
        stem, dot, ext = name.rpartition(".")
        if dot and stem and len(ext) <= 10:
            name = stem[: max_length - len(ext) - 1].rstrip() + "." + ext
        else:
            name = name[:max_length]
    return name


def extension_of(name: str) -> str:
    return name.rpartition(".")[2].lower() if "." in name else ""


# --- Content sniffing ------------------------------------------------------------------------

# How to name, in a message, what a file really is when it is not what it claims to be.
_DESCRIPTIONS = {
    "exe": _("a Windows program (EXE)"),
    "elf": _("a Linux program (ELF)"),
    "mach": _("a macOS program"),
    "zip": _("a ZIP archive"),
    "rar": _("a RAR archive"),
    "7z": _("a 7-Zip archive"),
    "gz": _("a GZIP archive"),
    "doc": _("an old Word document (DOC)"),
    "xls": _("an old Excel workbook (XLS)"),
    "pptx": _("a PowerPoint presentation"),
    "gif": _("a GIF image"),
    "webp": _("a WebP image"),
    "bmp": _("a BMP image"),
    "tif": _("a TIFF image"),
    "heic": _("a HEIC photo"),
}


def _describe(code: str | None, mime: str = ""):
    if code is None:
        return _("not a recognisable file type")
    if code in FORMATS:
        return FORMATS[code].label
    return _DESCRIPTIONS.get(code) or mime or code


def _sniff(head: bytes) -> tuple[str | None, str]:
    """(format code, MIME) as read from the content; None when unrecognised."""
    guess = filetype.guess(head)
    if guess is None:
        return None, ""
    return guess.extension, guess.mime


# --- ZIP-based Office files --------------------------------------------------------------------


def _zip_declared_entries(fh) -> int | None:
    """The entry count in the end-of-central-directory record, read before zipfile builds
    an object per entry (a 20 MiB archive can declare hundreds of thousands)."""
    fh.seek(0, io.SEEK_END)
    size = fh.tell()
    tail_len = min(size, 22 + 65535)
    fh.seek(size - tail_len)
    tail = fh.read(tail_len)
    pos = tail.rfind(b"PK\x05\x06")
    if pos < 0 or pos + 22 > len(tail):
        return None
    total = int.from_bytes(tail[pos + 10 : pos + 12], "little")
    if total == 0xFFFF and pos >= 20 and tail[pos - 20 : pos - 16] == b"PK\x06\x07":  # ZIP64
        fh.seek(int.from_bytes(tail[pos - 12 : pos - 4], "little"))
        record = fh.read(56)
        if record[:4] == b"PK\x06\x06":
            total = int.from_bytes(record[32:40], "little")
    return total


def _ooxml_subtype(names: set[str]) -> str:
    if "[Content_Types].xml" not in names:
        return "zip"
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "ppt/presentation.xml" in names:
        return "pptx"
    return "zip"


def _inspect_zip(fh, name: str, expected: FileFormat, lim: Limits) -> str:
    """Check an archive from its central directory alone, without inflating a byte, and
    return what Office format it holds (docx, xlsx, pptx or zip)."""
    params = {"name": name, "expected": expected.label}
    declared = _zip_declared_entries(fh)
    if declared is not None and declared > lim.zip_max_entries:
        raise AttachmentRejected(
            _("“%(name)s” holds %(count)s parts; at most %(limit)s are allowed."),
            code="zip_entries",
            params={"name": name, "count": declared, "limit": lim.zip_max_entries},
        )
    fh.seek(0)
    try:
        with zipfile.ZipFile(fh) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError):
        raise AttachmentRejected(
            _("“%(name)s” is damaged and cannot be opened as %(expected)s."), code="damaged", params=params
        )
    if len(infos) > lim.zip_max_entries:
        raise AttachmentRejected(
            _("“%(name)s” holds %(count)s parts; at most %(limit)s are allowed."),
            code="zip_entries",
            params={"name": name, "count": len(infos), "limit": lim.zip_max_entries},
        )
    unpacked = sum(i.file_size for i in infos)
    if unpacked > lim.zip_max_uncompressed:
        raise AttachmentRejected(
            _("“%(name)s” would unpack to %(size)s; at most %(limit)s are allowed."),
            code="zip_size",
            params={"name": name, "size": filesize(unpacked), "limit": filesize(lim.zip_max_uncompressed)},
        )
    packed = sum(i.compress_size for i in infos)
    # The whole archive, and any single large member: a bomb hides one highly compressible
    # member among incompressible pictures.
    ratios = [unpacked / max(packed, 1)] + [
        i.file_size / max(i.compress_size, 1) for i in infos if i.file_size >= MiB
    ]
    ratio = max(ratios)
    if ratio > lim.zip_max_ratio:
        raise AttachmentRejected(
            _(
                "“%(name)s” is compressed %(ratio)s to 1 (at most %(limit)s to 1 is allowed) and may be a "
                "“zip bomb”. Save it again from Word or Excel and upload the new file."
            ),
            code="zip_ratio",
            params={"name": name, "ratio": int(ratio), "limit": lim.zip_max_ratio},
        )
    names = set()
    for info in infos:
        if info.flag_bits & 0x1:
            raise AttachmentRejected(
                _("“%(name)s” is protected by a password; remove the password and upload it again."),
                code="encrypted",
                params=params,
            )
        parts = info.filename.replace("\\", "/").split("/")
        if info.filename.startswith("/") or ".." in parts or ":" in parts[0]:
            raise AttachmentRejected(
                _("“%(name)s” is damaged and cannot be opened as %(expected)s."),
                code="damaged",
                params=params,
            )
        names.add(info.filename)
    lowered = {n.lower() for n in names}
    if any(n.endswith("vbaproject.bin") or "/activex/" in n for n in lowered):
        raise AttachmentRejected(
            _("“%(name)s” contains macros or ActiveX controls; save it as a plain document without them."),
            code="active_content",
            params=params,
        )
    return _ooxml_subtype(names)


# --- PDF ---------------------------------------------------------------------------------------

# Names that make a PDF do something when opened or clicked (ISO 32000-1 §12.6 actions,
# §7.11.4 embedded files, XFA forms, rich media). Found as keys or as values (/S /Launch).
PDF_ACTIVE_NAMES = frozenset(
    {"/JavaScript", "/JS", "/AA", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia", "/XFA"}
)
# A second net under the parser: the long names spelled plainly in the raw bytes, for objects
# a lenient parser could skip (#-escaped names and object streams are the parser's job).
# Short names (/JS, /AA) are left to the parser: three bytes turn up by chance in the
# compressed streams of any large PDF.
_PDF_RAW_ACTIVE = re.compile(rb"/(JavaScript|Launch|EmbeddedFiles?|RichMedia)(?=[\s/<>\[\]()%]|$)")
PDF_MAX_NODES = 2_000_000


class _PdfTooComplex(Exception):
    pass


def _pdf_active_content(reader) -> set[str]:
    """Every active-content name reachable from the trailer (catalog, pages, annotations,
    name trees, outlines, forms …) or stored in any object of the cross-reference table."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    found: set[str] = set()
    seen: set[tuple[int, int]] = set()
    stack: list = [reader.trailer]
    for generation, objects in reader.xref.items():
        stack.extend(IndirectObject(idnum, generation, reader) for idnum in objects if generation != 65535)
    stack.extend(IndirectObject(idnum, 0, reader) for idnum in reader.xref_objStm)
    visited = 0
    while stack:
        obj = stack.pop()
        visited += 1
        if visited > PDF_MAX_NODES:
            raise _PdfTooComplex
        if isinstance(obj, IndirectObject):
            ref = (obj.idnum, obj.generation)
            if ref in seen:
                continue
            seen.add(ref)
            try:
                obj = obj.get_object()
            except Exception:  # noqa: S112 — an unreadable object is not active content; the rest is checked
                continue
        if isinstance(obj, DictionaryObject):  # stream objects included (their dictionaries)
            for key, value in dict.items(obj):
                if key in PDF_ACTIVE_NAMES:
                    found.add(str(key))
                elif key == "/OpenAction":
                    # An explicit destination (“open at page 1”, as LibreOffice and WPS write)
                    # is harmless; an action dictionary runs something on opening.
                    target = value.get_object() if isinstance(value, IndirectObject) else value
                    if isinstance(target, DictionaryObject):
                        found.add("/OpenAction")
                stack.append(value)
        elif isinstance(obj, ArrayObject):
            stack.extend(list.__iter__(obj))
        elif isinstance(obj, NameObject) and obj in PDF_ACTIVE_NAMES:
            found.add(str(obj))
    return found


def _check_pdf(data: bytes, name: str) -> None:
    from pypdf import PdfReader

    params = {"name": name}
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        encrypted = reader.is_encrypted
        found = set() if encrypted else _pdf_active_content(reader)
    except _PdfTooComplex:
        raise AttachmentRejected(
            _("“%(name)s” is too complex to check; print it to a new PDF and upload that."),
            code="damaged",
            params=params,
        )
    except Exception:  # pypdf raises many kinds on malformed input; all mean “cannot read”
        raise AttachmentRejected(
            _("“%(name)s” is damaged and cannot be read as a PDF."), code="damaged", params=params
        )
    if encrypted:
        raise AttachmentRejected(
            _("“%(name)s” is encrypted or protected by a password; upload a copy without protection."),
            code="encrypted",
            params=params,
        )
    found |= {"/" + m.group(1).decode() for m in _PDF_RAW_ACTIVE.finditer(data)}
    if found:
        raise AttachmentRejected(
            _(
                "“%(name)s” contains active content (%(what)s), which is not accepted. "
                "Print it to a new PDF (“Microsoft Print to PDF” or similar) and upload that."
            ),
            code="active_content",
            params={"name": name, "what": ", ".join(sorted(n.lstrip("/") for n in found))},
        )


# --- Images --------------------------------------------------------------------------------------


def _reencode_image(fh, name: str, fmt: FileFormat, lim: Limits) -> bytes:
    """Decode within the pixel cap, then save a fresh image: EXIF (GPS, camera), XMP,
    comments and anything appended after the image data are gone."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    params = {"name": name}
    damaged = AttachmentRejected(
        _("“%(name)s” is damaged and cannot be read as an image."), code="damaged", params=params
    )
    fh.seek(0)
    try:
        # Only the decoder the extension promised: no exotic decoder is ever reached.
        with Image.open(fh, formats=["JPEG" if fmt.code == "jpg" else "PNG"]) as image:
            width, height = image.size  # from the header, before a single pixel is decoded
            if width * height > lim.max_pixels:
                raise AttachmentRejected(
                    _(
                        "“%(name)s” is %(width)s × %(height)s pixels; at most %(limit)s megapixels are "
                        "allowed. Reduce its resolution and upload it again."
                    ),
                    code="too_many_pixels",
                    params={
                        "name": name,
                        "width": width,
                        "height": height,
                        "limit": f"{lim.max_pixels / 1_000_000:g}",
                    },
                )
            image.load()
            # A photo taken sideways is stored upright: its EXIF orientation goes away below.
            clean = ImageOps.exif_transpose(image)
            if clean is image:
                clean = image.copy()
    except AttachmentRejected:
        raise
    except Image.DecompressionBombError:  # Pillow's own guard, should MAX_PIXELS be set above it
        raise AttachmentRejected(
            _("“%(name)s” has too many pixels to be processed. Reduce its resolution and upload it again."),
            code="too_many_pixels",
            params=params,
        )
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise damaged
    transparency = clean.info.get("transparency")
    clean.info = {}  # no metadata is carried into the saved file
    out = io.BytesIO()
    try:
        if fmt.code == "jpg":
            if clean.mode not in ("RGB", "L"):
                clean = clean.convert("RGB")
            clean.save(out, format="JPEG", quality=90)
        else:
            if clean.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I;16"):
                clean = clean.convert("RGBA")
            options = {"transparency": transparency} if transparency is not None else {}
            clean.save(out, format="PNG", **options)
    except (OSError, ValueError):
        raise damaged
    return out.getvalue()


# --- The one entry point ---------------------------------------------------------------------


def validate_upload(*, kind: str, uploaded_file) -> CleanUpload:
    """Check `uploaded_file` for attachment kind `kind`; return what to store or raise
    AttachmentRejected with the reason."""
    attachment_kind = get_kind(kind)
    lim = limits()
    name = safe_display_name(getattr(uploaded_file, "name", "") or "")
    expected = EXTENSION_TO_FORMAT.get(extension_of(name))
    if expected is None or expected.code not in attachment_kind.formats:
        raise AttachmentRejected(
            _("“%(name)s” cannot be accepted as “%(kind)s”: only %(allowed)s files are."),
            code="file_type",
            params={"name": name, "kind": attachment_kind.label, "allowed": attachment_kind.allowed_label},
        )
    too_large = AttachmentRejected(
        _("“%(name)s” is larger than %(limit)s, the most a file may be."),
        code="too_large",
        params={"name": name, "limit": filesize(lim.max_bytes)},
    )
    declared = getattr(uploaded_file, "size", None)
    if declared is not None and declared > lim.max_bytes:
        raise too_large
    # Read what was really received (bounded), whatever the declared size said.
    uploaded_file.seek(0)
    digest, size, chunks = hashlib.sha256(), 0, []
    while block := uploaded_file.read(64 * 1024):
        size += len(block)
        if size > lim.max_bytes:
            raise too_large
        digest.update(block)
        chunks.append(block)
    if size == 0:
        raise AttachmentRejected(_("“%(name)s” is empty."), code="empty", params={"name": name})
    data = b"".join(chunks)
    del chunks
    fh = io.BytesIO(data)

    actual, mime = _sniff(data[:SNIFF_BYTES])
    if expected.family == "ooxml" and data.startswith(b"PK\x03\x04"):
        # filetype guesses Office files from the order of the first entries; the central
        # directory says for sure (and is where the bomb checks look anyway).
        actual = _inspect_zip(fh, name, expected, lim)
    if actual != expected.code:
        raise AttachmentRejected(
            _("“%(name)s” is not a real %(expected)s: its content is %(actual)s."),
            code="type_mismatch",
            params={"name": name, "expected": expected.label, "actual": _describe(actual, mime)},
        )

    if expected.family == "pdf":
        _check_pdf(data, name)
    if expected.family == "image":
        data = _reencode_image(fh, name, expected, lim)
        digest, size, content = hashlib.sha256(data), len(data), ContentFile(data)
    else:
        # The checked bytes are stored as received; the copy in memory is dropped now, so a
        # form with twenty files holds one at a time.
        content = uploaded_file if isinstance(uploaded_file, File) else File(uploaded_file)
    del data, fh
    return CleanUpload(
        kind=attachment_kind.code,
        name=name,
        format=expected,
        size=size,
        sha256=digest.hexdigest(),
        content=content,
    )
