"""Intake of a pre-examination case (service PE): what is refused at the door and why.

Refused with the reason: a PCT national-phase entry or a divisional application (they keep an
earlier application's dates, outside the channel); an organization without a valid filing or
with an abnormal-filing record; IPC codes outside the center's fields or the organization's
filed fields — for a design, Locarno codes instead (a design is classified by the Locarno
Classification, not IPC: a design with IPC codes, or an invention or utility model with Locarno
codes, is refused with the scheme it needs); a second open case of the same organization with the same title; missing
documents (专利法 第二十六条/第二十七条: request, description, claims and abstract; drawings for a
utility model, 实施细则 第四十条; a design's views and brief explanation).
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhibao.core.attachments.kinds import limits
from zhibao.core.services.cases import WorkflowError, case_submit
from zhibao.patents.choices import PatentType
from zhibao.patents.normalize import NormalizeError, parse_ipc

from ..choices import PRE_EXAM_OPEN_STATES, ApplicationKind, DocumentKind
from ..fields import normalize_locarno
from ..models import PreExamCase, TechnicalField
from .filings import abnormal_records_of, valid_filing_of
from .uploads import StoredFiles, checked

D = DocumentKind
REQUIRED_DOCUMENTS = {
    PatentType.INVENTION: (D.REQUEST_FORM, D.DESCRIPTION, D.CLAIMS, D.ABSTRACT),
    PatentType.UTILITY_MODEL: (D.REQUEST_FORM, D.DESCRIPTION, D.CLAIMS, D.ABSTRACT, D.DRAWINGS),
    PatentType.DESIGN: (D.REQUEST_FORM, D.DESCRIPTION, D.DRAWINGS),
}


def title_key(title: str) -> str:
    """Titles compared for duplicates: no spaces or punctuation, half-width, lower case."""
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", title or "")).lower()


def duplicate_of(*, organization, title: str, exclude_pk=None) -> PreExamCase | None:
    key = title_key(title)
    qs = PreExamCase.objects.filter(filing__organization=organization, state__in=PRE_EXAM_OPEN_STATES)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    for case in qs.only("pk", "title", "case_id").select_related("case"):
        if title_key(case.title) == key:
            return case
    return None


def ipc_codes_parse(values) -> list[str]:
    """Declared IPC codes, canonical; every bad one is reported."""
    if isinstance(values, str):
        # Half-width first, so a full-width code after a separator (，Ｃ２２Ｃ) is split off too.
        values = re.split(r"[;,\s]+(?=[A-Ha-h])", unicodedata.normalize("NFKC", values))
    codes, errors = [], []
    for value in values or []:
        if not str(value).strip():
            continue
        try:
            code = parse_ipc(value).code
        except NormalizeError as exc:
            errors.append(str(exc))
            continue
        if code not in codes:
            codes.append(code)
    if errors:
        raise WorkflowError("bad_ipc", _("Some IPC codes are malformed: %(errors)s") % {"errors": "；".join(errors)},
                            fields={"ipc_codes": errors}, status=400)
    if not codes:
        raise WorkflowError("no_ipc", _("Declare at least one IPC code, e.g. H01M 10/052."),
                            fields={"ipc_codes": [_("Required.")]}, status=400)
    return codes


def _field_filed_check(field: TechnicalField, filed_fields) -> None:
    if field.pk not in {f.pk for f in filed_fields}:
        raise WorkflowError("field_not_filed", _(
            "Your organization's filing does not cover the field “%(field)s”; it covers: %(fields)s.")
            % {"field": field.name, "fields": "、".join(f.name for f in filed_fields)},
            fields={"field": [_("Not in your filing.")]}, status=400)


def ipc_field_check(codes: list[str], field: TechnicalField, filed_fields) -> None:
    """The main (first) IPC must fall in the declared field, and the field must be one of the
    organization's filing; any code outside every field of the center is an error too."""
    fields = list(TechnicalField.objects.filter(active=True))
    _field_filed_check(field, filed_fields)
    outside = [c for c in codes if not any(f.covers_ipc(c) for f in fields)]
    if outside:
        raise WorkflowError("ipc_outside_fields", _(
            "%(codes)s lie outside the center's technical fields (%(fields)s): the channel cannot take "
            "this application.") % {"codes": "、".join(outside), "fields": "、".join(f.name for f in fields)},
            fields={"ipc_codes": [_("Outside the center's fields.")]}, status=400)
    if not field.covers_ipc(codes[0]):
        owners = [f.name for f in fields if f.covers_ipc(codes[0])]
        raise WorkflowError("ipc_field_mismatch", _(
            "The main IPC %(code)s belongs to %(owner)s, not to the declared field “%(field)s”.")
            % {"code": codes[0], "owner": "、".join(owners), "field": field.name},
            fields={"field": [_("Does not match the main IPC.")]}, status=400)


