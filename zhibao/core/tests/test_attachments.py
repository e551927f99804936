"""The one attachment mechanism: what is refused and why, how accepted files are stored, who
may download them, and the ORG verification form that sends the business licence.

Every attack file is built here, in the test, so what is tested is plain to read.
"""

import hashlib
import io
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from PIL import Image
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

from zhibao.accounts.choices import OrganizationKind, OrganizationStatus
from zhibao.accounts.services import organization_verification_submit
from zhibao.conftest import login, make_org, make_user
from zhibao.core.attachments.selectors import attachments_for
from zhibao.core.attachments.services import attachment_add
from zhibao.core.attachments.validators import AttachmentRejected, safe_display_name, validate_upload
from zhibao.core.attachments.views import content_disposition
from zhibao.core.choices import Role
from zhibao.core.models import Attachment, Case, CaseEvent

pytestmark = pytest.mark.django_db
MiB = 1024 * 1024


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Each test stores its files in its own directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root: Path) -> list[Path]:
    return [p for p in Path(root).rglob("*") if p.is_file()]


# --- Files, good and bad, made here ------------------------------------------------------------


def pdf_bytes(*, tweak=None, pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    if tweak:
        tweak(writer)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def docx_bytes(text: str = "营业执照复印件说明") -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["专利号", "名称"])
    buf = io.BytesIO()
    workbook.save(buf)
    return buf.getvalue()


def png_bytes(size=(64, 48), mode="RGB", **save) -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, 1 if mode == "1" else (200, 30, 30)).save(buf, format="PNG", **save)
    return buf.getvalue()


def jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (40, 30), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Inc."  # Make
    exif[0x8825] = {1: "N", 2: (40.0, 48.0, 0.0)}  # GPS: where the photo was taken
    buf = io.BytesIO()
    image.save(buf, format="JPEG", exif=exif, comment=b"taken at home")
    return buf.getvalue()


def exe_bytes() -> bytes:
    """The start of a Windows executable: “MZ”, a DOS stub, a PE header."""
    stub = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44 + b"\x80\x00\x00\x00"
    return (
        stub
        + b"This program cannot be run in DOS mode.\r\r\n$"
        + b"\x00" * 64
        + b"PE\x00\x00"
        + b"\x00" * 400
    )


def docx_with(extra: dict[str, bytes], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    """A real DOCX with extra members appended."""
    buf = io.BytesIO(docx_bytes())
    with zipfile.ZipFile(buf, "a", compression=compression) as archive:
        for name, data in extra.items():
            archive.writestr(name, data)
    return buf.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def rejected(kind: str, name: str, data: bytes) -> AttachmentRejected:
    with pytest.raises(AttachmentRejected) as err:
        validate_upload(kind=kind, uploaded_file=upload(name, data))
    return err.value


def message(exc: ValidationError) -> str:
    """The messages as an English reader sees them (the catalogue may translate them)."""
    with translation.override("en"):
        return " ".join(exc.messages)


# --- Refused, with the reason -----------------------------------------------------------------


def test_an_exe_renamed_pdf_is_refused_as_not_a_real_pdf():
    err = rejected("licence", "营业执照.pdf", exe_bytes())
    assert err.code == "type_mismatch"
    assert message(err) == "“营业执照.pdf” is not a real PDF: its content is a Windows program (EXE)."


@pytest.mark.parametrize(
    ("kind", "name", "data", "code"),
    [
        ("licence", "licence.exe", exe_bytes(), "file_type"),  # not an accepted extension at all
        ("licence", "licence", pdf_bytes(), "file_type"),  # no extension
        ("licence", "licence.docx", docx_bytes(), "file_type"),  # a real DOCX, but not for a licence
        ("licence", "photo.png", pdf_bytes(), "type_mismatch"),  # a PDF named .png
        ("licence", "photo.jpg", png_bytes(), "type_mismatch"),  # a PNG named .jpg
        ("document", "report.docx", pdf_bytes(), "type_mismatch"),  # a PDF named .docx
        ("document", "report.docx", xlsx_bytes(), "type_mismatch"),  # an Excel workbook named .docx
        ("spreadsheet", "list.xlsx", docx_bytes(), "type_mismatch"),
        ("document", "notes.pdf", b"just some text, no PDF at all", "type_mismatch"),
        ("document", "empty.pdf", b"", "empty"),
    ],
)
def test_type_is_read_from_the_content_and_must_match_the_extension(kind, name, data, code):
    assert rejected(kind, name, data).code == code


def test_a_zip_bomb_docx_is_refused_without_being_unpacked():
    bomb = docx_with({"word/media/padding.bin": b"\0" * (20 * MiB)})  # 20 MiB that packs into ~20 KiB
    assert len(bomb) < MiB
    err = rejected("document", "bomb.docx", bomb)
    assert err.code == "zip_ratio"
    assert "zip bomb" in message(err)


def test_a_docx_with_more_than_1000_parts_is_refused():
    crowded = docx_with({f"customXml/extra{i}.xml": b"<a/>" for i in range(1001)})
    err = rejected("document", "crowded.docx", crowded)
    assert err.code == "zip_entries"
    assert "at most 1000" in message(err)


def test_a_docx_unpacking_past_the_limit_is_refused(settings):
    settings.ZHIBAO_UPLOAD_ZIP_MAX_UNCOMPRESSED = MiB
    import os

    big = docx_with({"word/media/photo.bin": os.urandom(2 * MiB)}, compression=zipfile.ZIP_STORED)
    err = rejected("document", "big.docx", big)
    assert err.code == "zip_size"


def test_a_docx_with_macros_is_refused():
    err = rejected("document", "macro.docx", docx_with({"word/vbaProject.bin": b"\xd0\xcf\x11\xe0 macro"}))
    assert err.code == "active_content"


def _add_open_action_js(writer):
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert('hi')")}
    )


