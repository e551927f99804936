"""The channel's starting configuration (the three fields, the formal checklist, the settings
row), as migrations 0002 and 0003 seed it, available again: a database emptied by a flush (a
test's transactional reset) or restored without the data migrations gets it back, and nothing
the center changed is overwritten (get_or_create by code)."""

import importlib


def defaults_ensure() -> None:
    from .models import FormalCheckItem, PreExamConfig, TechnicalField

    seed = importlib.import_module("zhibao.pre_exam.migrations.0002_default_fields_and_checklist")
    locarno = importlib.import_module("zhibao.pre_exam.migrations.0003_locarno")
    for code, name, order, prefixes, keywords in seed.FIELDS:
        TechnicalField.objects.get_or_create(code=code, defaults={
            "name": name, "order": order, "ipc_prefixes": prefixes, "keywords": keywords,
            "locarno_classes": locarno.LOCARNO.get(code, [])})
    for order, (code, label, hint, types) in enumerate(seed.CHECKLIST, start=1):
        hint = locarno.CHECKLIST_HINTS.get(code, (hint, hint))[1]
        FormalCheckItem.objects.get_or_create(code=code, defaults={
            "label": label, "hint": hint, "patent_types": types, "order": order * 10})
    PreExamConfig.current()
