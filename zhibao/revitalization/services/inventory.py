"""盘点 (service RVI): an institution lists its patents, decides 入库 / 不入库 line by line, and
the center confirms.

An inventory is made from the institution's Excel list (公开号或申请号, 发明人联系方式, 备注) or
from the corpus by applicant name. Each line is matched to the corpus by its publication or
application number, in any of the spellings analysts' files hold (`zhibao.patents.normalize`).
A line that does not match is kept with its reason — a malformed number, a number not in the
corpus, a patent listed twice, a patent the institution does not hold — so the institution sees
exactly what was not taken and why. The file is read row by row (openpyxl read-only) and the
lines written with `bulk_create`, so a list of several thousand patents is one request.

The workflow's hooks are here too: `inventory_check_decided` (the institution may submit only
when every matched line is decided) and `inventory_pool` (completion puts every line whose
effective decision is 入库 into the convertible pool, held by the institution).
"""

import datetime as dt
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhibao.accounts.choices import OrganizationKind
from zhibao.core.attachments.services import attachment_add, attachment_files_discard
from zhibao.core.attachments.validators import CleanUpload, validate_upload
from zhibao.core.models import Case
from zhibao.core.services.cases import WorkflowError, case_submit
from zhibao.patents.models import Patent
from zhibao.patents.normalize import (
    NormalizeError,
    normalize_application_number,
    normalize_name,
    normalize_publication_number,
)

from .. import rules as r
from ..choices import InventoryState, ItemDecision, NotPooledReason
from ..models import Inventory, InventoryItem

SERVICE = "RVI"
LIST_KIND = "rv_inventory_list"  # the uploaded list is kept with the case, as sent
INSTITUTION_KINDS = (OrganizationKind.UNIVERSITY, OrganizationKind.INSTITUTE)
# A list past this many lines is refused whole: the center's largest institutions hold a few
# thousand patents (the seeds: 58 universities, 7,782 patents).
MAX_LINES = 20_000
BATCH = 500  # numbers per corpus query and rows per bulk write (SQLite's variable limit is 999+)

# The template's columns; a list may also use the other spellings of each header.
NUMBER_HEADER, CONTACT_HEADER, NOTES_HEADER = "公开号或申请号", "发明人联系方式", "备注"
HEADER_ALIASES = {
    "number": {NUMBER_HEADER, "公开号/申请号", "公开（公告）号", "公开(公告)号", "公开号", "公告号", "申请号", "专利号",
               "申请号/专利号", "publication or application number", "number"},
    "contact": {CONTACT_HEADER, "发明人联系方式（选填）", "联系方式", "发明人联系电话", "inventor contact"},
    "notes": {NOTES_HEADER, "备注（选填）", "说明", "notes"},
}
EDITABLE_STATES = {"institution": (InventoryState.OPEN, InventoryState.RETURNED),
                   "center": (InventoryState.IN_REVIEW,)}


@dataclass
class ListLine:
    """One line as the institution wrote it (row number in the sheet, or the order picked)."""

    line: int
    number: str
    inventor_contact: str = ""
    notes: str = ""


@dataclass
class Decision:
    """入库 / 不入库 for one line: the decision, the reason when not pooled, and its text."""

    decision: str
    reason: str = ""
    reason_text: str = ""


# --- who may act for an institution ---------------------------------------------------------

def institution_check(*, organization, user) -> None:
    """A verified university or research institute, and the user one of its members."""
    if organization is None or not r.member_of(user, organization.pk):
        raise WorkflowError("forbidden", _("Only the institution's members may make its inventory."),
                            fields={"organization": [_("Not one of your organizations.")]}, status=403)
    if organization.kind not in INSTITUTION_KINDS:
        raise WorkflowError("not_institution", _(
            "Inventories are made by universities and research institutes; %(name)s is not one.")
            % {"name": organization.name}, fields={"organization": [_("Not a university or institute.")]},
            status=400)
    if not organization.is_verified:
        raise WorkflowError("organization_not_verified", _(
            "Have the institution verified first (service “Organization verification”)."),
            fields={"organization": [_("Not verified yet.")]}, status=400)


# --- reading the Excel list -----------------------------------------------------------------