def _add_launch_link(writer):
    action = DictionaryObject(
        {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")}
    )
    link = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject(
                [NumberObject(0), NumberObject(0), NumberObject(100), NumberObject(100)]
            ),
            NameObject("/A"): action,
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(link)])


def _add_page_aa(writer):
    action = DictionaryObject(
        {NameObject("/S"): NameObject("/URI"), NameObject("/URI"): TextStringObject("http://x")}
    )
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): action})


@pytest.mark.parametrize(
    ("tweak", "what"),
    [
        (
            lambda w: w.add_open_action(JavaScript("app.alert(1);")),
            "JavaScript",
        ),  # document-level JS (names tree)
        (_add_open_action_js, "OpenAction"),  # runs on opening
        (_add_launch_link, "Launch"),  # a link annotation that starts a program
        (_add_page_aa, "AA"),  # page “additional actions”
        (lambda w: w.add_attachment("payload.exe", exe_bytes()), "EmbeddedFile"),
    ],
    ids=["javascript", "openaction", "launch", "additional-actions", "embedded-file"],
)
def test_a_pdf_with_active_content_is_refused(tweak, what):
    err = rejected("document", "report.pdf", pdf_bytes(tweak=tweak))
    assert err.code == "active_content"
    assert what in message(err)


def test_active_content_is_found_by_parsing_even_when_the_name_is_escaped():
    data = pdf_bytes(tweak=lambda w: w.add_open_action(JavaScript("app.alert(1);")))
    hidden = data.replace(b"/JavaScript", b"/J#61vaScript")  # the same name to a PDF reader
    assert b"/JavaScript" not in hidden
    assert rejected("document", "report.pdf", hidden).code == "active_content"


def test_a_pdf_opening_at_a_page_is_accepted():
    # “Open at page 1, fit width”, as LibreOffice and WPS write it: a destination, not an action.
    def open_at_first_page(writer):
        page = writer.pages[0].indirect_reference
        writer._root_object[NameObject("/OpenAction")] = ArrayObject([page, NameObject("/Fit")])

    clean = validate_upload(
        kind="document", uploaded_file=upload("report.pdf", pdf_bytes(tweak=open_at_first_page))
    )
    assert clean.format.code == "pdf"


def test_an_encrypted_pdf_is_refused():
    err = rejected(
        "licence", "licence.pdf", pdf_bytes(tweak=lambda w: w.encrypt(user_password="", owner_password="x"))
    )
    assert err.code == "encrypted"


