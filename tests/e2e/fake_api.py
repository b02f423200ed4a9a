"""A scripted fake of the Anthropic Messages API, for driving the real Claude Code CLI in tests.

The fake listens on 127.0.0.1 only (a free port), answers `POST /v1/messages` both streaming
(server-sent events, exactly the event sequence the real API sends: message_start,
content_block_start / content_block_delta / content_block_stop per block, message_delta,
message_stop) and non-streaming (one JSON message), and answers the CLI's other calls
(`/v1/messages/count_tokens`, model lookups, `HEAD /`) harmlessly.

The *script* is a list of replies, one per assistant turn of the main conversation. Each request
picks its reply by counting the assistant messages already in its `messages` (the CLI resends the
whole conversation each time), so a retried request gets the same reply and the script never
drifts. Side requests the CLI makes on its own (title or topic generation, quota probes, small-model
calls) carry no tools; they get a short text and do not consume the script.

Claude Code connects MCP servers in the background and waits only 2 s for them before its first
request in `-p` mode. With `wait_for="mcp__plugin_rca_forensics__"`, a main request whose tool list
has no tool of that prefix yet is answered with a `WaitForMcpServers` call (as a real model does
when told a server is still connecting); those waits do not consume the script either, so the
script is the same whether the server was up in 0.5 s or 10 s.

Every request is recorded (`FakeAnthropic.requests`) so a test can assert what the model saw,
e.g. the tool_result the CLI sent back after running our MCP tool.
"""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator, Sequence

_ids = itertools.count(1)


# --- the script -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Block:
    """One content block of a scripted assistant reply: `text` or `tool_use`."""

    type: str
    text: str = ""
    name: str = ""
    input: dict[str, Any] = field(default_factory=dict)
    id: str = ""


@dataclass(frozen=True)
class Reply:
    """One scripted assistant turn: its content blocks (stop_reason follows from them)."""

    blocks: tuple[Block, ...]

    @property
    def stop_reason(self) -> str:
        return "tool_use" if any(b.type == "tool_use" for b in self.blocks) else "end_turn"


def text(s: str) -> Reply:
    """A reply that is only text (ends the turn)."""
    return Reply((Block("text", text=s),))


def tool_use(name: str, input: dict[str, Any] | None = None, *, id: str | None = None, say: str | None = None) -> Reply:
    """A reply that calls one tool (optionally preceded by a sentence of text)."""
    blocks: list[Block] = []
    if say:
        blocks.append(Block("text", text=say))
    blocks.append(Block("tool_use", name=name, input=dict(input or {}), id=id or f"toolu_rca{next(_ids):06d}"))
    return Reply(tuple(blocks))


def reply(*blocks: Block | Reply) -> Reply:
    """Several blocks in one assistant turn, e.g. `reply(tool_use(a), tool_use(b))` for parallel calls."""
    out: list[Block] = []
    for b in blocks:
        out.extend(b.blocks if isinstance(b, Reply) else (b,))
    return Reply(tuple(out))


SIDE_REPLY = "rca test session"
WAIT_ID_PREFIX = "toolu_rcawait"


def _is_wait(message: dict[str, Any]) -> bool:
    """An assistant message that is only the fake's own WaitForMcpServers call."""
    content = message.get("content")
    return (isinstance(content, list) and bool(content)
            and all(isinstance(b, dict) and str(b.get("id", "")).startswith(WAIT_ID_PREFIX) for b in content))


# --- recorded requests ------------------------------------------------------------------------

@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: Any  # parsed JSON, or None
    kind: str = "other"  # "main" (answered from the script), "wait", "side", "count_tokens", "other"
    turn: int | None = None  # the script index answered, for "main"

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list((self.body or {}).get("messages") or [])

    @property
    def tool_names(self) -> list[str]:
        return [t.get("name", "") for t in (self.body or {}).get("tools") or []]

    def tool_results(self) -> list[dict[str, Any]]:
        """Every tool_result block in this request's messages (content normalised to text)."""
        found = []
        for m in self.messages:
            content = m.get("content")
            if not isinstance(content, list):
                continue
            for b in content:
                if isinstance(b, dict) and b.get("type") == "tool_result":
                    found.append({**b, "text": content_text(b.get("content"))})
        return found


