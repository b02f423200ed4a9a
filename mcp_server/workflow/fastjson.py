"""`json.loads` / `json.dumps` for the hooks, without importing `json`.

A hook is a fresh `python3` per tool call, and `import json` is most of its start-up: the `json`
package pulls in `re`, and `re` pulls in `enum`, `functools` and `collections` — about 9 ms, as
much as the interpreter itself. The work is done by CPython's C accelerator `_json` either way
(`json.decoder` and `json.encoder` hand it to `_json.make_scanner` / `_json.make_encoder`), so
this module calls the accelerator directly with the same settings the `json` module's default
decoder and encoder pass (Lib/json/decoder.py `JSONDecoder`, Lib/json/encoder.py
`JSONEncoder.iterencode`; the same arguments on CPython 3.9 to 3.13), and does by hand the two
things `json.loads` does around it: skip whitespace, refuse extra data.

Same results, same errors: anything the fast path does not take — no `_json` (PyPy), an
interpreter whose accelerator wants other arguments, bytes that are not plain UTF-8, invalid
JSON, values that cannot be encoded — goes to the `json` module itself, which then returns or
raises exactly as `json.loads` / `json.dumps` would (the error paths import `json`; only the
successful, frequent path avoids it). tests/workflow/test_fastjson.py checks the equivalence
with hypothesis. Stdlib only, Python 3.9+.
"""

_WS = " \t\n\r"  # json.decoder.WHITESPACE
_state = []  # [scanner, encoder factory] once built; [None, None] when the accelerator is unusable


class _Context:
    """What `_json.make_scanner` reads from a `json.JSONDecoder()` built with no arguments."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = {"-Infinity": float("-inf"), "Infinity": float("inf"), "NaN": float("nan")}.__getitem__
    memo: dict = {}


def _not_serializable(o: object) -> object:
    raise TypeError(f"Object of type {o.__class__.__name__} is not JSON serializable")


def _accelerator():  # -> (scanner | None, encode_ascii | None, make_encoder | None)
    if not _state:
        try:
            import _json

            _state.extend((_json.make_scanner(_Context()), _json.encode_basestring_ascii, _json.make_encoder))
        except Exception:  # noqa: BLE001 - ImportError (PyPy), or an accelerator that changed shape
            _state.extend((None, None, None))
    return _state


def _slow_loads(data):  # type: ignore[no-untyped-def]
    import json

    return json.loads(data)


def loads(data):  # type: ignore[no-untyped-def]
    """`json.loads(data)` for str, bytes or bytearray."""
    scan = _accelerator()[0]
    if scan is None:
        return _slow_loads(data)
    if isinstance(data, str):
        if data.startswith("\ufeff"):
            return _slow_loads(data)  # json.loads refuses a BOM in a str: let it say so
        text = data
    elif isinstance(data, (bytes, bytearray)):
        # json.detect_encoding says UTF-8 unless a BOM or a NUL in the first bytes says otherwise
        if data[:1] in (b"\xef", b"\xfe", b"\xff") or b"\x00" in data[:4]:
            return _slow_loads(data)
        try:
            text = data.decode("utf-8", "surrogatepass")
        except UnicodeDecodeError:
            return _slow_loads(data)
    else:
        return _slow_loads(data)
    try:
        obj, end = scan(text, len(text) - len(text.lstrip(_WS)))
    except Exception:  # noqa: BLE001 - StopIteration, JSONDecodeError, RecursionError…: json raises its own
        return _slow_loads(data)
    if end != len(text.rstrip(_WS)):
        return _slow_loads(data)  # extra data after the value
    return obj


def dumps(obj: object) -> str:
    """`json.dumps(obj)` with the default arguments (ASCII output, `", "` and `": "`)."""
    _scan, encode_ascii, make_encoder = _accelerator()
    if make_encoder is not None:
        try:
            if isinstance(obj, str):
                return encode_ascii(obj)
            # JSONEncoder.iterencode(_one_shot=True) with indent=None: markers, default, encoder,
            # indent, key_separator, item_separator, sort_keys, skipkeys, allow_nan
            encode = make_encoder({}, _not_serializable, encode_ascii, None, ": ", ", ", False, False, True)
            return "".join(encode(obj, 0))
        except Exception:  # noqa: BLE001 - unserialisable, circular: json raises its own error
            pass
    import json

    return json.dumps(obj)
