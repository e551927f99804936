"""Downloads of attachments: only through this permission-checked view."""

import logging
import re
import unicodedata
from urllib.parse import quote

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from .selectors import attachments_visible_to

logger = logging.getLogger(__name__)


def ascii_filename(name: str) -> str:
    """A plain-ASCII stand-in for clients that ignore filename* (营业执照.pdf → attachment.pdf)."""
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    plain = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    plain = re.sub(r"[^A-Za-z0-9._ -]+", "_", plain).strip(" ._") or "attachment"
    ext = re.sub(r"[^A-Za-z0-9]+", "", ext)
    return f"{plain}.{ext}" if ext else plain


def content_disposition(name: str, disposition: str = "attachment") -> str:
    """`attachment` (or `inline`) with an ASCII filename and the real one per RFC 5987/6266 (filename*)."""
    return f"{disposition}; filename=\"{ascii_filename(name)}\"; filename*=UTF-8''{quote(name, safe='')}"


@require_safe
def attachment_download(request, pk):
    """Send an attachment to someone who may see its case; everyone else gets the same 404
    as for a file that does not exist (no hint that it does)."""
    attachment = get_object_or_404(attachments_visible_to(request.user), pk=pk)
    if not request.user.has_perm("core.view_case", attachment.case):
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        logger.error("attachment %s: stored file %s is missing", attachment.pk, attachment.file.name)
        raise Http404
    response = FileResponse(handle, content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    if request.GET.get("inline") == "1" and attachment.content_type == "application/pdf":
        # A PDF (checked free of active content on upload) may be shown in the browser's viewer,
        # framed only by our own pages (documents side by side). No `sandbox`: Chromium refuses
        # to render a PDF in a sandboxed document.
        response["Content-Disposition"] = content_disposition(attachment.original_name, "inline")
        response["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'self'"
        response["X-Frame-Options"] = "SAMEORIGIN"
    else:
        # Otherwise always a download, never rendered in our origin; the browser must not guess a type.
        response["Content-Disposition"] = content_disposition(attachment.original_name)
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
