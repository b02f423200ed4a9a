"""Cursor paging for large results.

A cursor is an opaque token holding the offset of the next item and a fingerprint of the query
that produced it; a cursor from another query is refused rather than silently mixing pages.
Tools recompute their (deterministic, sorted) results and slice them, so cursors stay valid across
server restarts as long as the evidence has not changed.
"""

from __future__ import annotations

import hashlib
from typing import Any, Optional, Sequence, TypeVar

import orjson

from .errors import InputError

T = TypeVar("T")

#: Hard ceiling on one page, whatever the caller asks: keeps every tool result well under the
#: ~10k-token size at which Claude Code starts warning.
MAX_LIMIT = 1000


def query_fingerprint(query: dict[str, Any]) -> str:
    """A short hash of the arguments that define a result set (the cursor and limit excluded)."""
    clean = {k: v for k, v in sorted(query.items()) if k not in ("cursor", "limit")}
    return hashlib.blake2b(orjson.dumps(clean, default=str, option=orjson.OPT_SORT_KEYS), digest_size=6).hexdigest()


def pack_token(obj: dict[str, Any]) -> str:
    """An opaque cursor: the JSON as lower-case hex. Not base64, on purpose: every tool result passes
    through redaction, and a long mixed-case base64 run is what leaked key material looks like."""
    return orjson.dumps(obj).hex()


def unpack_token(token: str) -> dict[str, Any]:
    """The object inside a cursor; ValueError (or an orjson error) for anything this module did not pack."""
    data = orjson.loads(bytes.fromhex(token))
    if not isinstance(data, dict):
        raise ValueError("not a cursor")
    return data


def encode_cursor(offset: int, fingerprint: str) -> str:
    return pack_token({"o": offset, "q": fingerprint})


def decode_cursor(cursor: Optional[str], fingerprint: str) -> int:
    """The offset a cursor points at (0 for no cursor); `InputError` for a bad or foreign cursor."""
    if not cursor:
        return 0
    try:
        data = unpack_token(cursor)
        offset = int(data["o"])
        fp = str(data["q"])
    except Exception as exc:  # noqa: BLE001 - any decoding failure means the same thing to the caller
        raise InputError("the cursor is not one this tool issued; call again without a cursor") from exc
    if fp != fingerprint:
        raise InputError("the cursor belongs to a different query; call again without a cursor or with the same arguments")
    if offset < 0:
        raise InputError("the cursor is corrupt; call again without a cursor")
    return offset


def check_limit(limit: int, maximum: int = MAX_LIMIT) -> int:
    if limit < 1:
        raise InputError("limit must be at least 1")
    return min(limit, maximum)


def page(items: Sequence[T], limit: int, cursor: Optional[str], query: dict[str, Any]) -> tuple[list[T], Optional[str], int]:
    """Slice `items` for one page: (page items, next cursor or None, total)."""
    fp = query_fingerprint(query)
    offset = decode_cursor(cursor, fp)
    limit = check_limit(limit)
    chunk = list(items[offset : offset + limit])
    nxt = offset + len(chunk)
    next_cursor = encode_cursor(nxt, fp) if nxt < len(items) else None
    return chunk, next_cursor, len(items)


def next_page_hint(tool: str, next_cursor: Optional[str], shown: int, total: int) -> Optional[str]:
    """The sentence that tells the model exactly how to get the rest."""
    if not next_cursor:
        return None
    return (
        f"Showing {shown} of {total}. Call {tool} again with the same arguments and "
        f"cursor=\"{next_cursor}\" for the next page."
    )