def _header_key(value) -> str:
    text = unicodedata.normalize("NFKC", str(value or "")).strip().lower().replace(" ", "")
    text = text.replace("*", "").replace("（必填）", "").replace("(必填)", "")
    return text


_ALIASES = {key: {_header_key(a) for a in names} for key, names in HEADER_ALIASES.items()}


def _cell_text(value) -> str:
    """A cell as text: a number typed into Excel (202223220665.2, 2022232206652) keeps its digits."""
    if value is None:
        return ""
    if isinstance(value, float):
        value = int(value) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return unicodedata.normalize("NFKC", str(value)).strip()


def _column(cells: list[str], index: int | None) -> str:
    return cells[index] if index is not None and index < len(cells) else ""


def _bad_file(message: str, code: str = "bad_file") -> WorkflowError:
    return WorkflowError(code, message, fields={"file": [message]}, status=400)


def inventory_list_read(content) -> Iterator[ListLine]:
    """The lines of an uploaded list, one at a time (openpyxl read-only: memory stays flat).

    The first non-empty row is the header; the number column is required (公开号或申请号 or one of
    its other spellings), the contact and notes columns are optional. Empty rows are skipped;
    a line's number is its row in the sheet, as the institution sees it in Excel. Raises
    WorkflowError for a file that is no workbook, has no such header or too many lines."""
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        content.seek(0)
        workbook = load_workbook(content, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise _bad_file(_("The file could not be read as an Excel workbook (.xlsx). Save it from Excel or WPS "
                          "as .xlsx, or start from the template.")) from exc
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise _bad_file(_("The workbook has no worksheet."))
        columns = None
        count = 0
        for row_number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell_text(v) for v in row]
            if not any(cells):
                continue
            if columns is None:
                keys = [_header_key(c) for c in cells]
                columns = {name: next((i for i, k in enumerate(keys) if k in aliases), None)
                           for name, aliases in _ALIASES.items()}
                if columns["number"] is None:
                    raise _bad_file(_(
                        "The first row must be the header with the column “%(number)s” (and optionally "
                        "“%(contact)s” and “%(notes)s”); found: %(found)s. Start from the template.")
                        % {"number": NUMBER_HEADER, "contact": CONTACT_HEADER, "notes": NOTES_HEADER,
                           "found": "、".join(c for c in cells if c)[:200] or "—"}, code="missing_header")
                continue

            count += 1
            if count > MAX_LINES:
                raise _bad_file(_("The list has more than %(max)s lines; split it into several inventories.")
                                % {"max": MAX_LINES}, code="too_many_lines")
            yield ListLine(line=row_number, number=_column(cells, columns["number"])[:60],
                           inventor_contact=_column(cells, columns["contact"])[:200],
                           notes=_column(cells, columns["notes"])[:2000])
        if columns is None:
            raise _bad_file(_("The file is empty: write the numbers under the header “%(number)s”.")
                            % {"number": NUMBER_HEADER}, code="missing_header")
    finally:
        workbook.close()


# --- matching the lines to the corpus -------------------------------------------------------

def holder_names(patent_fields: dict) -> list[str]:
    """The applicants and current holders of a patent, as written in the corpus."""
    names = [a.get("name", "") for a in (patent_fields.get("applicants") or []) if isinstance(a, dict)]
    names += [h for h in (patent_fields.get("current_holders") or []) if isinstance(h, str)]
    if patent_fields.get("first_applicant"):
        names.append(patent_fields["first_applicant"])
    return list(dict.fromkeys(n for n in names if n))


def is_held_by(patent_fields: dict, institution_name: str) -> bool:
    """The institution is among the patent's applicants or current holders (names compared
    normalised: full-width and half-width, parentheses, spaces)."""
    wanted = normalize_name(institution_name)
    return bool(wanted) and any(normalize_name(n) == wanted for n in holder_names(patent_fields))


def _candidates(number: str) -> tuple[str, str]:
    """The number read as a publication number and as an application number ("" where it is not one)."""
    try:
        publication = normalize_publication_number(number)
    except NormalizeError:
        publication = ""
    try:
        application = normalize_application_number(number)
        if not application.startswith("CN"):
            application = ""
    except NormalizeError:
        application = ""
    return publication, application


