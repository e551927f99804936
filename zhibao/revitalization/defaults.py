"""Revitalization's starting configuration (the key industries, the grading settings row), as
migration 0002 seeds it, available again after a flush (a transactional test's reset) without
overwriting anything the center changed (get_or_create by code)."""

import importlib


def defaults_ensure() -> None:
    from .models import GradingConfig, KeyIndustry

    seed = importlib.import_module("zhibao.revitalization.migrations.0002_key_industries")
    for code, name, order, prefixes, keywords in seed.KEY_INDUSTRIES:
        KeyIndustry.objects.get_or_create(code=code, defaults={
            "name": name, "order": order, "ipc_prefixes": prefixes, "keywords": keywords})
    GradingConfig.current()