def _declared(values) -> bool:
    """Whether anything was declared: a non-blank string or a list with a non-blank item."""
    if isinstance(values, str):
        return bool(values.strip())
    return any(str(v).strip() for v in values or [])


def locarno_codes_parse(values) -> list[str]:
    """A design's declared Locarno codes, canonical (`13-03`), the main one first; every bad one
    is reported. A design is classed in a subclass, so a class alone (`13`) is refused."""
    if isinstance(values, str):
        # Not on spaces: "13 03" is one code as a Chinese applicant often writes it.
        values = re.split(r"[;,，；、\n]+", unicodedata.normalize("NFKC", values))
    codes, errors = [], []
    for value in values or []:
        if not str(value).strip():
            continue
        try:
            code = normalize_locarno(str(value), subclass=True)
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        if code not in codes:
            codes.append(code)
    if errors:
        raise WorkflowError("bad_locarno", _("Some Locarno codes are malformed: %(errors)s")
                            % {"errors": "；".join(errors)}, fields={"locarno_codes": errors}, status=400)
    if not codes:
        raise WorkflowError("no_locarno", _(
            "A design is classified by the Locarno Classification: declare its class and subclass, e.g. 13-03."),
            fields={"locarno_codes": [_("Required.")]}, status=400)
    return codes


def _locarno_ranges(fields) -> str:
    return "；".join(f"{f.name} {'、'.join(f.locarno_classes) or '—'}" for f in fields)


def locarno_field_check(codes: list[str], field: TechnicalField, filed_fields) -> None:
    """ipc_field_check for a design: the main (first) Locarno code must fall in the declared
    field's Locarno classes, the field must be one of the organization's filing, and every code
    must lie in some field of the center."""
    fields = list(TechnicalField.objects.filter(active=True))
    _field_filed_check(field, filed_fields)
    outside = [c for c in codes if not any(f.covers_locarno(c) for f in fields)]
    if outside:
        raise WorkflowError("locarno_outside_fields", _(
            "Locarno %(codes)s lie outside the center's technical fields for designs (%(fields)s): the channel "
            "cannot take this application.") % {"codes": "、".join(outside), "fields": _locarno_ranges(fields)},
            fields={"locarno_codes": [_("Outside the center's fields.")]}, status=400)
    if not field.covers_locarno(codes[0]):
        owners = [f.name for f in fields if f.covers_locarno(codes[0])]
        raise WorkflowError("locarno_field_mismatch", _(
            "The main Locarno code %(code)s belongs to %(owner)s, not to the declared field “%(field)s” "
            "(Locarno %(classes)s).")
            % {"code": codes[0], "owner": "、".join(owners), "field": field.name,
               "classes": "、".join(field.locarno_classes) or "—"},
            fields={"field": [_("Does not match the main Locarno code.")]}, status=400)


def classification_check(*, patent_type: str, ipc_codes, locarno_codes) -> tuple[list[str], list[str]]:
    """(IPC codes, Locarno codes) as the case keeps them: a design has Locarno codes and no IPC,
    an invention or a utility model IPC codes and no Locarno (《国际外观设计分类表》 classes
    designs; IPC does not)."""
    if patent_type == PatentType.DESIGN:
        if _declared(ipc_codes):
            raise WorkflowError("ipc_for_design", _(
                "A design is classified by the Locarno Classification, not IPC: leave the IPC codes empty and "
                "declare the Locarno class and subclass, e.g. 13-03."),
                fields={"ipc_codes": [_("Not for a design: use the Locarno codes.")]}, status=400)
        return [], locarno_codes_parse(locarno_codes)
    if _declared(locarno_codes):
        raise WorkflowError("locarno_not_for_type", _(
            "Locarno codes are for designs only: “%(type)s” is classified by IPC.")
            % {"type": PatentType(patent_type).label},
            fields={"locarno_codes": [_("Only for a design: use the IPC codes.")]}, status=400)
    return ipc_codes_parse(ipc_codes), []