_FIELDS = ("pk", "publication_number", "application_number", "applicants", "current_holders", "first_applicant",
           "publication_date")


def _chunks(values: list, size: int = BATCH) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _lookup(publications: set[str], applications: set[str]) -> tuple[dict, dict]:
    """{publication number: fields} and {application number: fields of its latest document}."""
    by_publication, by_application = {}, {}
    for chunk in _chunks(sorted(publications)):
        for row in Patent.objects.filter(publication_number__in=chunk).values(*_FIELDS):
            by_publication[row["publication_number"]] = row
    for chunk in _chunks(sorted(applications)):
        # An application may have several documents (the A publication, then the B grant): the latest counts.
        for row in (Patent.objects.filter(application_number__in=chunk).values(*_FIELDS)
                    .order_by("application_number", "publication_date", "publication_number")):
            by_application[row["application_number"]] = row
    return by_publication, by_application


def inventory_lines_match(lines: Iterable[ListLine], *, institution_name: str) -> list[InventoryItem]:
    """The lines as unsaved InventoryItems, each with its corpus patent or the reason it has none.

    Reasons (stored in the platform's language, like every stored message): the number is
    malformed; it is not in the corpus; the patent was already listed on an earlier line; the
    patent is not held by the institution (neither an applicant nor a current holder)."""
    lines = list(lines)
    parsed = [(line, *_candidates(line.number)) for line in lines]
    by_publication, by_application = _lookup({p for _l, p, _a in parsed if p}, {a for _l, _p, a in parsed if a})
    seen: dict[int, int] = {}
    items = []
    with translation.override(settings.LANGUAGE_CODE):
        for line, publication, application in parsed:
            item = InventoryItem(line=line.line, number=line.number, inventor_contact=line.inventor_contact,
                                 notes=line.notes)
            found = by_publication.get(publication) or by_application.get(application)
            if not line.number:
                item.unmatched_reason = _("No number on this line.")
            elif not publication and not application:
                item.unmatched_reason = _(
                    "Malformed number: “%(value)s” is neither a publication number (e.g. CN218751475U) nor an "
                    "application number (e.g. 202223220665.2).") % {"value": line.number}
            elif found is None:
                item.unmatched_reason = _("Not in the patent corpus: no patent has the number %(number)s.") % {
                    "number": publication or application}
            elif found["pk"] in seen:
                item.unmatched_reason = _("Listed twice: %(number)s is the same patent as line %(line)s.") % {
                    "number": found["publication_number"], "line": seen[found["pk"]]}
            elif not is_held_by(found, institution_name):
                item.unmatched_reason = _(
                    "Not held by this institution: %(number)s belongs to %(holders)s.") % {
                    "number": found["publication_number"], "holders": "、".join(holder_names(found))[:120] or "—"}
            else:
                item.patent_id = found["pk"]
                seen[found["pk"]] = line.line
            item.unmatched_reason = item.unmatched_reason[:200]
            items.append(item)
    return items


def corpus_lines_of(applicant_name: str) -> list[ListLine]:
    """Every corpus patent whose applicants (or first applicant) include the name, newest first.

    Candidates come from the search index's exact applicant names and the database's first
    applicant; the holder check then runs on each as for an uploaded list."""
    from zhibao.patents.search import get_engine

    name = normalize_name(applicant_name)
    if not name:
        return []
    numbers = set(get_engine().publication_numbers("", filters={"applicant": [name]}))
    numbers |= set(Patent.objects.filter(first_applicant=name).values_list("publication_number", flat=True))
    rows = []
    for chunk in _chunks(sorted(numbers)):
        rows += list(Patent.objects.filter(publication_number__in=chunk).values(*_FIELDS, "application_date"))
    rows = [row for row in rows if is_held_by(row, name)]
    rows.sort(key=lambda row: (row["application_date"] or dt.date.min, row["publication_number"]), reverse=True)
    return [ListLine(line=i, number=row["publication_number"]) for i, row in enumerate(rows, start=1)]


# --- creating an inventory -------------------------------------------------------------------