def content_text(content: Any) -> str:
    """The text of a message/tool_result content (a string or a list of text blocks)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(b.get("text", "") for b in content if isinstance(b, dict) and b.get("type") == "text")
    return ""


# --- the server -------------------------------------------------------------------------------

class FakeAnthropic:
    """The fake API in a background thread. Use as a context manager; `url` goes in ANTHROPIC_BASE_URL."""

    def __init__(self, script: Sequence[Reply], *, model: str = "claude-sonnet-4-5", wait_for: str | None = None,
                 max_waits: int = 8) -> None:
        self.script = list(script)
        self.model = model
        self.wait_for = wait_for
        self.max_waits = max_waits
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="fake-anthropic", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> "FakeAnthropic":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    # what the tests read
    @property
    def main_requests(self) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.kind == "main"]

    @property
    def turns_served(self) -> int:
        """How many distinct script entries were answered."""
        return len({r.turn for r in self.main_requests})

    def record(self, req: Request) -> None:
        with self._lock:
            self.requests.append(req)

    # choosing a reply
    def classify(self, body: dict[str, Any]) -> str:
        return "main" if body.get("tools") else "side"

    def reply_for(self, body: dict[str, Any]) -> tuple[str, int | None, Reply]:
        kind = self.classify(body)
        if kind == "side":
            return kind, None, text(SIDE_REPLY)
        assistant = [m for m in body.get("messages") or [] if m.get("role") == "assistant"]
        waits = sum(1 for m in assistant if _is_wait(m))
        if self.wait_for and waits < self.max_waits:
            names = [t.get("name", "") for t in body.get("tools") or []]
            if "WaitForMcpServers" in names and not any(n.startswith(self.wait_for) for n in names):
                return "wait", None, Reply((Block("tool_use", name="WaitForMcpServers", input={},
                                                  id=f"{WAIT_ID_PREFIX}{next(_ids):06d}"),))
        turn = len(assistant) - waits
        if turn < len(self.script):
            return kind, turn, self.script[turn]
        return kind, turn, text(f"(fake API: the script has no reply {turn}; ending)")

    def message(self, rep: Reply, body: dict[str, Any]) -> dict[str, Any]:
        content: list[dict[str, Any]] = []
        for b in rep.blocks:
            if b.type == "text":
                content.append({"type": "text", "text": b.text})
            else:
                content.append({"type": "tool_use", "id": b.id, "name": b.name, "input": b.input})
        return {
            "id": f"msg_rca{next(_ids):06d}",
            "type": "message",
            "role": "assistant",
            "model": body.get("model") or self.model,
            "content": content,
            "stop_reason": rep.stop_reason,
            "stop_sequence": None,
            "usage": _usage(body, rep),
        }

    def events(self, rep: Reply, body: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
        msg = self.message(rep, body)
        usage = msg["usage"]
        yield "message_start", {"type": "message_start", "message": {
            **msg, "content": [], "stop_reason": None, "usage": {**usage, "output_tokens": 1}}}
        for i, b in enumerate(rep.blocks):
            if b.type == "text":
                yield "content_block_start", {"type": "content_block_start", "index": i,
                                              "content_block": {"type": "text", "text": ""}}
                for piece in _chunks(b.text, 40):
                    yield "content_block_delta", {"type": "content_block_delta", "index": i,
                                                  "delta": {"type": "text_delta", "text": piece}}
            else:
                yield "content_block_start", {"type": "content_block_start", "index": i,
                                              "content_block": {"type": "tool_use", "id": b.id, "name": b.name,
                                                                "input": {}}}
                for piece in _chunks(json.dumps(b.input), 24):
                    yield "content_block_delta", {"type": "content_block_delta", "index": i,
                                                  "delta": {"type": "input_json_delta", "partial_json": piece}}
            yield "content_block_stop", {"type": "content_block_stop", "index": i}
        yield "message_delta", {"type": "message_delta",
                                "delta": {"stop_reason": rep.stop_reason, "stop_sequence": None},
                                "usage": {"output_tokens": usage["output_tokens"]}}
        yield "message_stop", {"type": "message_stop"}


def _chunks(s: str, n: int) -> list[str]:
    return [s[i:i + n] for i in range(0, len(s), n)] or [""]


def _usage(body: dict[str, Any], rep: Reply) -> dict[str, int]:
    size = len(json.dumps(body.get("messages") or []))
    out = sum(len(b.text) + len(json.dumps(b.input)) for b in rep.blocks)
    return {"input_tokens": max(1, size // 4), "output_tokens": max(1, out // 4),
            "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}


def _handler_for(fake: FakeAnthropic) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            pass  # quiet: the recorded requests say what happened

        def _read_body(self) -> Any:
            n = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(n) if n else b""
            if not raw:
                return None
            try:
                return json.loads(raw)
            except ValueError:
                return {"_raw": raw.decode("utf-8", "replace")}

        def _json(self, status: int, obj: Any) -> None:
            data = json.dumps(obj).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("request-id", f"req_rca{next(_ids):06d}")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def _record(self, body: Any) -> Request:
            req = Request(self.command, self.path, dict(self.headers.items()), body)
            fake.record(req)
            return req

        def do_HEAD(self) -> None:  # noqa: N802 - stdlib naming
            self._record(None)
            self._json(200, {})

        def do_GET(self) -> None:  # noqa: N802
            self._record(None)
            path = self.path.split("?")[0].rstrip("/")
            if path == "/v1/models":
                self._json(200, {"data": [_model(fake.model)], "has_more": False,
                                 "first_id": fake.model, "last_id": fake.model})
            elif path.startswith("/v1/models/"):
                self._json(200, _model(path.rsplit("/", 1)[1]))
            elif path in ("", "/"):
                self._json(200, {"ok": True})
            else:
                self._json(404, _error("not_found_error", f"the fake API has no {path}"))

        def do_POST(self) -> None:  # noqa: N802
            body = self._read_body()
            req = self._record(body)
            path = self.path.split("?")[0].rstrip("/")
            if path == "/v1/messages/count_tokens":
                req.kind = "count_tokens"
                self._json(200, {"input_tokens": max(1, len(json.dumps(body)) // 4)})
                return
            if path != "/v1/messages" or not isinstance(body, dict):
                self._json(404, _error("not_found_error", f"the fake API has no POST {path}"))
                return
            req.kind, req.turn, rep = fake.reply_for(body)
            if not body.get("stream"):
                self._json(200, fake.message(rep, body))
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("request-id", f"req_rca{next(_ids):06d}")
            self.end_headers()
            for event, data in fake.events(rep, body):
                chunk = f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()

    return Handler


def _model(name: str) -> dict[str, Any]:
    return {"type": "model", "id": name, "display_name": name, "created_at": "2025-01-01T00:00:00Z"}


def _error(kind: str, message: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": kind, "message": message}}
