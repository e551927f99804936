"""Set Chinese translations in the zh_Hans catalogue: po_set.py 'msgid=译文' …  (clears fuzzy)."""

import sys
from pathlib import Path

import polib

PO = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def main(pairs: list[str]) -> None:
    po = polib.pofile(str(PO))
    wanted = dict(pair.split("=", 1) for pair in pairs)
    for entry in po:
        if entry.msgid in wanted:
            entry.msgstr = wanted.pop(entry.msgid)
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            entry.previous_msgid = None
    if wanted:
        sys.exit(f"not in the catalogue: {sorted(wanted)}")
    po.save()
    left = po.untranslated_entries() + po.fuzzy_entries()
    print(f"{len(left)} entries still untranslated or fuzzy" + (f": {[e.msgid for e in left][:10]}" if left else ""))


if __name__ == "__main__":
    main(sys.argv[1:])