def _replayed(user, key: str) -> Inventory | None:
    if not key:
        return None
    case = Case.objects.filter(applicant=user, service=SERVICE, idempotency_key=key[:64]).first()
    return case.detail if case else None


def summary_of(items: list[InventoryItem]) -> dict:
    matched = sum(1 for i in items if i.patent_id)
    return {"lines": len(items), "matched": matched, "unmatched": len(items) - matched}


def _create(*, user, organization, items: list[InventoryItem], source_name: str, key: str, upload=None):
    def create(case):
        inventory = Inventory.objects.create(case=case, organization=organization, source_name=source_name[:255])
        for item in items:
            item.inventory = inventory
        InventoryItem.objects.bulk_create(items, batch_size=BATCH)
        return inventory

    with translation.override(settings.LANGUAGE_CODE):
        title = _("Patent inventory: %(name)s") % {"name": organization.name}
    stored = []
    try:
        with transaction.atomic():
            inventory, created = case_submit(service=SERVICE, title=title[:200], applicant=user,
                                             organization=organization, idempotency_key=key, create_detail=create,
                                             payload=summary_of(items))
            if created and upload is not None:
                stored.append(attachment_add(case=inventory.case, kind=LIST_KIND, uploaded_file=upload, user=user))
    except BaseException:
        attachment_files_discard(stored)  # the rows rolled back; the file written meanwhile goes too
        raise
    return inventory, created


def inventory_create_from_upload(*, user, organization, uploaded_file, idempotency_key: str = "") -> tuple[Inventory, bool]:
    """Make an inventory from the institution's Excel list; returns (inventory, created).

    A file that is no .xlsx workbook, has no number column or holds no line is refused with
    a WorkflowError (code bad_file, missing_header, too_many_lines, empty_list) and nothing is
    stored. A replay with the same idempotency key returns the first inventory."""
    key = (idempotency_key or "").strip()[:64]
    if (existing := _replayed(user, key)) is not None:
        return existing, False
    institution_check(organization=organization, user=user)
    if uploaded_file is None:
        raise _bad_file(_("Choose the Excel file of your patent list."), code="file_required")
    try:
        upload = (uploaded_file if isinstance(uploaded_file, CleanUpload) and uploaded_file.kind == LIST_KIND
                  else validate_upload(kind=LIST_KIND, uploaded_file=uploaded_file))
    except ValidationError as exc:
        raise _bad_file(" ".join(exc.messages) or _("The file was refused."),
                        code=getattr(exc, "code", None) or "bad_file") from exc
    lines = list(inventory_list_read(upload.content))
    if not lines:
        raise _bad_file(_("The list has no line: write the numbers under the header “%(number)s”.")
                        % {"number": NUMBER_HEADER}, code="empty_list")
    items = inventory_lines_match(lines, institution_name=organization.name)
    return _create(user=user, organization=organization, items=items, source_name=upload.name, key=key,
                   upload=upload)


def inventory_create_from_corpus(*, user, organization, applicant_name: str = "",
                                 idempotency_key: str = "") -> tuple[Inventory, bool]:
    """Make an inventory of every corpus patent held by `applicant_name` (the institution's own
    name by default); returns (inventory, created). A name the corpus does not know is refused."""
    key = (idempotency_key or "").strip()[:64]
    if (existing := _replayed(user, key)) is not None:
        return existing, False
    institution_check(organization=organization, user=user)
    name = (applicant_name or "").strip() or organization.name
    lines = corpus_lines_of(name)
    if not lines:
        raise WorkflowError("no_patents", _("The patent corpus has no patent of the applicant “%(name)s”.")
                            % {"name": name}, fields={"applicant_name": [_("No patent of this applicant.")]},
                            status=400)
    items = inventory_lines_match(lines, institution_name=organization.name)
    return _create(user=user, organization=organization, items=items, source_name=name, key=key)


# --- decisions -------------------------------------------------------------------------------

def deciding_side(inventory: Inventory, user) -> str | None:
    """"institution" while the institution reviews its list, "center" while an operator reviews
    it, None when the user may not decide now."""
    if inventory.state in EDITABLE_STATES["institution"] and r.applicant_side(inventory, user):
        return "institution"
    if inventory.state in EDITABLE_STATES["center"] and r.operator(inventory, user):
        return "center"
    return None