_saved: dict[str, tuple[float, object]] = {}


def saved_suggester():
    """The last trained model as saved, even if the corpus changed since: training is the job's
    work (pre_exam.ipc_suggest_train, queued after imports), never a request's — it would hold
    the database's write lock for minutes. No model yet: the job is queued and None returned."""
    from ..jobs import JOB_NAME
    from ..suggest import IpcSuggester, model_path

    path = model_path()
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        from zhibao.core.choices import JobStatus
        from zhibao.core.models import Job
        from zhibao.core.services.jobs import job_start
        from zhibao.patents.models import Patent

        if (Patent.objects.exists()
                and not Job.objects.filter(name=JOB_NAME, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).exists()):
            job_start(name=JOB_NAME, title=_("Train the IPC suggestion"))
        return None
    hit = _saved.get(str(path))
    if hit is None or hit[0] != mtime:
        hit = (mtime, IpcSuggester.load(path))
        _saved[str(path)] = hit
    return hit[1]


def suggestion_for(title: str, abstract: str) -> dict:
    """The classification the model suggests, with confidences; {} when no model can be had
    (an empty corpus): the suggestion helps the examiner and never blocks an applicant."""
    from ..suggest import field_for_subclasses

    try:
        model = saved_suggester()
    except Exception:  # noqa: BLE001 — a broken model file must not refuse a submission
        import logging

        logging.getLogger(__name__).warning("IPC suggestion unavailable", exc_info=True)
        return {}
    if model is None:
        return {}
    ranked = model.suggest(title, abstract, k=5)
    fields = [(f.code, f.name, tuple(p.rstrip("/") for p in f.ipc_prefixes))
              for f in TechnicalField.objects.filter(active=True)]
    best = field_for_subclasses(ranked, fields)
    return {
        "subclasses": [[code, round(float(conf), 4)] for code, conf in ranked],
        "field": best[0] if best else "",
        "field_name": best[1] if best else "",
        "field_confidence": round(float(best[2]), 4) if best else 0.0,
        "trained_on": model.meta.get("watermark", {}).get("count", 0),
    }


def documents_check(patent_type: str, documents: dict) -> dict:
    """Every upload checked (validate_upload) before anything is stored; missing ones reported,
    and so are kinds that are no application document and more files than a case may hold (so
    a refusal never comes half-way through storing them)."""
    unknown = sorted(set(documents) - set(DocumentKind.values))
    if unknown:
        raise WorkflowError("bad_document_kind", _("Unknown kinds of document: %(kinds)s.")
                            % {"kinds": "、".join(unknown)}, fields={k: [_("Unknown kind.")] for k in unknown},
                            status=400)
    count = sum(len(files) for files in documents.values() if files)
    most = limits().max_files_per_case
    if count > most:
        raise WorkflowError("too_many_files", _("Upload at most %(most)d files with an application (%(count)d given).")
                            % {"most": most, "count": count}, status=400)
    missing = [str(k.label) for k in REQUIRED_DOCUMENTS.get(patent_type, ()) if not documents.get(k.value)]
    if missing:
        raise WorkflowError("documents_missing", _("Upload the missing documents: %(kinds)s.")
                            % {"kinds": "、".join(missing)},
                            fields={k.value: [_("Required.")] for k in REQUIRED_DOCUMENTS[patent_type]
                                    if not documents.get(k.value)}, status=400)
    return {kind: [checked(kind, f) for f in files] for kind, files in documents.items()
            if files}


