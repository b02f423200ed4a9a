"""One redaction step for every tool's output.

Evidence is full of secrets: transcripts hold the commands an agent ran (with their API keys),
journals hold service command lines, crash reports hold environments. Every face passes what it
returns through `redact_obj` (or `redact_model`) so that no known secret format reaches a model,
a terminal or a report unredacted. Each rule keeps enough context to stay readable
(`Authorization: Bearer [REDACTED:bearer]`).
"""

from __future__ import annotations

import re
from typing import Any, Callable, TypeVar

from pydantic import BaseModel

_M = TypeVar("_M", bound=BaseModel)


def _tag(kind: str) -> str:
    return f"[REDACTED:{kind}]"


# (kind, pattern, group to keep before the secret). Order matters: specific formats first, then
# the generic key=value rule, so a known token inside "token=..." is named by its own kind.
_RULES: list[tuple[str, re.Pattern[str], int]] = [
    (
        "private_key",
        re.compile(
            r"-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY(?: BLOCK)?-----.*?(?:-----END \1PRIVATE KEY(?: BLOCK)?-----|\Z)",
            re.S,
        ),
        0,
    ),
    ("anthropic_key", re.compile(r"\bsk-ant-[A-Za-z0-9_\-]{8,}"), 0),
    ("openai_key", re.compile(r"\bsk-(?:proj-|svcacct-)?[A-Za-z0-9_\-]{20,}"), 0),
    ("aws_access_key_id", re.compile(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b"), 0),
    (
        "aws_secret_access_key",
        re.compile(r"(?i)(aws_?secret_?(?:access_?)?key[\"']?\s*[=:]\s*[\"']?)[A-Za-z0-9/+=]{30,}"),
        1,
    ),
    ("github_token", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}\b"), 0),
    ("github_token", re.compile(r"\bgithub_pat_[A-Za-z0-9_]{20,}"), 0),
    ("gitlab_token", re.compile(r"\bgl(?:pat|dt|ptt|rt|cbt|soat|ft|imt|agent)-[A-Za-z0-9_\-]{20,}"), 0),
    ("slack_token", re.compile(r"\bxox[abeoprs]-[A-Za-z0-9\-]{10,}"), 0),
    ("google_api_key", re.compile(r"\bAIza[0-9A-Za-z_\-]{35}\b"), 0),
    ("stripe_key", re.compile(r"\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,}"), 0),
    ("npm_token", re.compile(r"\bnpm_[A-Za-z0-9]{36}\b"), 0),
    ("jwt", re.compile(r"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}"), 0),
    ("bearer", re.compile(r"(?i)(\bbearer\s+)[A-Za-z0-9\-._~+/]{8,}=*"), 1),
    ("basic_auth", re.compile(r"(?i)(\bauthorization\s*[:=]\s*[\"']?basic\s+)[A-Za-z0-9+/]{6,}=*"), 1),
    ("url_password", re.compile(r"(\b[A-Za-z][A-Za-z0-9+.\-]{0,30}://[^/\s:@\"'<>\[]{1,256}:)(?!\[REDACTED)[^@\s/\"'<>]{1,256}(@)"), 1),
    # A line of key material on its own: a PEM body line printed to a log one line per event loses
    # its BEGIN/END markers. A run of 40+ base64 characters mixing upper case, lower case and digits
    # (git hashes and digests are lower-case hex, so they stay readable).
    (
        "key_material",
        re.compile(
            r"(?<![A-Za-z0-9+/=])(?=[A-Za-z0-9+/]{0,200}[A-Z])(?=[A-Za-z0-9+/]{0,200}[a-z])(?=[A-Za-z0-9+/]{0,200}[0-9])"
            r"[A-Za-z0-9+/]{40,}={0,2}(?![A-Za-z0-9+/=])"
        ),
        0,
    ),
    (
        "secret",
        re.compile(
            r"(?i)(\b[A-Za-z0-9_\-]{0,40}(?:password|passwd|pwd|secret|token|api[_\-]?key|apikey|access[_\-]?key|auth[_\-]?key|credentials?)"
            r"[A-Za-z0-9_\-]{0,40}[\"']?[ \t]{0,8}(?:=|:|\s--?>)[ \t]{0,8}[\"']?)(?!\[REDACTED)([^\s\"',;&<>]{4,})"
        ),
        1,
    ),
    (
        "secret",
        re.compile(r"(?i)(--(?:password|passwd|token|api-key|secret|client-secret)(?:=|\s+)[\"']?)(?!\[REDACTED)[^\s\"']{4,}"),
        1,
    ),
]

# Cheap screen: a string with none of these substrings cannot match any rule above.
_SCREEN = re.compile(
    r"(?i)PRIVATE KEY|sk-|AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA|secret|gh[pousr]_|github_pat_|gl[a-z]+-|xox|AIza|_live_|_test_|npm_|eyJ|bearer|basic|://|pass|pwd|token|key|credential|[A-Za-z0-9+/]{40}"
)


def _replace(kind: str, keep: int) -> Callable[[re.Match[str]], str]:
    if keep:
        def sub(m: re.Match[str]) -> str:
            tail = m.group(2) if kind == "url_password" else ""
            return m.group(1) + _tag(kind) + tail
    else:
        def sub(m: re.Match[str]) -> str:
            return _tag(kind)
    return sub


_COMPILED = [(rule, _replace(kind, keep)) for kind, rule, keep in _RULES]


# The same screen for ASCII text, faster: `_SCREEN` tries ~30 case-insensitive branches at every
# position (~0.3 ms for 2 KB of text, the bulk of materialising a page of transcript calls).
# For ASCII text, (?i) matching of these literals is substring search in the lower-cased text
# ("private key" needs no entry: it holds "key"); the 40-character run is looked for from the
# start of each run only. tests/test_redact.py checks the two screens agree.
_SCREEN_WORDS = ("key", "token", "pass", "secret", "pwd", "credential", "bearer", "basic", "://", "sk-", "npm_",
                 "_live_", "_test_", "xox", "eyj", "aiza", "github_pat_", "akia", "asia", "agpa", "aida", "aroa",
                 "anpa", "anva", "aipa")
_SCREEN_ASCII_REST = re.compile(r"gh[pousr]_|gl[a-z]+-|(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{40}")


def _may_hold_secret(text: str) -> bool:
    """Whether `_SCREEN` matches `text`."""
    if not text.isascii():
        return _SCREEN.search(text) is not None
    low = text.lower()
    for word in _SCREEN_WORDS:
        if word in low:
            return True
    return _SCREEN_ASCII_REST.search(low) is not None


def redact(text: str) -> str:
    """Return `text` with every known secret format replaced by `[REDACTED:<kind>]`."""
    if not text or not _may_hold_secret(text):
        return text
    for rule, sub in _COMPILED:
        text = rule.sub(sub, text)
    return text


def redact_obj(obj: Any) -> Any:
    """Redact every string inside nested dicts, lists and tuples (keys included)."""
    if isinstance(obj, str):
        return redact(obj)
    if isinstance(obj, dict):
        return {redact(k) if isinstance(k, str) else k: redact_obj(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(redact_obj(v) for v in obj)
    if isinstance(obj, BaseModel):
        return redact_model(obj)
    return obj


def redact_model(model: _M) -> _M:
    """A copy of a pydantic model with every string field redacted."""
    return type(model).model_validate(redact_obj(model.model_dump(mode="python")))
