"""Linux core dumps: systemd-coredump (live and saved) and raw ELF core files.

Four shapes of the same fact ("process N died of signal S and dumped core"):
- live `coredumpctl --json=short list` (the roster) and `coredumpctl info MATCH` (details), run
  through `_proc.ProcRun` with a time limit; unavailable with a reason when coredumpctl is missing;
- saved `coredumpctl info` / `coredumpctl list` text (what a user pastes or a sosreport keeps);
- journal entries with `COREDUMP_*` fields (systemd-coredump's `MESSAGE_ID=fc2e22bc…`), as
  `journalctl -o json` lines, a JSON array of them, or json-seq / json-sse renderings;
- raw cores (`core`, `core.<pid>`, or systemd's uncompressed / `.xz` storage): the ELF header and
  the PT_NOTE segment are read with `struct` (NT_PRSTATUS: signal and pid; NT_PRPSINFO: name,
  parent, uid, arguments; NT_SIGINFO: signal and fault address; NT_FILE: the executable) — a few
  kilobytes, never the memory image. systemd's `.zst`/`.lz4` cores are named
  `core.<comm>.<uid>.<boot id>.<pid>.<µs since epoch>.zst`, and that name is read instead.
Layouts: `struct elf_prstatus` / `struct elf_prpsinfo` in linux/include/uapi/linux/elfcore.h.
"""

from __future__ import annotations

import json
import re
import struct
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any, Iterator, Optional

from ..errors import SourceUnavailable
from ..models import ParseWarning, SourceRun
from ._crash import (
    MAX_REPORT_BYTES,
    TOP_FRAMES,
    CrashReport,
    Frame,
    body_of,
    decode_text,
    file_mtime,
    finish,
    new_report,
    parse_report_time,
    read_bounded,
    signal_name,
    signal_number,
    to_int,
    to_str,
    warn,
)
from ._io import open_binary
from ._proc import ProcRun, which

NAME = "coredump"
#: systemd-coredump's journal message id ("Process … dumped core.")
COREDUMP_MESSAGE_ID = "fc2e22bc6ee647b6b90729ab34a250b1"
_JSON = json.JSONDecoder()
CTL_TIMEOUT = 20.0
#: `coredumpctl info` is run for at most this many of the newest matching dumps.
MAX_INFO_RUNS = 20

# --- raw ELF cores -------------------------------------------------------------------------

ET_CORE = 4
PT_NOTE = 4
NT_PRSTATUS = 1
NT_PRPSINFO = 3
NT_SIGINFO = 0x53494749
NT_FILE = 0x46494C45
#: Largest note segment read (real ones are tens of KB; NT_FILE grows with the mappings).
MAX_NOTES_BYTES = 8 << 20
_MACHINES = {3: "x86", 40: "arm", 62: "x86-64", 183: "aarch64", 243: "riscv", 8: "mips", 21: "ppc64", 22: "s390"}
_SYSTEMD_CORE_NAME = re.compile(
    r"^core\.(?P<comm>.+)\.(?P<uid>\d+)\.(?P<boot>[0-9a-f]{32})\.(?P<pid>\d+)\.(?P<usec>\d{10,})(?:\.(?P<ext>zst|lz4|xz))?$"
)


def is_elf_core(head: bytes) -> bool:
    if len(head) < 18 or head[:4] != b"\x7fELF" or head[4] not in (1, 2) or head[5] not in (1, 2):
        return False
    end = "<" if head[5] == 1 else ">"
    return struct.unpack_from(end + "H", head, 16)[0] == ET_CORE


def systemd_core_name(name: str) -> Optional[dict[str, str]]:
    m = _SYSTEMD_CORE_NAME.match(name)
    return m.groupdict() if m else None


def _cstr(raw: bytes) -> str:
    return raw.split(b"\x00", 1)[0].decode("utf-8", "replace")


def _read_at(f: IO[bytes], offset: int, size: int) -> bytes:
    f.seek(offset)
    return f.read(size)