def _decision_clean(decision: Decision) -> Decision:
    value = decision.decision
    if value not in ItemDecision.values:
        raise WorkflowError("bad_decision", _("“%(value)s” is not a decision.") % {"value": value},
                            fields={"decision": [_("Choose into the pool or not.")]}, status=400)
    if value != ItemDecision.NOT_POOLED:
        return Decision(value)
    reason, text = (decision.reason or "").strip(), (decision.reason_text or "").strip()[:300]
    if reason not in NotPooledReason.values:
        raise WorkflowError("reason_required", _("Give the reason a patent does not go into the pool."),
                            fields={"reason": [_("Choose a reason.")]}, status=400)
    if reason == NotPooledReason.OTHER and not text:
        raise WorkflowError("reason_text_required", _("Explain the reason “Other”."),
                            fields={"reason_text": [_("Required for the reason “Other”.")]}, status=400)
    return Decision(value, reason, text)


def inventory_side_check(inventory: Inventory, user) -> str:
    """The side the user decides for now, else the WorkflowError saying why not."""
    side = deciding_side(inventory, user)
    if side is not None:
        return side
    if r.applicant_side(inventory, user) or r.operator(inventory, user):
        raise WorkflowError("not_editable", _(
            "The decisions cannot be changed now: the inventory is “%(state)s”. Reload the page.")
            % {"state": inventory.case.status_label}, status=409)
    raise WorkflowError("forbidden", _("You may not decide on this inventory's lines."), status=403)


def _apply(item: InventoryItem, decision: Decision, *, side: str, user) -> bool:
    """Set the side's decision on the line; False when nothing changes. `reason_text` explains the
    reason "Other" of whoever gave it last, and is cleared when neither side's reason is "Other"."""
    mine, other = (("institution_decision", "institution_reason"), "center_reason") if side == "institution" else (
        ("center_decision", "center_reason"), "institution_reason")
    before = (getattr(item, mine[0]), getattr(item, mine[1]), item.reason_text)
    setattr(item, mine[0], decision.decision)
    setattr(item, mine[1], decision.reason)
    if decision.reason == NotPooledReason.OTHER:
        item.reason_text = decision.reason_text
    elif getattr(item, other) != NotPooledReason.OTHER:
        item.reason_text = ""
    if (getattr(item, mine[0]), getattr(item, mine[1]), item.reason_text) == before:
        return False
    item.decided_by = user
    return True


_UPDATE_FIELDS = {"institution": ["institution_decision", "institution_reason", "reason_text", "decided_by"],
                  "center": ["center_decision", "center_reason", "reason_text", "decided_by"]}


def _save_items(inventory: Inventory, items: list[InventoryItem], side: str) -> int:
    InventoryItem.objects.bulk_update(items, _UPDATE_FIELDS[side], batch_size=BATCH)
    if items:
        Case.objects.filter(pk=inventory.case_id).update(last_event_at=timezone.now())
    return len(items)


def _locked(inventory: Inventory) -> Inventory:
    return Inventory.objects.select_for_update().select_related("case", "organization").get(pk=inventory.pk)


@transaction.atomic
def inventory_items_decide(*, inventory: Inventory, user, decisions: dict[int, Decision]) -> int:
    """Decide lines of the inventory: {item id: Decision}; returns how many lines changed.

    The institution decides while the inventory is open or returned; an operator while it is
    in review (the center's decision; a line it leaves undecided keeps the institution's).
    Only matched lines are decided; 不入库 needs a reason and the reason "Other" its text. One bad
    decision refuses the whole request (nothing is half-saved)."""
    inventory = _locked(inventory)
    side = inventory_side_check(inventory, user)
    cleaned = {int(pk): _decision_clean(d) for pk, d in decisions.items()}
    items = list(inventory.items.filter(pk__in=list(cleaned)))
    unknown = set(cleaned) - {i.pk for i in items}
    if unknown:
        raise WorkflowError("unknown_line", _("%(count)s of the lines are not lines of this inventory.")
                            % {"count": len(unknown)}, status=400)
    unmatched = [i.line for i in items if not i.patent_id]
    if unmatched:
        raise WorkflowError("unmatched_line", _(
            "Lines that did not match a patent cannot be decided (line %(lines)s).")
            % {"lines": "、".join(str(n) for n in sorted(unmatched)[:10])}, status=400)
    changed = [i for i in items if _apply(i, cleaned[i.pk], side=side, user=user)]
    return _save_items(inventory, changed, side)


