"""The scripted fake Messages API itself, over real HTTP: what the e2e tests rely on."""

from __future__ import annotations

import json
import urllib.request

from .fake_api import WAIT_ID_PREFIX, FakeAnthropic, reply, text, tool_use

TOOLS = [{"name": "Bash", "input_schema": {"type": "object"}},
         {"name": "WaitForMcpServers", "input_schema": {"type": "object"}}]
OUR_TOOL = {"name": "mcp__plugin_rca_forensics__evidence_sources", "input_schema": {"type": "object"}}


def post(fake: FakeAnthropic, body: dict, path: str = "/v1/messages?beta=true"):
    req = urllib.request.Request(fake.url + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"content-type": "application/json", "x-api-key": "k"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return resp.headers.get("content-type"), resp.read().decode()


def sse(raw: str) -> list[tuple[str, dict]]:
    events = []
    for chunk in raw.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in chunk.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    return events


def body(messages: list[dict], tools=TOOLS, stream=True) -> dict:
    return {"model": "claude-test", "max_tokens": 100, "stream": stream, "tools": tools, "messages": messages}


def test_streams_a_tool_use_reply_as_the_real_api_does():
    with FakeAnthropic([tool_use("Bash", {"command": "journalctl -u app --since '1 hour ago'"}, say="Looking.")]) as fake:
        ctype, raw = post(fake, body([{"role": "user", "content": "why?"}], tools=TOOLS + [OUR_TOOL]))
    assert ctype == "text/event-stream"
    events = sse(raw)
    names = [e for e, _ in events]
    assert names == ["message_start", "content_block_start", "content_block_delta", "content_block_stop",
                     "content_block_start", *["content_block_delta"] * (names.count("content_block_delta") - 1),
                     "content_block_stop", "message_delta", "message_stop"]
    assert all(e == d["type"] for e, d in events)
    start = events[0][1]["message"]
    assert start["role"] == "assistant" and start["content"] == [] and start["model"] == "claude-test"
    tool_start = events[4][1]["content_block"]
    assert tool_start["type"] == "tool_use" and tool_start["name"] == "Bash" and tool_start["input"] == {}
    partial = "".join(d["delta"]["partial_json"] for e, d in events
                      if e == "content_block_delta" and d["delta"]["type"] == "input_json_delta")
    assert json.loads(partial) == {"command": "journalctl -u app --since '1 hour ago'"}
    assert events[-2][1]["delta"]["stop_reason"] == "tool_use"


def test_picks_replies_by_assistant_turns_and_records_requests():
    script = [tool_use("Bash", {"command": "uptime"}), text("It rebooted.")]
    with FakeAnthropic(script) as fake:
        first = [{"role": "user", "content": "why?"}]
        post(fake, body(first, tools=TOOLS + [OUR_TOOL]))
        post(fake, body(first, tools=TOOLS + [OUR_TOOL]))  # a retry gets the same reply
        second = first + [
            {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "Bash", "input": {}}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1",
                                          "content": [{"type": "text", "text": " 04:00 up 2 min"}]}]},
        ]
        _, raw = post(fake, body(second, tools=TOOLS + [OUR_TOOL], stream=False))
        third = second + [{"role": "assistant", "content": "It rebooted."}, {"role": "user", "content": "and?"}]
        _, beyond = post(fake, body(third, tools=TOOLS + [OUR_TOOL], stream=False))
    assert json.loads(raw)["content"] == [{"type": "text", "text": "It rebooted."}]
    assert json.loads(raw)["stop_reason"] == "end_turn"
    assert "script has no reply 2" in json.loads(beyond)["content"][0]["text"]
    assert [r.turn for r in fake.main_requests] == [0, 0, 1, 2]
    assert fake.main_requests[2].tool_results()[0]["text"] == " 04:00 up 2 min"


def test_side_requests_do_not_consume_the_script():
    with FakeAnthropic([text("the answer")]) as fake:
        _, side = post(fake, {"model": "claude-haiku", "max_tokens": 50, "messages": [
            {"role": "user", "content": "Write a 5-word title for this conversation"}]})
        _, main = post(fake, body([{"role": "user", "content": "q"}], tools=TOOLS + [OUR_TOOL], stream=False))
        _, count = post(fake, {"messages": [{"role": "user", "content": "q"}]}, "/v1/messages/count_tokens")
    assert json.loads(main)["content"][0]["text"] == "the answer"
    assert json.loads(side)["content"][0]["text"] != "the answer"
    assert json.loads(count)["input_tokens"] > 0
    assert [r.kind for r in fake.requests] == ["side", "main", "count_tokens"]


def test_waits_for_our_server_without_consuming_the_script():
    prefix = "mcp__plugin_rca_forensics__"
    with FakeAnthropic([reply(tool_use(OUR_TOOL["name"]), tool_use("Bash", {"command": "w"}))], wait_for=prefix) as fake:
        msgs = [{"role": "user", "content": "q"}]
        _, raw = post(fake, body(msgs, stream=False))  # our tools are not offered yet
        wait = json.loads(raw)["content"]
        assert wait[0]["name"] == "WaitForMcpServers" and wait[0]["id"].startswith(WAIT_ID_PREFIX)
        msgs += [{"role": "assistant", "content": wait},
                 {"role": "user", "content": [{"type": "tool_result", "tool_use_id": wait[0]["id"], "content": "ready"}]}]
        _, raw = post(fake, body(msgs, tools=TOOLS + [OUR_TOOL], stream=False))
    names = [b["name"] for b in json.loads(raw)["content"]]
    assert names == [OUR_TOOL["name"], "Bash"]  # the script's first reply: two parallel calls
    assert [r.kind for r in fake.requests] == ["wait", "main"] and fake.main_requests[0].turn == 0


def test_answers_other_calls_gracefully():
    with FakeAnthropic([]) as fake:
        with urllib.request.urlopen(urllib.request.Request(fake.url + "/", method="HEAD"), timeout=10) as r:
            assert r.status == 200
        with urllib.request.urlopen(fake.url + "/v1/models", timeout=10) as r:
            assert json.loads(r.read())["data"][0]["type"] == "model"
        try:
            urllib.request.urlopen(fake.url + "/v1/nothing", timeout=10)
            raise AssertionError("expected a 404")
        except urllib.error.HTTPError as exc:
            assert exc.code == 404 and json.loads(exc.read())["type"] == "error"
    assert fake.url.startswith("http://127.0.0.1:")
