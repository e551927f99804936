"""Sweeps: the periodic passes services need over their own cases — a deadline that lapsed, a
notice nobody answered — run by every worker every few minutes and by `zhibao sweep` (cron).

A service registers its sweep in AppConfig.ready(); a sweep must be idempotent (two workers may
run it at the same moment: each step it takes goes through case_transition, which re-reads
the record under lock, so the second finds the step taken and moves on).
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import close_old_connections

logger = logging.getLogger("zhibao.sweeps")
SWEEP_SECONDS = 300.0


@dataclass(frozen=True)
class Sweep:
    name: str
    func: Callable[[], dict]  # returns what it did, e.g. {"withdrawn": 2}


_sweeps: dict[str, Sweep] = {}
_last_run = {"at": 0.0}


def register_sweep(name: str, func: Callable[[], dict]) -> None:
    _sweeps[name] = Sweep(name, func)


def sweeps() -> list[Sweep]:
    return sorted(_sweeps.values(), key=lambda s: s.name)


def sweeps_run(names: list[str] | None = None) -> dict[str, dict]:
    """Run the sweeps (all, or those named) now; one that fails is logged and the rest still run."""
    results = {}
    for sweep in sweeps():
        if names and sweep.name not in names:
            continue
        try:
            results[sweep.name] = sweep.func() or {}
        except Exception as exc:  # one service's bug must not stop the others' deadlines
            logger.exception("sweep %s failed", sweep.name)
            results[sweep.name] = {"error": f"{type(exc).__name__}: {exc}"}
    return results


def sweeps_run_due(interval: float = SWEEP_SECONDS) -> dict[str, dict] | None:
    """Run the sweeps when `interval` seconds passed since this process last did (the worker's
    heartbeat thread calls this after each beat)."""
    now = time.monotonic()
    if _last_run["at"] and now - _last_run["at"] < interval:
        return None
    _last_run["at"] = now
    try:
        return sweeps_run()
    finally:
        close_old_connections()