@transaction.atomic
def inventory_items_decide_all(*, inventory: Inventory, user, decision: Decision, only_undecided: bool = True,
                               item_ids: Iterable[int] | None = None) -> int:
    """One decision for many matched lines at once ("select all matched → 入库"): every matched
    line, or only those the side has not decided yet, or the given ids; returns how many changed.
    For the center, `only_undecided` confirms the institution's same decision on the lines the
    center has not decided."""
    inventory = _locked(inventory)
    side = inventory_side_check(inventory, user)
    cleaned = _decision_clean(decision)
    items = inventory.items.filter(patent__isnull=False)
    if item_ids is not None:
        items = items.filter(pk__in=list(item_ids))
    if only_undecided and side == "institution":
        items = items.filter(institution_decision=ItemDecision.PENDING)
    elif only_undecided:
        # The center's "all" confirms the institution's decision where it has not decided itself;
        # it never turns the institution's 不入库 into 入库 (or back) wholesale.
        items = items.filter(center_decision=ItemDecision.PENDING, institution_decision=cleaned.decision)
    changed = [i for i in items if _apply(i, cleaned, side=side, user=user)]
    return _save_items(inventory, changed, side)


# --- the workflow's hooks ------------------------------------------------------------------

def effective(decision: str) -> Q:
    """Lines whose effective decision (the center's once made, else the institution's) is `decision`."""
    if decision == ItemDecision.PENDING:
        return Q(center_decision=ItemDecision.PENDING, institution_decision=ItemDecision.PENDING)
    return Q(center_decision=decision) | Q(center_decision=ItemDecision.PENDING, institution_decision=decision)


def inventory_counts(inventory: Inventory) -> dict:
    """Lines, matched, unmatched and the matched lines by the institution's, the center's and the
    effective decision."""
    from django.db.models import Count

    items = inventory.items.all()
    matched = items.filter(patent__isnull=False)
    by = {field: dict(matched.values(field).annotate(n=Count("pk")).values_list(field, "n"))
          for field in ("institution_decision", "center_decision")}
    total, n_matched = items.count(), matched.count()
    return {
        "lines": total, "matched": n_matched, "unmatched": total - n_matched,
        "institution": {d: by["institution_decision"].get(d, 0) for d in ItemDecision.values},
        "center": {d: by["center_decision"].get(d, 0) for d in ItemDecision.values},
        "effective": {d: matched.filter(effective(d)).count() for d in ItemDecision.values},
    }


def inventory_check_decided(inventory: Inventory) -> None:
    """Submit's condition: the list matched at least one patent and the institution decided
    every matched line."""
    matched = inventory.items.filter(patent__isnull=False)
    if not matched.exists():
        raise WorkflowError("nothing_matched", _(
            "No line of this inventory matched a patent of the institution: there is nothing to submit. "
            "Withdraw it and upload a corrected list."), status=400)
    undecided = matched.filter(institution_decision=ItemDecision.PENDING).count()
    if undecided:
        raise WorkflowError("undecided", _(
            "%(count)s matched lines are not decided yet: decide into the pool or not for each.")
            % {"count": undecided}, fields={"decisions": [_("%(count)s undecided.") % {"count": undecided}]},
            status=400)


def inventory_pool(inventory: Inventory, *, actor) -> int:
    """Complete's effect: every line whose effective decision is 入库 goes into the pool, held by
    the institution (a patent already listed keeps its listing); returns how many lines."""
    from .pool import pool_add

    lines = (inventory.items.filter(patent__isnull=False).filter(effective(ItemDecision.POOLED))
             .select_related("patent").order_by("line"))
    count = 0
    for item in lines:
        pool_add(patent=item.patent, holder=inventory.organization, actor=actor, source_item=item)
        count += 1
    inventory.completed_at = timezone.now()
    return count
