"""Loading the GB/T 4754-2017 industry classification from its CSV layout
(`code,level,section,division,group,class,name,remark`)."""

import csv
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from .models import Industry

LEVELS = {1: 1, 2: 2, 3: 3, 4: 4}


@dataclass
class LoadReport:
    read: int = 0
    created: int = 0
    updated: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)


def _parent_code(row: dict, level: int) -> str | None:
    return {1: None, 2: row["section"], 3: row["division"], 4: row["group"]}[level]


def industries_load(path: Path) -> LoadReport:
    """Upsert every valid row; a bad row is reported with its line and reason, never fatal."""
    report = LoadReport()
    rows: list[tuple[int, dict, int]] = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = {"code", "level", "name", "section", "division", "group"} - set(reader.fieldnames or [])
        if missing:
            raise ValueError(_("The file lacks the columns: %(cols)s") % {"cols": ", ".join(sorted(missing))})
        for line, row in enumerate(reader, start=2):
            report.read += 1
            code, name = (row.get("code") or "").strip(), (row.get("name") or "").strip()
            try:
                level = int(row.get("level") or 0)
            except ValueError:
                level = 0
            if level not in LEVELS:
                report.rejected.append((line, _("level must be 1–4")))
            elif not code or len(code) > 5 or not name:
                report.rejected.append((line, _("code (at most 5 characters) and name are required")))
            else:
                rows.append((line, {**row, "code": code, "name": name[:100]}, level))
    existing = set(Industry.objects.values_list("code", flat=True))
    known = existing | {r["code"] for _, r, _ in rows}
    # The standard prints a group that holds a single class on one line with that class
    # (e.g. 019 / 0190 其他农业), so the file has no row for the group: make it from the class.
    for line, row, level in list(rows):
        group = row.get("group", "").strip()
        if level == 4 and group and group not in known and row.get("division", "").strip() in known:
            rows.append((line, {**row, "code": group, "group": group}, 3))
            known.add(group)
    with transaction.atomic():
        for line, row, level in sorted(rows, key=lambda item: item[2]):  # parents first
            parent = _parent_code(row, level)
            if parent and parent not in known:
                report.rejected.append((line, _("its parent %(code)s is not in the file") % {"code": parent}))
                continue
            _obj, created = Industry.objects.update_or_create(
                code=row["code"], defaults={"name": row["name"], "level": level, "parent_id": parent or None}
            )
            report.created += created
            report.updated += not created
    report.rejected.sort()
    return report


def industry_lookup(code: str) -> Industry | None:
    """Find a class by its usual written form: "C3985" (section letter + digits), "3985" or "C".

    The standard's table numbers divisions, groups and classes without the section letter;
    people write the letter in front, so both spellings resolve, and a letter that does not
    match the digits' section is refused.
    """
    code = (code or "").strip().upper()
    if not code:
        return None
    digits = code[1:] if code[0].isalpha() and len(code) > 1 else code
    found = Industry.objects.filter(code=digits).select_related("parent__parent__parent").first()
    if found is None or digits == code:
        return found
    top = found
    while top.parent is not None:
        top = top.parent
    return found if top.code == code[0] else None
