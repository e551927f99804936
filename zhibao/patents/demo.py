"""Demo data of the patent corpus: a generated sample and the real export sample, imported
through the real import service (so the search index has them too). Idempotent: a second run
finds every record unchanged and writes nothing."""

import tempfile
from pathlib import Path

from zhibao.core.demo import SHARED_DATA

from .importing.generator import generate_patents_file
from .importing.services import patents_import

REAL_SAMPLE = "patents/cn_patents_full_fields_sample.csv"
IPC_SCHEME = "ipc/ipc_2026_01_zh.csv"


def load_demo_patents(count: int = 2000, stdout=None, seed: int = 2024) -> dict:
    """Generate `count` records (fixed seed, so the same ones every time) and import them,
    then the real sample file when it is present. Returns {file name: report dict}."""
    reports = {}
    with tempfile.TemporaryDirectory() as directory:
        generated = Path(directory) / "demo-patents.csv"
        generate_patents_file(path=generated, count=count, seed=seed)
        reports[generated.name] = patents_import(path=generated, preset="cn_export", source_name=generated.name,
                                                 rejected_path=Path(directory) / "rejected.csv").as_dict()
    real = SHARED_DATA / REAL_SAMPLE
    if real.exists():
        with tempfile.TemporaryDirectory() as directory:
            reports[real.name] = patents_import(path=real, source_name=real.name,
                                                rejected_path=Path(directory) / "rejected.csv").as_dict()
    if stdout is not None:
        for name, report in reports.items():
            stdout.write(f"Patents from {name}: {report['created']} created, {report['updated']} updated, "
                         f"{report['unchanged']} unchanged, {report['rejected']} rejected.")
    return reports


def load_demo_ipc(stdout=None) -> int:
    """The Chinese IPC scheme from the shared data folder, once (its titles label IPC codes on
    every page and add words to the search dictionary); 0 when the folder is absent."""
    from .ipc import ipc_load
    from .models import IpcCode

    scheme = SHARED_DATA / IPC_SCHEME
    if IpcCode.objects.exists() or not scheme.exists():
        return 0
    notes = scheme.with_name(scheme.stem + "_notes.jsonl")
    result = ipc_load(path=scheme, notes_path=notes if notes.exists() else None, edition="2026.01")
    if stdout is not None:
        stdout.write(f"IPC scheme: {result.created} symbols loaded from {scheme.name}.")
    return result.created


def load(stdout=None) -> None:
    """Called by `zhibao demo` (every app's demo.load): IPC scheme, patents, then the industry
    collections, whose counts need the patents."""
    from .collections import load_demo_collections

    load_demo_ipc(stdout=stdout)
    load_demo_patents(stdout=stdout)
    load_demo_collections()