@transaction.atomic
def pre_exam_submit(*, user, organization, patent_type: str, title: str, abstract: str, field, documents: dict,
                    ipc_codes=None, locarno_codes=None, application_kind: str = ApplicationKind.ORDINARY,
                    agency: str = "", agent: str = "", idempotency_key: str = "") -> tuple[PreExamCase, bool]:
    """Submit an application for pre-examination; returns (case, created).

    An invention or a utility model declares `ipc_codes`, a design `locarno_codes` (a list, or
    one string separated by semicolons), the main code first.

    `documents` maps a DocumentKind value to a list of uploaded files. A refusal raises
    WorkflowError (code, message, fields) and stores nothing; a replay with the same
    idempotency key returns the first case.
    """
    key = (idempotency_key or "").strip()
    if key and (existing := organization.cases.filter(service="PE", applicant=user, idempotency_key=key[:64]).first()):
        return existing.detail, False
    if application_kind == ApplicationKind.PCT_NATIONAL:
        raise WorkflowError("pct_refused", _(
            "A PCT national-phase application cannot use pre-examination: it keeps its international "
            "filing date and is examined by CNIPA directly."), fields={"application_kind": [_("Not accepted.")]},
            status=400)
    if application_kind == ApplicationKind.DIVISIONAL:
        raise WorkflowError("divisional_refused", _(
            "A divisional application cannot use pre-examination: it keeps its parent application's filing "
            "date (专利法实施细则 第四十九条)."), fields={"application_kind": [_("Not accepted.")]}, status=400)
    if application_kind not in ApplicationKind.values:
        raise WorkflowError("bad_kind", _("Unknown kind of application."), status=400)
    if patent_type not in PatentType.values:
        raise WorkflowError("bad_type", _("Choose the patent type."), fields={"patent_type": [_("Required.")]},
                            status=400)
    if not organization.memberships.filter(user=user).exists():
        raise WorkflowError("forbidden", _("You may submit only for an organization you belong to."), status=403)
    if not organization.is_verified:
        # Its details changed since the filing (organization_update asks for a new verification):
        # the filing was granted to the organization as it was then.
        raise WorkflowError("organization_not_verified", _(
            "Your organization's details changed and wait for verification; the channel is open again "
            "once it is verified."), status=400)
    if abnormal_records_of(organization).exists():
        raise WorkflowError("abnormal_filing", _(
            "This organization has a record of abnormal patent applications and may not use the "
            "pre-examination channel."), status=400)
    filing = valid_filing_of(organization)
    if filing is None:
        raise WorkflowError("no_valid_filing", _(
            "Your organization has no valid pre-examination filing. Apply for filing first "
            "(service “Pre-examination filing”)."), status=400)
    title, abstract = (title or "").strip(), (abstract or "").strip()
    if not title or not abstract:
        raise WorkflowError("incomplete", _("Give the title and the abstract."),
                            fields={k: [_("Required.")] for k, v in (("title", title), ("abstract", abstract)) if not v},
                            status=400)
    codes, locarno = classification_check(patent_type=patent_type, ipc_codes=ipc_codes, locarno_codes=locarno_codes)
    if field is None:
        raise WorkflowError("no_field", _("Choose the technical field."), fields={"field": [_("Required.")]},
                            status=400)
    if locarno:
        locarno_field_check(locarno, field, list(filing.fields.all()))
    else:
        ipc_field_check(codes, field, list(filing.fields.all()))
    duplicate = duplicate_of(organization=organization, title=title)
    if duplicate is not None:
        raise WorkflowError("duplicate_submission", _(
            "Your organization already has an open case with this title: %(number)s.")
            % {"number": duplicate.case.number}, status=409)
    clean = documents_check(patent_type, documents)
    # The model suggests IPC subclasses: nothing to say about a design (Locarno).
    suggestion = {} if patent_type == PatentType.DESIGN else suggestion_for(title, abstract)

    def create(case):
        return PreExamCase.objects.create(
            case=case, filing=filing, field=field, patent_type=patent_type, application_kind=application_kind,
            title=title[:200], abstract=abstract, ipc_codes=codes, locarno_codes=locarno, agency=(agency or "").strip()[:200],
            agent=(agent or "").strip()[:50], suggestion=suggestion,
        )

    with StoredFiles() as files:  # the case is rolled back on an error: so are the files already written
        detail, created = case_submit(service="PE", title=title[:200], applicant=user, organization=organization,
                                      idempotency_key=key, create_detail=create)
        if created:
            for kind, uploads in clean.items():
                for upload in uploads:
                    files.add(case=detail.case, kind=kind, upload=upload, user=user)
    return detail, created
