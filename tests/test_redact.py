"""The redaction corpus: every known secret format is replaced, ordinary text is left alone."""

from __future__ import annotations

import pytest

from mcp_server.models import Event
from mcp_server.redact import redact, redact_model, redact_obj

# (text containing a secret, the secret itself, the kind it must be tagged as)
SECRETS = [
    ("export ANTHROPIC_API_KEY=sk-ant-api03-Zx9_kq2LmN8vB4tR7yW1pQ6sD3fG5hJ0aKcE-uIoXyTw", "sk-ant-api03-Zx9_kq2LmN8vB4tR7yW1pQ6sD3fG5hJ0aKcE-uIoXyTw", "anthropic_key"),
    ("curl -H 'x-api-key: sk-ant-admin01-AbCdEfGhIjKlMnOpQrStUv' https://api", "sk-ant-admin01-AbCdEfGhIjKlMnOpQrStUv", "anthropic_key"),
    ("OPENAI_API_KEY=sk-proj-4fT9aQ2mX7LbN1cR8vK3yH6wE0pZ5sJd", "sk-proj-4fT9aQ2mX7LbN1cR8vK3yH6wE0pZ5sJd", "openai_key"),
    ("aws configure set aws_access_key_id AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE", "aws_access_key_id"),
    ("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws_secret_access_key"),
    ("git remote set-url origin https://ghp_16C7e42F292c6912E7710c838347Ae178B4a@github.com/o/r", "ghp_16C7e42F292c6912E7710c838347Ae178B4a", "github_token"),
    ("GH_TOKEN=github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEF", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEF", "github_token"),
    ("glab auth login --token glpat-xRt7Wq2Lk9Mn4Bv8Cz1D", "glpat-xRt7Wq2Lk9Mn4Bv8Cz1D", "gitlab_token"),
    ("SLACK=xoxb-2718281828-3141592653-AbCdEfGhIjKlMnOp", "xoxb-2718281828-3141592653-AbCdEfGhIjKlMnOp", "slack_token"),
    ("key=AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY in config", "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY", "google_api_key"),
    ("stripe: sk_live_4eC39HqLyjWDarjtT1zdp7dc", "sk_live_4eC39HqLyjWDarjtT1zdp7dc", "stripe_key"),
    ("//npm.example.internal/:_authToken=npm_abcdefghijklmnopqrstuvwxyz0123456789", "npm_abcdefghijklmnopqrstuvwxyz0123456789", "npm_token"),
    ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "jwt"),
    ("curl -H 'Authorization: Bearer abc123def456ghi789' http://x", "abc123def456ghi789", "bearer"),
    ("Authorization: Basic dXNlcjpodW50ZXIy", "dXNlcjpodW50ZXIy", "basic_auth"),
    ("DATABASE_URL=postgres://app:hunter2pass@db.internal:5432/app", "hunter2pass", "url_password"),
    ("mysql --password=S3cr3tP4ss -u root", "S3cr3tP4ss", "secret"),
    ('{"password": "correct-horse-battery"}', "correct-horse-battery", "secret"),
    ("DB_PASSWORD=pa55w0rd!x", "pa55w0rd!x", "secret"),
    ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----", "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ", "private_key"),
    ("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7tRuNcAtEdMiDkEy0x9Q2wZz4", "MIIEowIBAAKCAQEA7tRuNcAtEdMiDkEy0x9Q2wZz4", "private_key"),
    ("Nov 21 03:10:00 web01 deploy[41]: MIIEpAIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun", "MIIEpAIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun", "key_material"),
]


@pytest.mark.parametrize("text,secret,kind", SECRETS, ids=[s[2] + str(i) for i, s in enumerate(SECRETS)])
def test_secret_is_redacted(text, secret, kind):
    out = redact(text)
    assert secret not in out
    assert f"[REDACTED:{kind}]" in out


