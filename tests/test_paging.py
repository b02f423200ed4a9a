from __future__ import annotations

import pytest

from mcp_server.errors import InputError
from mcp_server.paging import next_page_hint, page


def test_pages_cover_everything_once():
    items = list(range(25))
    q = {"process": "tmux"}
    seen, cursor = [], None
    while True:
        chunk, cursor, total = page(items, 10, cursor, q)
        seen += chunk
        assert total == 25
        if cursor is None:
            break
    assert seen == items


def test_cursor_from_another_query_is_refused():
    _, cursor, _ = page(list(range(5)), 2, None, {"process": "tmux"})
    with pytest.raises(InputError, match="different query"):
        page(list(range(5)), 2, cursor, {"process": "postgres"})


def test_garbage_cursor_is_refused():
    with pytest.raises(InputError, match="not one this tool issued"):
        page([1, 2], 1, "%%%not-base64", {})


def test_hint_tells_the_model_how_to_continue():
    _, cursor, total = page(list(range(5)), 2, None, {})
    hint = next_page_hint("log_show", cursor, 2, total)
    assert hint and cursor in hint and "log_show" in hint
    assert next_page_hint("log_show", None, 5, 5) is None


def test_cursors_survive_redaction():
    """Every result is redacted; base64 cursors looked like key material and were mangled."""
    from mcp_server.paging import encode_cursor, query_fingerprint
    from mcp_server.redact import redact

    for offset in (1, 7, 123456, 10**12):
        for fp in ("a1b2c3d4e5f6", "ffffffffffff", query_fingerprint({"process": ["tmux"], "start": "2h"})):
            token = encode_cursor(offset, fp)
            assert redact(token) == token
            assert redact(f'cursor="{token}"') == f'cursor="{token}"'