def test_a_damaged_pdf_is_refused():
    assert rejected("document", "broken.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 50).code == "damaged"


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.ZHIBAO_UPLOAD_MAX_BYTES = 512
    data = pdf_bytes(pages=3)
    assert len(data) > 512
    err = rejected("licence", "licence.pdf", data)
    assert err.code == "too_large"
    assert "512\xa0bytes" in message(err)


def test_an_image_over_the_pixel_cap_is_refused_before_decoding():
    huge = png_bytes(size=(8000, 6000), mode="1")  # 48 MP in a few kilobytes
    assert len(huge) < 200 * 1024
    err = rejected("licence", "licence.png", huge)
    assert err.code == "too_many_pixels"
    assert "8000 × 6000" in message(err) and "40 megapixels" in message(err)


def test_the_pixel_cap_is_configurable(settings):
    settings.ZHIBAO_UPLOAD_MAX_PIXELS = 1000
    assert rejected("image", "photo.png", png_bytes(size=(50, 50))).code == "too_many_pixels"


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\Windows\\win.ini.pdf", "win.ini.pdf"),
        ("/abs/path/营业执照.pdf", "营业执照.pdf"),
        ("invoice\u202efdp.exe.pdf", "invoicefdp.exe.pdf"),  # right-to-left override removed
        ("a\x00b\r\nc.pdf", "ab c.pdf"),
        ('x<y>:"|?*.pdf', "x_y______.pdf"),
        ("....", "file"),
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
    ],
)
def test_file_names_keep_only_a_safe_display_name(raw, safe):
    assert safe_display_name(raw) == safe


# --- Accepted and stored --------------------------------------------------------------------------


def test_a_path_traversal_name_is_stored_under_a_random_name(alice, alice_case, media_root):
    attachment = attachment_add(
        case=alice_case, kind="licence", uploaded_file=upload("../../etc/passwd.pdf", pdf_bytes()), user=alice
    )
    assert attachment.original_name == "passwd.pdf"
    path = Path(attachment.file.path).resolve()
    assert path.is_relative_to(Path(media_root).resolve() / "attachments")
    assert "passwd" not in attachment.file.name and ".." not in attachment.file.name
    assert not Path("/etc/passwd.pdf").exists()