def parse_elf_core(path: Path, warnings: list[ParseWarning]) -> Optional[CrashReport]:
    """Read process name, pid, signal and command line from an ELF core's notes."""
    try:
        f = open_binary(path)
    except SourceUnavailable as exc:
        warnings.append(warn(NAME, path, str(exc)))
        return None
    try:
        with f:
            ident = f.read(64)
            if not is_elf_core(ident):
                warnings.append(warn(NAME, path, "not an ELF core file"))
                return None
            is64 = ident[4] == 2
            end = "<" if ident[5] == 1 else ">"
            if is64:
                if len(ident) < 64:
                    raise struct.error("ELF header cut short")
                e_machine, = struct.unpack_from(end + "H", ident, 18)
                e_phoff, = struct.unpack_from(end + "Q", ident, 32)
                e_phentsize, e_phnum = struct.unpack_from(end + "HH", ident, 54)
            else:
                if len(ident) < 52:
                    raise struct.error("ELF header cut short")
                e_machine, = struct.unpack_from(end + "H", ident, 18)
                e_phoff, = struct.unpack_from(end + "I", ident, 28)
                e_phentsize, e_phnum = struct.unpack_from(end + "HH", ident, 42)
            if e_phnum == 0xFFFF:
                warnings.append(warn(NAME, path, "core has more than 65534 program headers; only the first 65535 are read"))
            want = 56 if is64 else 32
            if e_phentsize < want or e_phnum == 0:
                raise struct.error(f"no usable program headers (phentsize {e_phentsize}, phnum {e_phnum})")
            table = _read_at(f, e_phoff, min(e_phnum * e_phentsize, 4 << 20))
            notes_blobs: list[bytes] = []
            budget = MAX_NOTES_BYTES
            for i in range(len(table) // e_phentsize):
                ph = table[i * e_phentsize:(i + 1) * e_phentsize]
                if is64:
                    p_type, _flags, p_offset, _va, _pa, p_filesz = struct.unpack_from(end + "IIQQQQ", ph, 0)
                else:
                    p_type, p_offset, _va, _pa, p_filesz = struct.unpack_from(end + "IIIII", ph, 0)
                if p_type != PT_NOTE or budget <= 0:
                    continue
                size = min(p_filesz, budget)
                blob = _read_at(f, p_offset, size)
                budget -= len(blob)
                notes_blobs.append(blob)
                if size < p_filesz:
                    warnings.append(warn(NAME, path, f"core note segment is {p_filesz} bytes; read its first {size}"))
    except (struct.error, OSError, EOFError, ValueError) as exc:
        warnings.append(warn(NAME, path, f"core file is truncated or corrupt: {exc}"))
        return None
    if not notes_blobs:
        warnings.append(warn(NAME, path, "core file has no PT_NOTE segment (truncated, or not written by the kernel)"))
        return None

    report = new_report(kind="core", data_type="linux:core:elf", source=NAME, path=str(path), origin=str(path))
    report.hardware_model = _MACHINES.get(e_machine, f"machine {e_machine}")
    seen_status = False
    cut = False
    for blob in notes_blobs:
        off = 0
        while off + 12 <= len(blob):
            namesz, descsz, ntype = struct.unpack_from(end + "III", blob, off)
            off += 12
            name_end = off + ((namesz + 3) & ~3)
            desc = blob[name_end:name_end + descsz]
            off = name_end + ((descsz + 3) & ~3)
            if len(desc) < descsz:
                cut = True
                break
            if ntype == NT_PRSTATUS and not seen_status and len(desc) >= (48 if is64 else 40):
                seen_status = True  # the kernel writes the thread that took the signal first
                cursig, = struct.unpack_from(end + "h", desc, 12)
                pid_off = 32 if is64 else 24
                pid, ppid = struct.unpack_from(end + "ii", desc, pid_off)
                report.signal_number = cursig or report.signal_number
                report.pid = pid or report.pid
                report.parent_pid = ppid or report.parent_pid
            elif ntype == NT_PRPSINFO:
                if is64 and len(desc) >= 136:
                    uid, _gid, pid, ppid = struct.unpack_from(end + "IIii", desc, 16)
                    fname, psargs = desc[40:56], desc[56:136]
                elif not is64 and len(desc) >= 124:
                    uid, _gid = struct.unpack_from(end + "HH", desc, 8)
                    pid, ppid = struct.unpack_from(end + "ii", desc, 12)
                    fname, psargs = desc[28:44], desc[44:124]
                else:
                    continue
                report.process = _cstr(fname) or report.process
                report.command_line = _cstr(psargs).strip() or report.command_line
                report.uid = uid
                report.pid = report.pid or pid
                report.parent_pid = report.parent_pid or ppid
            elif ntype == NT_SIGINFO and len(desc) >= 12:
                signo, _errno, code = struct.unpack_from(end + "iii", desc, 0)
                if signo:
                    report.signal_number = signo
                if signo in (4, 7, 8, 11) and len(desc) >= (24 if is64 else 16):
                    addr = struct.unpack_from(end + ("Q" if is64 else "I"), desc, 16 if is64 else 12)[0]
                    report.exception_codes = f"si_code {code} at {addr:#x}"
            elif ntype == NT_FILE and report.executable_path is None:
                word = "Q" if is64 else "I"
                w = 8 if is64 else 4
                if len(desc) >= 2 * w:
                    count, = struct.unpack_from(end + word, desc, 0)
                    names_at = 2 * w + count * 3 * w
                    if 0 < count < 1_000_000 and names_at < len(desc):
                        first = _cstr(desc[names_at:])
                        report.executable_path = first or None
    if cut:
        warnings.append(warn(NAME, path, "core notes are cut short; fields after the cut are missing"))
    report.signal = signal_name(report.signal_number)
    report.time = file_mtime(path)
    report.time_zone = "UTC"
    report.time_note = "a core file records no time; this is the file's modification time (when the core was written)"
    report.notes.append(report.time_note)
    if report.process is None and report.pid is None:
        warnings.append(warn(NAME, path, "core file has notes but no NT_PRSTATUS/NT_PRPSINFO (not a process core?)"))
        return None
    return report


def parse_systemd_core_name(path: Path) -> Optional[CrashReport]:
    """A compressed systemd-coredump core: the facts its name holds."""
    got = systemd_core_name(path.name)
    if not got:
        return None
    report = new_report(kind="coredump", data_type="linux:coredump:file", source=NAME, path=str(path), origin=str(path))
    report.process = got["comm"]
    report.pid = int(got["pid"])
    report.uid = int(got["uid"])
    report.time = datetime.fromtimestamp(int(got["usec"]) / 1e6, timezone.utc)
    report.time_zone = "UTC"
    report.storage = str(path)
    report.notes.append(f"compressed core ({got.get('ext') or 'none'}); process, uid, pid and time read from its file name"
                        " (see coredumpctl info for the signal)")
    return report


# --- coredumpctl info / list text ----------------------------------------------------------

_INFO_KEY = re.compile(r"^\s{0,20}([A-Z][A-Za-z ]{1,20}): (.*)$")
_INFO_START = re.compile(r"^\s*PID: (\d+) \((.*)\)\s*$")
_STACK_HDR = re.compile(r"^\s*Stack trace of thread (\d+):")
_STACK_FRAME = re.compile(r"^\s*#(\d+)\s+(0x[0-9a-fA-F]+)\s+(\S+)\s+\((.+?)(?: \+ (0x[0-9a-fA-F]+))?\)\s*$")
_LIST_ROW = re.compile(
    r"^(?P<time>\w{3} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?: [A-Za-z0-9+:/_-]+)?)\s+(?P<pid>\d+)\s+(?P<uid>\d+)\s+(?P<gid>\d+)\s+"
    r"(?P<sig>\S+)\s+(?:(?P<corefile>present|missing|none|inaccessible|error|truncated|journal|[*-])\s+)?(?P<exe>\S.*?)(?:\s+(?P<size>\S+))?\s*$"
)


def info_matches(head: str) -> bool:
    lines = [l for l in head.splitlines()[:40] if l.strip()]
    return bool(lines) and bool(_INFO_START.match(lines[0])) and any("Signal:" in l for l in lines[:12])


def list_matches(head: str) -> bool:
    first = head.lstrip().split("\n", 1)[0]
    return first.startswith("TIME") and " PID " in first and " SIG" in first and "EXE" in first


def _strip_ago(value: str) -> str:
    return re.sub(r"\s*\([^()]*\bago\)\s*$", "", value).strip()


def parse_info_text(text: str, origin: str, path: Optional[str], warnings: list[ParseWarning], data_type: str) -> list[CrashReport]:
    """Reports from `coredumpctl info` output (one or more entries)."""
    reports: list[CrashReport] = []
    blocks: list[list[str]] = []
    for line in text.splitlines():
        if _INFO_START.match(line):
            blocks.append([])
        if blocks:
            blocks[-1].append(line)
    for block in blocks:
        r = new_report(kind="coredump", data_type=data_type, source=NAME, path=path, origin=origin)
        fields: dict[str, str] = {}
        message: list[str] = []
        in_msg = False
        thread: Optional[int] = None
        for line in block:
            if in_msg:
                message.append(line.strip())
                sh = _STACK_HDR.match(line)
                if sh:
                    if thread is None:
                        thread = int(sh.group(1))
                        r.crashed_thread = thread
                    else:
                        thread = -1  # only the first (crashing) thread's frames are kept
                    continue
                fm = _STACK_FRAME.match(line)
                if fm and thread is not None and thread >= 0 and len(r.frames) < TOP_FRAMES:
                    sym = fm.group(3)
                    r.frames.append(Frame(index=int(fm.group(1)), address=fm.group(2), symbol=None if sym == "n/a" else sym,
                                          image=fm.group(4), image_offset=to_int(fm.group(5))))
                continue
            m = _INFO_KEY.match(line)
            if m:
                key = m.group(1).strip()
                fields.setdefault(key, m.group(2).strip())
                if key == "Message":
                    in_msg = True
                    message.append(m.group(2).strip())
        start = _INFO_START.match(block[0])
        assert start is not None
        r.pid = int(start.group(1))
        r.process = start.group(2) or None
        sig = fields.get("Signal", "")
        r.signal_number = to_int(sig.split()[0]) if sig.split() else None
        r.signal = signal_name(r.signal_number)
        r.time_text = _strip_ago(fields.get("Timestamp", "")) or None
        r.time, r.time_zone, note = parse_report_time(r.time_text)
        if note:
            r.time_note = note
            r.notes.append(note)
        r.command_line = fields.get("Command Line")
        r.executable_path = fields.get("Executable")
        r.unit = fields.get("Unit")
        r.user_unit = fields.get("User Unit")
        r.storage = fields.get("Storage")
        r.uid = to_int(fields.get("UID", "").split()[0]) if fields.get("UID", "").split() else None
        r.host = fields.get("Hostname")
        r.stacktrace_top = [f.text() for f in r.frames[:5]]
        if r.time is None:
            r.notes.append("no Timestamp line")
        reports.append(finish(r, discriminator=r.storage or ""))
    if not blocks:
        warnings.append(warn(NAME, path or origin, "no `PID: … (name)` entry found in coredumpctl info output"))
    return reports


def parse_list_text(text: str, origin: str, path: Optional[str], warnings: list[ParseWarning]) -> list[CrashReport]:
    reports: list[CrashReport] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("TIME") or line.lstrip().startswith("No coredumps"):
            continue
        m = _LIST_ROW.match(line)
        if not m:
            warnings.append(warn(NAME, path or origin, f"line {number} is not a coredumpctl list row", sample=line))
            continue
        r = new_report(kind="coredump", data_type="linux:coredump:list", source=NAME, path=path, origin=origin)
        r.time_text = m.group("time")
        r.time, r.time_zone, note = parse_report_time(r.time_text)
        if note:
            r.notes.append(note)
        r.pid = int(m.group("pid"))
        r.uid = int(m.group("uid"))
        sig = m.group("sig")
        r.signal_number = to_int(sig) if sig.isdigit() else signal_number(sig)
        r.signal = signal_name(r.signal_number) if r.signal_number else sig
        r.executable_path = m.group("exe").strip()
        r.process = r.executable_path.rsplit("/", 1)[-1]
        r.storage = m.group("corefile")
        reports.append(finish(r, discriminator=number))
    return reports


# --- journal entries with COREDUMP_* fields ------------------------------------------------


def _field(entry: dict[str, Any], key: str) -> Optional[str]:
    v = entry.get(key)
    if isinstance(v, list):  # journalctl writes non-UTF-8 / control-character values as byte arrays
        try:
            return bytes(int(b) & 0xFF for b in v[:1 << 20]).decode("utf-8", "replace")
        except (TypeError, ValueError):
            return None
    return to_str(v, limit=1 << 20)


def is_coredump_entry(entry: object) -> bool:
    return isinstance(entry, dict) and ("COREDUMP_PID" in entry or entry.get("MESSAGE_ID") == COREDUMP_MESSAGE_ID)


def from_journal_entry(entry: dict[str, Any], origin: str, path: Optional[str]) -> CrashReport:
    r = new_report(kind="coredump", data_type="linux:coredump:journal", source=NAME, path=path, origin=origin)
    r.pid = to_int(_field(entry, "COREDUMP_PID"))
    r.process = _field(entry, "COREDUMP_COMM")
    r.executable_path = _field(entry, "COREDUMP_EXE")
    r.signal_number = to_int(_field(entry, "COREDUMP_SIGNAL"))
    r.signal = _field(entry, "COREDUMP_SIGNAL_NAME") or signal_name(r.signal_number)
    r.command_line = _field(entry, "COREDUMP_CMDLINE")
    r.unit = _field(entry, "COREDUMP_UNIT")
    r.user_unit = _field(entry, "COREDUMP_USER_UNIT")
    r.uid = to_int(_field(entry, "COREDUMP_UID"))
    r.host = _field(entry, "COREDUMP_HOSTNAME") or _field(entry, "_HOSTNAME")
    filename = _field(entry, "COREDUMP_FILENAME")
    r.storage = filename or ("journal" if "COREDUMP" in entry else None)
    status = _field(entry, "COREDUMP_PROC_STATUS") or ""
    ppid = re.search(r"^PPid:\s*(\d+)", status, re.M)
    if ppid:
        r.parent_pid = int(ppid.group(1))
    usec = to_int(_field(entry, "COREDUMP_TIMESTAMP")) or to_int(_field(entry, "__REALTIME_TIMESTAMP"))
    if usec:
        r.time = datetime.fromtimestamp(usec / 1e6, timezone.utc)
        r.time_zone = "UTC"
        r.time_text = str(usec)
    message = _field(entry, "MESSAGE") or ""
    thread: Optional[int] = None
    for line in message.splitlines():
        sh = _STACK_HDR.match(line)
        if sh:
            if thread is not None:
                break
            thread = int(sh.group(1))
            r.crashed_thread = thread
            continue
        fm = _STACK_FRAME.match(line)
        if fm and thread is not None and len(r.frames) < TOP_FRAMES:
            sym = fm.group(3)
            r.frames.append(Frame(index=int(fm.group(1)), address=fm.group(2), symbol=None if sym == "n/a" else sym,
                                  image=fm.group(4), image_offset=to_int(fm.group(5))))
    r.stacktrace_top = [f.text() for f in r.frames[:5]]
    return finish(r, discriminator=_field(entry, "__CURSOR") or "")


def journal_json_matches(head: str) -> bool:
    return ("COREDUMP_" in head or COREDUMP_MESSAGE_ID in head) and head.lstrip("\x1e \r\n").startswith(("{", "[", "data: {"))


def parse_journal_json(path: Path, warnings: list[ParseWarning]) -> list[CrashReport]:
    """Coredump entries from saved `journalctl -o json` output (lines, array, json-seq or json-sse)."""
    got = read_bounded(path, NAME, warnings)
    if got is None:
        return []
    data, complete = got
    text = decode_text(data, NAME, path, warnings)
    origin = str(path)
    entries: list[Any] = []
    stripped = text.lstrip("\x1e \r\n\ufeff")
    bad = 0
    if stripped.startswith("["):
        try:
            loaded = json.loads(stripped)
            entries = loaded if isinstance(loaded, list) else [loaded]
        except ValueError as exc:
            warnings.append(warn(NAME, path, f"JSON array is malformed or truncated ({exc}); its entries were not read"))
            return []
    else:
        # one object per line (json, json-seq, json-sse) or pretty-printed objects one after another
        pos, n = 0, len(text)
        while pos < n:
            while pos < n and text[pos] in " \t\r\n\x1e":
                pos += 1
            if text.startswith("data: ", pos):
                pos += 6
            if pos >= n:
                break
            if text[pos] != "{":
                nl = text.find("\n", pos)
                pos = n if nl < 0 else nl + 1
                continue
            try:
                obj, pos = _JSON.raw_decode(text, pos)
                entries.append(obj)
            except ValueError:
                line_no = text.count("\n", 0, pos) + 1
                nl = text.find("\n", pos)
                if complete or nl >= 0:
                    bad += 1
                    if bad <= 5:
                        warnings.append(warn(NAME, path, f"line {line_no}: not a valid JSON journal entry",
                                             sample=text[pos:pos + 120]))
                pos = n if nl < 0 else nl + 1
    if bad > 5:
        warnings.append(warn(NAME, path, f"{bad - 5} more malformed JSON lines"))
    return [from_journal_entry(e, origin, str(path)) for e in entries if is_coredump_entry(e)]


_EXPORT_FIELD = re.compile(r"^_{0,2}[A-Z0-9][A-Z0-9_]*=")


def export_matches(head: str) -> bool:
    """`journalctl -o export` (KEY=value lines, binary fields length-prefixed) with coredump entries."""
    if "COREDUMP_" not in head and COREDUMP_MESSAGE_ID not in head:
        return False
    first = head.split("\n", 6)[:5]
    return len(first) >= 3 and all(_EXPORT_FIELD.match(l) for l in first)


def verbose_matches(head: str) -> bool:
    """`journalctl -o verbose`: a timestamp line with [cursor], then indented KEY=value fields."""
    lines = head.splitlines()
    return bool(lines) and bool(re.match(r"^\w{3} \d{4}-\d\d-\d\d .*\[s=", lines[0])) and "    COREDUMP_" in head


def _export_entries(data: bytes, path: Path, warnings: list[ParseWarning], complete: bool) -> list[dict[str, Any]]:
    """Entries of journal export format (systemd's JOURNAL_EXPORT_FORMATS spec)."""
    entries: list[dict[str, Any]] = []
    entry: dict[str, Any] = {}
    pos, n = 0, len(data)
    while pos < n:
        nl = data.find(b"\n", pos)
        if nl < 0:
            nl = n
        line = data[pos:nl]
        if not line:
            if entry:
                entries.append(entry)
            entry = {}
            pos = nl + 1
            continue
        eq = line.find(b"=")
        if eq >= 0:
            entry[line[:eq].decode("utf-8", "replace")] = line[eq + 1:].decode("utf-8", "replace")
            pos = nl + 1
            continue
        # binary field: name, newline, 64-bit little-endian length, data, newline
        start = nl + 1
        if start + 8 > n:
            if complete:
                warnings.append(warn(NAME, path, "export entry cut inside a binary field"))
            break
        size, = struct.unpack_from("<Q", data, start)
        if start + 8 + size > n:
            if complete:
                warnings.append(warn(NAME, path, "export entry cut inside a binary field"))
            break
        entry[line.decode("utf-8", "replace")] = data[start + 8:start + 8 + min(size, 1 << 20)].decode("utf-8", "replace")
        pos = start + 8 + size + 1
    if entry:
        entries.append(entry)
    return entries


def _verbose_entries(text: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    entry: Optional[dict[str, Any]] = None
    key: Optional[str] = None
    for line in text.splitlines():
        if line and not line[0].isspace():
            entry = {}
            entries.append(entry)
            key = None
            continue
        if entry is None:
            continue
        m = re.match(r"^    ([A-Z0-9_]+)=(.*)$", line)
        if m:
            key = m.group(1)
            entry[key] = m.group(2)
        elif key and line.startswith("        "):
            entry[key] += "\n" + line.strip()
    return entries


# --- live coredumpctl ----------------------------------------------------------------------


def _ctl_base(journal: Optional[str]) -> list[str]:
    argv = ["coredumpctl", "--no-pager"]
    if journal:
        p = Path(journal)
        argv.append(f"--directory={p}" if p.is_dir() else f"--file={p}")
    return argv


def from_coredumpctl(
    start: Optional[datetime],
    end: Optional[datetime],
    *,
    journal: Optional[str] = None,
    timeout: float = CTL_TIMEOUT,
    max_info: int = MAX_INFO_RUNS,
) -> tuple[list[CrashReport], list[ParseWarning], list[SourceRun]]:
    """Dumps systemd-coredump recorded in [start, end]: the list, then `info` for the newest ones."""
    warnings: list[ParseWarning] = []
    runs: list[SourceRun] = []
    argv = _ctl_base(journal) + ["--json=short", "list"]
    if start:
        argv.append(f"--since=@{int(start.timestamp())}")
    if end:
        argv.append(f"--until=@{int(end.timestamp()) + 1}")
    if which("coredumpctl") is None:
        runs.append(SourceRun(source="coredumpctl", status="unavailable", argv=argv,
                              reason="`coredumpctl` is not installed (systemd-coredump is not set up on this machine)"))
        return [], warnings, runs
    run = ProcRun(argv, timeout=timeout)
    out: list[bytes] = []
    size = 0
    try:
        for line in run.lines():
            out.append(line)
            size += len(line)
            if size > MAX_REPORT_BYTES:
                break
    except SourceUnavailable as exc:
        runs.append(SourceRun(source="coredumpctl", status="unavailable", argv=argv, reason=str(exc)))
        return [], warnings, runs
    failure = run.failure()
    raw = b"\n".join(out).decode("utf-8", "replace").strip()
    if failure:
        if "No coredumps found" in run.stderr and not raw:
            runs.append(SourceRun(source="coredumpctl", status="ok", argv=argv, events=0,
                                  reason=run.stderr.splitlines()[-1] if run.stderr else "no coredumps found"))
            return [], warnings, runs
        runs.append(SourceRun(source="coredumpctl", status="error", argv=argv, reason=failure))
        return [], warnings, runs
    try:
        rows = json.loads(raw) if raw else []
    except ValueError as exc:
        runs.append(SourceRun(source="coredumpctl", status="error", argv=argv,
                              reason=f"coredumpctl printed JSON that cannot be read ({exc})"))
        return [], warnings, runs
    rows = [r for r in rows if isinstance(r, dict)]
    rows.sort(key=lambda r: to_int(r.get("time")) or 0, reverse=True)
    reports: list[CrashReport] = []
    for row in rows:
        r = new_report(kind="coredump", data_type="linux:coredump:coredumpctl", source=NAME, origin=" ".join(argv))
        r.pid = to_int(row.get("pid"))
        r.uid = to_int(row.get("uid"))
        r.signal_number = to_int(row.get("sig"))
        r.signal = signal_name(r.signal_number)
        r.executable_path = to_str(row.get("exe"))
        r.process = r.executable_path.rsplit("/", 1)[-1] if r.executable_path else None
        r.storage = to_str(row.get("corefile"))
        usec = to_int(row.get("time"))
        if usec:
            r.time = datetime.fromtimestamp(usec / 1e6, timezone.utc)
            r.time_zone = "UTC"
            r.time_text = str(usec)
        reports.append(finish(r, discriminator=usec))
    runs.append(SourceRun(source="coredumpctl", status="ok", argv=argv, events=len(reports)))
    # details for the newest few
    detailed = 0
    for i, r in enumerate(reports):
        if detailed >= max_info or r.pid is None:
            continue
        detailed += 1
        info_argv = _ctl_base(journal) + ["info", f"COREDUMP_PID={r.pid}"]
        info = ProcRun(info_argv, timeout=timeout)
        lines: list[str] = []
        try:
            for line in info.lines():
                lines.append(line.decode("utf-8", "replace"))
                if len(lines) > 20000:
                    break
        except SourceUnavailable as exc:
            runs.append(SourceRun(source="coredumpctl", status="unavailable", argv=info_argv, reason=str(exc)))
            break
        reason = info.failure()
        if reason:
            runs.append(SourceRun(source="coredumpctl", status="error", argv=info_argv, reason=reason))
            continue
        found = parse_info_text("\n".join(lines), " ".join(info_argv), None, warnings, "linux:coredump:coredumpctl")
        best = min(found, key=lambda x: abs((x.time - r.time).total_seconds()) if x.time and r.time else 1e12, default=None)
        if best is not None:
            best.evidence_id = r.evidence_id  # same dump, same id as its list row
            best.storage = best.storage or r.storage
            reports[i] = best
        runs.append(SourceRun(source="coredumpctl", status="ok", argv=info_argv, events=len(found)))
    if len(reports) > max_info:
        runs[-1].reason = f"`coredumpctl info` was run for the newest {max_info} dumps; the others have list fields only"
    return reports, warnings, runs


# --- files ---------------------------------------------------------------------------------


def parse_text_file(path: Path, warnings: list[ParseWarning], *, include_body: bool = False) -> Iterator[CrashReport]:
    """Saved `coredumpctl info` / `list` output, or journal JSON with COREDUMP_* entries."""
    got = read_bounded(path, NAME, warnings)
    if got is None:
        return
    data, _complete = got
    if export_matches(data[:65536].decode("utf-8", "replace")):
        text = data.decode("utf-8", "replace")  # binary fields are not text; not a problem
    else:
        text = decode_text(data, NAME, path, warnings)
    head = text[:65536]
    before = len(warnings)
    if info_matches(head):
        found = parse_info_text(text, str(path), str(path), warnings, "linux:coredump:info")
    elif list_matches(head):
        found = parse_list_text(text, str(path), str(path), warnings)
    elif journal_json_matches(head):
        found = parse_journal_json(path, warnings)
    elif export_matches(head):
        found = [from_journal_entry(e, str(path), str(path))
                 for e in _export_entries(data, path, warnings, _complete) if is_coredump_entry(e)]
    elif verbose_matches(head):
        found = [from_journal_entry(e, str(path), str(path)) for e in _verbose_entries(text) if is_coredump_entry(e)]
    else:
        warnings.append(warn(NAME, path, "not coredumpctl output or a journal JSON export", sample=text[:120]))
        return
    if not found and len(warnings) == before:
        warnings.append(warn(NAME, path, "no complete coredump entry in this file (cut short, or no COREDUMP_PID field)"))
    for r in found:
        if include_body:
            r.body, r.body_truncated = body_of(text)
        yield r


def parse_core_file(path: Path, warnings: list[ParseWarning]) -> Iterator[CrashReport]:
    """A raw core (ELF), or a compressed systemd core recognised by its name."""
    named = parse_systemd_core_name(path)
    if named is not None and path.suffix in (".zst", ".lz4"):
        yield finish(named)
        return
    report = parse_elf_core(path, warnings)
    if report is None:
        if named is not None:
            yield finish(named)
        return
    if named is not None:
        report.kind, report.data_type = "coredump", "linux:coredump:file"
        report.time, report.time_note = named.time, "from the systemd-coredump file name"
        report.notes = [n for n in report.notes if "modification time" not in n]
        report.storage = str(path)
    yield finish(report)