@pytest.mark.parametrize(
    "text",
    [
        "tmux kill-server",
        "Out of memory: Killed process 4242 (postgres) total-vm:8123456kB",
        "git reset --hard HEAD~3",
        "systemd[1]: app.service: Main process exited, code=killed, status=9/KILL",
        "token count exceeded",  # the word alone is not a secret
        "see https://example.com/path?q=1",
        "the keyboard was unplugged",
        "commit 3f1bb6eb3ae7041ba4902605c6a5a4d686ccc3f8 (HEAD -> main)",  # lower-case hex stays readable
        "image sha256:4ea03ef9a48dad5284c371ac9b537a184b3eea9c4ea03ef9a48dad5284c371ac",
        "/usr/lib/x86_64-linux-gnu/systemd/libsystemd-shared-252.so",
    ],
)
def test_ordinary_text_is_untouched(text):
    assert redact(text) == text


def test_context_is_kept_around_the_secret():
    assert redact("Authorization: Bearer abcdefgh12345678") == "Authorization: Bearer [REDACTED:bearer]"
    assert redact("postgres://app:pw1234@db/x") == "postgres://app:[REDACTED:url_password]@db/x"


def test_nested_structures_and_models_are_redacted():
    obj = {"cmds": ["ls", "export GH=ghp_16C7e42F292c6912E7710c838347Ae178B4a"], "n": 3, "t": ("a", "pwd=abcdef1")}
    out = redact_obj(obj)
    assert "ghp_" not in str(out) and "abcdef1" not in str(out)
    assert out["n"] == 3 and isinstance(out["t"], tuple)
    ev = Event(evidence_id="ev-1", data_type="t:t", source="t", message="password=hunter22",
               extra={"cmdline": "app --token=abcd1234efgh"})
    red = redact_model(ev)
    assert "hunter22" not in red.message and "abcd1234efgh" not in str(red.extra)


def test_redaction_is_idempotent():
    once = redact(SECRETS[0][0] + " " + SECRETS[15][0])
    assert redact(once) == once


@pytest.mark.timeout(60)
@pytest.mark.parametrize("text", ["pass" * 50000, "https://" + "a" * 100000, "a" * 100000 + "://",
                                  "password " * 30000, "token=" * 30000, "a-" * 50000])
def test_adversarial_inputs_do_not_backtrack_forever(text):
    """Regression: unbounded key-name and URL scheme runs made these quadratic (24 s for 200 KB)."""
    redact(text)


# ------------------------------------------------------------------ the fast screen

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from mcp_server import redact as redact_module  # noqa: E402

_PIECES = ["PRIVATE KEY", "private key", "Key", "sk-", "SK-", "AKIA", "akia", "asia", "AGPA", "AIDA", "AROA", "ANPA",
           "ANVA", "AIPA", "Secret", "ghp_", "GHO_", "ghu_", "ghs_", "ghr_", "gh_", "ghx_", "github_pat_", "GL", "glpat-",
           "GLx-", "gl-", "gl9-", "xox", "XOX", "AIza", "aiza", "_live_", "_TEST_", "npm_", "eyJ", "EYJ", "bearer",
           "BASIC", "://", ":/", "pass", "PWD", "tok", "token", "ke", "credential", "CREDENTIAL", "K", "ſ", "\u212a",
           "İ", "ı", "é", "A" * 39, "a1+/" * 10, "Zz9" * 13, "/", "+", "=", " ", "\n", "-", "_", "x", "0"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=3)), max_size=30).map("".join))
def test_fast_screen_agrees_with_the_regex(text):
    assert redact_module._may_hold_secret(text) == (redact_module._SCREEN.search(text) is not None)


@pytest.mark.parametrize("text", ["\u212aey=abc", "ſecret", "ordinary words only", "a" * 39 + " " + "b" * 39,
                                  "x" * 40, "-" + "A1b/" * 10 + "-", "GLPAT-x", "Gl-", "ghP_", "see http://h"])
def test_fast_screen_agrees_on_edge_cases(text):
    assert redact_module._may_hold_secret(text) == (redact_module._SCREEN.search(text) is not None)