@pytest.mark.parametrize(
    ("kind", "name", "data", "content_type"),
    [
        ("licence", "营业执照.pdf", pdf_bytes(), "application/pdf"),
        (
            "document",
            "说明.docx",
            docx_bytes(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "spreadsheet",
            "清单.xlsx",
            xlsx_bytes(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("licence", "执照照片.png", png_bytes(), "image/png"),
        ("licence", "执照照片.JPEG", jpeg_with_exif(), "image/jpeg"),
    ],
    ids=["pdf", "docx", "xlsx", "png", "jpeg"],
)
def test_valid_files_are_accepted_with_their_sha256(
    alice, alice_case, kind, name, data, content_type, media_root
):
    attachment = attachment_add(
        case=alice_case, kind=kind, uploaded_file=upload(name, data, "text/html"), user=alice
    )
    attachment.refresh_from_db()
    stored = Path(attachment.file.path).read_bytes()
    assert attachment.sha256 == hashlib.sha256(stored).hexdigest()
    assert attachment.size == len(stored)
    assert attachment.content_type == content_type  # from the content, not the browser's claim
    assert (attachment.original_name, attachment.kind, attachment.uploaded_by) == (name, kind, alice)
    if content_type.startswith("image/"):
        # Re-encoded: still the same picture, but nothing of the original file's metadata.
        with Image.open(io.BytesIO(stored)) as image:
            assert image.size in {(64, 48), (40, 30)}
            assert not image.getexif() and "comment" not in image.info
    else:
        assert stored == data


def test_stored_files_are_outside_the_web_root(alice, alice_case, media_root):
    import zhibao.settings as conf

    # The configured uploads directory is not inside the collected static files, and no URL serves it.
    assert not Path(conf.MEDIA_ROOT).resolve().is_relative_to(Path(conf.STATIC_ROOT).resolve())
    attachment = attachment_add(
        case=alice_case, kind="licence", uploaded_file=upload("l.pdf", pdf_bytes()), user=alice
    )
    path = Path(attachment.file.path).resolve()
    assert not path.is_relative_to(Path(settings.STATIC_ROOT).resolve())
    assert login(alice).get(settings.MEDIA_URL + attachment.file.name).status_code == 404


def test_an_image_loses_appended_data_and_metadata(alice, alice_case):
    sneaky = png_bytes(pnginfo=None) + b"<?php system($_GET['c']); ?>"
    attachment = attachment_add(
        case=alice_case, kind="image", uploaded_file=upload("p.png", sneaky), user=alice
    )
    assert b"<?php" not in Path(attachment.file.path).read_bytes()


def test_the_21st_file_of_a_case_is_refused(alice, alice_case):
    data = pdf_bytes()
    for i in range(20):
        attachment_add(case=alice_case, kind="document", uploaded_file=upload(f"{i}.pdf", data), user=alice)
    with pytest.raises(AttachmentRejected) as err:
        attachment_add(case=alice_case, kind="document", uploaded_file=upload("21.pdf", data), user=alice)
    assert err.value.code == "too_many_files"
    assert Attachment.objects.filter(case=alice_case).count() == 20


def test_the_files_per_case_limit_is_configurable(settings, alice, alice_case, media_root):
    settings.ZHIBAO_UPLOAD_MAX_FILES_PER_CASE = 1
    attachment_add(case=alice_case, kind="document", uploaded_file=upload("1.pdf", pdf_bytes()), user=alice)
    with pytest.raises(AttachmentRejected):
        attachment_add(
            case=alice_case, kind="document", uploaded_file=upload("2.pdf", pdf_bytes()), user=alice
        )
    assert len(stored_files(media_root)) == 1  # the refused file left nothing on disk


# --- Who sees and downloads --------------------------------------------------------------------


@pytest.fixture
def licence(alice, alice_case):
    return attachment_add(
        case=alice_case, kind="licence", uploaded_file=upload("营业执照 2026.pdf", pdf_bytes()), user=alice
    )


def download(client: Client, attachment):
    return client.get(f"/attachments/{attachment.pk}/")


def test_the_owner_downloads_as_an_attachment_with_nosniff(alice, licence):
    response = download(login(alice), licence)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == Path(licence.file.path).read_bytes()
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''" + quote("营业执照 2026.pdf") in disposition
    assert 'filename="2026.pdf"' in disposition  # the ASCII stand-in for old clients
    assert "private" in response["Cache-Control"]
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"  # even if rendered, inert


def test_the_clerk_handling_the_case_downloads(clerk, licence):
    assert download(login(clerk), licence).status_code == 200


def test_another_applicant_gets_the_same_404_as_for_no_file(bob, licence):
    client = login(bob)
    assert download(client, licence).status_code == 404
    assert client.get("/attachments/00000000-0000-4000-8000-000000000000/").status_code == 404


def test_staff_of_another_service_and_an_unassigned_expert_get_404(licence):
    for user in (make_user("examiner", [Role.EXAMINER]), make_user("expert", [Role.EXPERT])):
        assert download(login(user), licence).status_code == 404


def test_anonymous_is_sent_to_log_in(licence):
    response = download(Client(), licence)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_attachments_for_filters_by_the_user(alice, bob, clerk, licence, alice_case):
    assert list(attachments_for(alice_case, alice)) == [licence]
    assert list(attachments_for(alice_case, clerk)) == [licence]
    assert list(attachments_for(alice_case, bob)) == []


def test_content_disposition_escapes_what_it_must():
    header = content_disposition('a"b\\c;.pdf')
    assert header == "attachment; filename=\"a_b_c.pdf\"; filename*=UTF-8''a%22b%5Cc%3B.pdf"


# --- The ORG verification flow ------------------------------------------------------------------


def test_the_service_attaches_the_files_to_the_new_case(alice, alice_org):
    verification, created = organization_verification_submit(
        organization=alice_org,
        user=alice,
        licence=upload("营业执照.pdf", pdf_bytes()),
        documents=[upload("章程.docx", docx_bytes())],
    )
    case = verification.case
    assert created
    assert sorted(a.kind for a in case.attachments.all()) == ["document", "licence"]
    event = CaseEvent.objects.get(case=case, transition="submit")
    assert [a["name"] for a in event.payload["attachments"]] == ["营业执照.pdf", "章程.docx"]
    assert event.payload["attachments"][0]["sha256"] == case.attachments.get(kind="licence").sha256


def test_a_refused_file_opens_no_case_and_says_which_field(alice, alice_org, media_root):
    with pytest.raises(ValidationError) as err:
        organization_verification_submit(
            organization=alice_org,
            user=alice,
            licence=upload("营业执照.pdf", pdf_bytes()),
            documents=[upload("ok.docx", docx_bytes()), upload("evil.pdf", exe_bytes())],
        )
    assert set(err.value.message_dict) == {"documents"}
    assert "evil.pdf" in err.value.message_dict["documents"][0]
    assert not Case.objects.filter(organization=alice_org).exists()
    alice_org.refresh_from_db()
    assert alice_org.status == OrganizationStatus.UNVERIFIED
    assert stored_files(media_root) == []


def test_a_failure_after_storing_removes_the_stored_files(settings, alice, alice_org, media_root):
    settings.ZHIBAO_UPLOAD_MAX_FILES_PER_CASE = 2
    with pytest.raises(ValidationError):
        organization_verification_submit(
            organization=alice_org,
            user=alice,
            licence=upload("l.pdf", pdf_bytes()),
            documents=[upload(f"{i}.pdf", pdf_bytes()) for i in range(2)],  # the third file is one too many
        )
    assert not Case.objects.filter(organization=alice_org).exists()
    assert not Attachment.objects.exists()
    assert stored_files(media_root) == []  # the rolled-back case's files went with it


def test_the_api_error_is_structured(alice, alice_org):
    from zhibao.api import exception_handler

    with pytest.raises(ValidationError) as err:
        organization_verification_submit(
            organization=alice_org, user=alice, licence=upload("l.pdf", exe_bytes())
        )
    with translation.override("en"):
        body = exception_handler(err.value, {}).data
    assert body["code"] == "invalid"
    assert body["fields"] == {
        "licence": ["“l.pdf” is not a real PDF: its content is a Windows program (EXE)."]
    }


def verify_url(org) -> str:
    return f"/accounts/organizations/{org.pk}/verify/"


def test_the_organization_page_offers_the_licence_upload(alice, alice_org):
    html = login(alice).get(alice_org.get_absolute_url()).content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'name="licence"' in html and 'accept=".pdf,.jpg,.jpeg,.png"' in html
    assert 'name="documents"' in html and "multiple" in html


def test_submitting_with_a_licence_opens_a_case_that_lists_it(alice, alice_org, clerk):
    client = login(alice)
    response = client.post(
        verify_url(alice_org),
        {
            "idempotency_key": "k-1",
            "licence": upload("营业执照.png", png_bytes()),
            "documents": [upload("章程.pdf", pdf_bytes()), upload("说明.docx", docx_bytes())],
        },
    )
    case = Case.objects.get(organization=alice_org)
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert case.attachments.count() == 3
    page = client.get(case.get_absolute_url()).content.decode()
    licence = case.attachments.get(kind="licence")
    assert f'href="/attachments/{licence.pk}/"' in page and "营业执照.png" in page
    # The clerk sees the same list on the case and downloads the licence from it.
    assert f'href="/attachments/{licence.pk}/"' in login(clerk).get(case.get_absolute_url()).content.decode()
    assert download(login(clerk), licence).status_code == 200


def test_a_refused_file_shows_the_reason_and_keeps_the_form(alice, alice_org, media_root):
    client = login(alice)
    response = client.post(
        verify_url(alice_org),
        HTTP_ACCEPT_LANGUAGE="en",
        data={
            "idempotency_key": "keep-this-key",
            "licence": upload("营业执照.pdf", exe_bytes()),
            "documents": [upload("章程.pdf", pdf_bytes())],
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "is-invalid" in html
    assert "“营业执照.pdf” is not a real PDF: its content is a Windows program (EXE)." in html
    assert 'value="keep-this-key"' in html  # the same submission, still idempotent
    assert not Case.objects.filter(organization=alice_org).exists()
    assert stored_files(media_root) == []
    # Corrected and sent again with the same key: one case.
    client.post(
        verify_url(alice_org), {"idempotency_key": "keep-this-key", "licence": upload("l.pdf", pdf_bytes())}
    )
    client.post(
        verify_url(alice_org), {"idempotency_key": "keep-this-key", "licence": upload("l.pdf", pdf_bytes())}
    )
    assert Case.objects.filter(organization=alice_org).count() == 1


def test_the_licence_is_required_for_an_enterprise(alice, alice_org):
    response = login(alice).post(verify_url(alice_org), {"idempotency_key": "k"})
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert not Case.objects.filter(organization=alice_org).exists()


def test_an_individual_may_submit_without_a_licence(bob):
    org = make_org(bob, "巴特尔（个人）", 10000003, kind=OrganizationKind.INDIVIDUAL)
    response = login(bob).post(verify_url(org), {"idempotency_key": "k"})
    assert response.status_code == 302
    assert Case.objects.filter(organization=org).count() == 1


def test_a_stale_resubmission_is_answered_by_the_service(alice, alice_org, alice_case):
    # The organization is already under verification: no form to correct, the reason instead.
    response = login(alice).post(verify_url(alice_org), {"idempotency_key": "other"}, follow=True)
    assert response.redirect_chain[-1][0] == alice_org.get_absolute_url()
    assert Case.objects.filter(organization=alice_org).count() == 1
