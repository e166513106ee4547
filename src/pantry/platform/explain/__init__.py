"""``pantry explain``: the plans of pantry's key queries on the current data."""

from __future__ import annotations

from pantry.platform.explain.cases import CASES, NAMES, Samples
from pantry.platform.explain.plans import PlanReport, explain_action

__all__ = ["NAMES", "PlanReport", "Skipped", "run_cases"]


class Skipped(str):
    """The name of a case that the current data gives no parameters for."""


def run_cases(names: list[str] | None = None) -> list[PlanReport | Skipped]:
    """Explain the named cases (all when empty), in the order of ``CASES``."""
    wanted = set(names or NAMES)
    samples = Samples()
    results: list[PlanReport | Skipped] = []
    for case in CASES:
        if case.name not in wanted:
            continue
        action = case.build(samples)
        if action is None:
            results.append(Skipped(case.name))
            continue
        results.extend(explain_action(case.name, action))
    return results
