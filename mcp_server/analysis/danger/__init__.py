"""Classify shell commands that can kill processes, destroy data or erase evidence.

Public API (the PreToolUse Bash hook, session forensics and the `flag_dangerous` tool use these):

    classify(command, targets=(), cwd=None) -> Assessment
    destroys_process_or_evidence(assessment) -> bool

Stdlib + bashlex (pure Python) only, Python 3.9+: the hook imports this in-process under the
user's python3. The rules are data in `rules.py`, the one source of truth.
"""

from __future__ import annotations

from .engine import Assessment, Finding, classify, destroys_process_or_evidence
from .rules import CATEGORIES, DANGEROUS_AT, GATE_CATEGORIES, RISKS

__all__ = [
    "Assessment", "Finding", "classify", "destroys_process_or_evidence",
    "CATEGORIES", "DANGEROUS_AT", "GATE_CATEGORIES", "RISKS",
]
