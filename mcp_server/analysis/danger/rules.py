"""The rules of the dangerous-command classifier, as data: the one source of truth.

Used by the classifier (`engine.py`), so by the `flag_dangerous` tool, the PreToolUse Bash gate and
the report alike. Stdlib only, importable in isolation, Python 3.9 compatible.

A rule never names a corpus command: it names a program, a subcommand path, options, and what the
program does (its category, how bad it is, and why). Programs whose danger depends on their
operands (rm and its paths, kill and its pids, dd and its output, redirects and their files) are
judged by named analyzers in `engine.py`; their tables (path classes, signals) are here too.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only (PEP 563)
    from typing import Dict, FrozenSet, Tuple

# --------------------------------------------------------------------------------------------
# Risk levels and categories
# --------------------------------------------------------------------------------------------

RISKS: Tuple[str, ...] = ("none", "low", "medium", "high", "critical")
RISK_RANK: Dict[str, int] = {r: i for i, r in enumerate(RISKS)}
#: 'dangerous' in a labelled corpus, and the threshold of the Bash gate, is risk >= this.
DANGEROUS_AT = "medium"

CATEGORIES: Dict[str, str] = {
    "process_termination": "kills, stops or restarts processes, sessions or services",
    "filesystem_destruction": "deletes, overwrites or wipes files, directories or disks",
    "vcs_destruction": "discards uncommitted work or rewrites/deletes version-control history",
    "database_destruction": "drops, truncates or empties databases, tables, keys or indexes",
    "power": "reboots, shuts down, halts or suspends the machine",
    "resource_exhaustion": "fork bombs and unbounded writes that exhaust processes, memory or disk",
    "permissions": "recursively changes ownership or permissions of system or home paths",
    "package_removal": "uninstalls packages",
    "infrastructure_deletion": "deletes containers, clusters, cloud resources, hosted services or their secrets",
    "backup_destruction": "deletes or prunes backups and snapshots",
    "evidence_destruction": "erases logs, journals, crash reports or shell history",
    "secret_exposure": "prints or sends credentials, keys or the environment",
    "unparsed": "the parser gave up; the command could not be fully analysed",
}

#: Categories the PreToolUse Bash gate blocks (with risk >= DANGEROUS_AT) while an investigation is
#: open: they destroy the process or the evidence under investigation.
GATE_CATEGORIES: FrozenSet[str] = frozenset(
    {"process_termination", "filesystem_destruction", "vcs_destruction", "evidence_destruction", "power"}
)

# --------------------------------------------------------------------------------------------
# Bounds
# --------------------------------------------------------------------------------------------

MAX_CHARS = 64 * 1024  # longer input: only the head is analysed, and the result is `unparsed`
MAX_BASHLEX_CHARS = 1024  # bashlex costs ~40 us a character: longer input that the fast path cannot take goes to the linear fallback
MAX_DEPTH = 8  # nesting of bash -c / eval / ssh / $( ) / interpreters
BUDGET_SECONDS = 0.025  # per top-level command; past it the rest is `unparsed` (worst case stays under 50 ms)
SCREEN_MAX_CHARS = 4096  # the lexical screen pays off on short commands; longer ones go straight to the parsers
MAX_MENTION_CHARS = 4096  # data strings longer than this are not scanned for mentions

# --------------------------------------------------------------------------------------------
# Words that make up commands
# --------------------------------------------------------------------------------------------

#: Unicode look-alikes of '-' folded before parsing (length-preserving, so spans stay true).
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"

#: Wrappers run the rest of their arguments as a command. Value: (options taking a value,
#: number of leading positionals consumed before the command).
WRAPPERS: Dict[str, Tuple[FrozenSet[str], int]] = {
    "sudo": (frozenset("-u -g -C -D -h -p -r -t -U -T --user --group --chdir --host --prompt --role --type --other-user --close-from --command-timeout".split()), 0),
    "doas": (frozenset("-u -C".split()), 0),
    "env": (frozenset("-u -C -S --unset --chdir --split-string".split()), 0),
    "nohup": (frozenset(), 0),
    "time": (frozenset("-f -o --format --output".split()), 0),
    "nice": (frozenset("-n --adjustment".split()), 0),
    "ionice": (frozenset("-c -n -p -P -u --class --classdata --pid --pgid --uid".split()), 0),
    "command": (frozenset(), 0),
    "builtin": (frozenset(), 0),
    "exec": (frozenset("-a".split()), 0),
    "timeout": (frozenset("-s -k --signal --kill-after".split()), 1),
    "gtimeout": (frozenset("-s -k --signal --kill-after".split()), 1),
    "stdbuf": (frozenset("-i -o -e --input --output --error".split()), 0),
    "setsid": (frozenset(), 0),
    "unbuffer": (frozenset(), 0),
    "caffeinate": (frozenset("-t -w".split()), 0),
    "chrt": (frozenset(), 1),
    "taskset": (frozenset(), 1),
    "flock": (frozenset("-w -E --timeout --conflict-exit-code".split()), 1),
    "xargs": (frozenset("-a -d -E -e -I -i -L -l -n -P -s --arg-file --delimiter --eof --replace --max-lines --max-args --max-procs --max-chars --process-slot-var".split()), 0),
    "parallel": (frozenset("-j -S --jobs --sshlogin -a --arg-file --delimiter -d -I --joblog".split()), 0),
    "strace": (frozenset("-e -o -p -s -u".split()), 0),
    "ltrace": (frozenset("-e -o -p -s -u".split()), 0),
    "firejail": (frozenset(), 0),
    "proxychains": (frozenset("-f".split()), 0),
    "proxychains4": (frozenset("-f".split()), 0),
    "torsocks": (frozenset(), 0),
    "runuser": (frozenset("-u -g -G".split()), 0),
    "sg": (frozenset(), 1),
    "chroot": (frozenset("--userspec --groups".split()), 1),
    "unshare": (frozenset(), 0),
    "nsenter": (frozenset("-t --target".split()), 0),
    "systemd-run": (frozenset("-u -p --unit --property --slice -E --setenv".split()), 0),
    "dbus-launch": (frozenset(), 0),
    "catchsegv": (frozenset(), 0),
    "valgrind": (frozenset(), 0),
    "entr": (frozenset(), 0),
    "sandbox-exec": (frozenset("-f -n -p -D".split()), 0),
}

#: `watch` and `su -c`-like programs that join their arguments into one shell string.
STRING_RUNNERS: FrozenSet[str] = frozenset({"watch"})
WATCH_VALUE_OPTS: FrozenSet[str] = frozenset("-n -d --interval --differences -q --equexit".split())

#: `<program> <sub> [opts] -- command…` runs the command after `--` (secret injectors, exec).
DASHDASH_RUNNERS: FrozenSet[Tuple[str, str]] = frozenset({
    ("doppler", "run"), ("op", "run"), ("aws-vault", "exec"), ("kubectl", "exec"), ("oc", "exec"),
    ("uv", "run"), ("poetry", "run"), ("pipenv", "run"), ("pdm", "run"), ("hatch", "run"),
    ("dotenv", "run"), ("infisical", "run"), ("chamber", "exec"), ("npx", ""), ("bunx", ""),
    ("env-cmd", ""), ("cross-env", ""), ("dotenvx", "run"), ("vault", "exec"),
})

#: Running programs whose first positional is the command: `<program> <sub> … cmd args`.
SUBCOMMAND_RUNNERS: Dict[Tuple[str, str], FrozenSet[str]] = {
    ("docker", "exec"): frozenset("-e -u -w --env --env-file --user --workdir --detach-keys".split()),
    ("podman", "exec"): frozenset("-e -u -w --env --env-file --user --workdir --detach-keys".split()),
    ("uv", "run"): frozenset("--with --python -p --project --directory --env-file --extra --group".split()),
    ("poetry", "run"): frozenset(),
    ("pipenv", "run"): frozenset(),
    ("bundle", "exec"): frozenset(),
    ("nix", "shell"): frozenset(),
}

SHELLS: FrozenSet[str] = frozenset({"bash", "sh", "zsh", "dash", "ksh", "mksh", "ash", "fish", "busybox", "rbash", "yash", "tcsh", "csh"})
#: Options of a shell that take a value (so the value is not the script file).
SHELL_VALUE_OPTS: FrozenSet[str] = frozenset("-o +o -O +O --rcfile --init-file".split())

INTERPRETERS: Dict[str, str] = {
    "python": "python", "python2": "python", "python3": "python", "pypy": "python", "pypy3": "python",
    "node": "node", "nodejs": "node", "deno": "node", "bun": "node",
    "ruby": "ruby", "irb": "ruby",
    "perl": "perl",
    "php": "php",
    "osascript": "applescript",
    "lua": "lua", "luajit": "lua",
}
#: Options that introduce inline code, per interpreter family.
CODE_OPTS: Dict[str, FrozenSet[str]] = {
    "python": frozenset({"-c"}),
    "node": frozenset({"-e", "--eval", "-p", "--print", "eval"}),
    "ruby": frozenset({"-e"}),
    "perl": frozenset({"-e", "-E"}),
    "php": frozenset({"-r"}),
    "applescript": frozenset({"-e"}),
    "lua": frozenset({"-e"}),
}

#: Interpreter options that take the next word as their value, per family: the word after them is
#: neither the script nor the code (`python -W ignore -c "…"` runs the -c code).
INTERPRETER_VALUE_OPTS: Dict[str, FrozenSet[str]] = {
    "python": frozenset({"-W", "-X", "--check-hash-based-pycs"}),
    "node": frozenset({"-r", "--require", "--import", "--loader", "--experimental-loader", "-C", "--conditions",
                       "--env-file", "--input-type", "--title", "--inspect-port", "--stack-size"}),
    "ruby": frozenset({"-r", "-I", "-C"}),
    "perl": frozenset({"-I"}),
}

#: Database clients: their -c/-e/--eval/--query text, positional SQL, and stdin are SQL.
DB_CLIENTS: Dict[str, FrozenSet[str]] = {
    "psql": frozenset({"-c", "--command"}),
    "mysql": frozenset({"-e", "--execute"}),
    "mariadb": frozenset({"-e", "--execute"}),
    "sqlite3": frozenset(),
    "duckdb": frozenset({"-c"}),
    "clickhouse-client": frozenset({"-q", "--query"}),
    "clickhouse": frozenset({"-q", "--query"}),
    "cqlsh": frozenset({"-e", "--execute"}),
    "mongo": frozenset({"--eval"}),
    "mongosh": frozenset({"--eval"}),
    "redis-cli": frozenset(),
    "valkey-cli": frozenset(),
    "sqlcmd": frozenset({"-Q", "-q"}),
    "snowsql": frozenset({"-q", "--query"}),
    "bq": frozenset(),
}

#: Programs whose arguments are data: destructive text in them is a mention, never executed.
DATA_COMMANDS: FrozenSet[str] = frozenset({
    "echo", "printf", "print", "grep", "egrep", "fgrep", "rg", "ag", "ack", "sed", "awk", "gawk", "cat",
    "less", "more", "head", "tail", "wc", "sort", "uniq", "cut", "tr", "jq", "yq", "tee", "diff", "cmp",
    "md5sum", "sha1sum", "sha256sum", "base64", "xxd", "od", "hexdump", "file", "stat", "ls", "ll", "dir", "tree",
    "cd", "pushd", "popd", "pwd", "mkdir", "touch", "cp", "ln", "basename", "dirname", "realpath", "readlink",
    "man", "help", "info", "which", "whereis", "type", "hash", "whatis", "apropos", "test", "[", "[[", "true",
    "false", ":", "read", "export", "declare", "typeset", "local", "readonly", "alias", "unalias", "set",
    "logger", "say", "notify-send", "wall", "column", "fold", "fmt", "nl", "rev", "tac", "strings", "expr",
    "seq", "date", "sleep", "wait", "cowsay", "figlet", "banner", "lolcat", "glow", "bat",
    "code", "vim", "vi", "nvim", "nano", "emacs", "open", "xdg-open", "pbcopy", "pbpaste", "clip",
    "history", "fc", "jobs", "disown", "bg", "fg", "ps", "pgrep", "top", "htop", "uptime", "id", "whoami",
    "hostname", "uname", "df", "du", "free", "lsof", "netstat", "ss", "dig", "host", "nslookup", "ping",
    "tput", "stty", "clear", "reset", "source", ".", "mv", "wget", "curl", "http", "https", "xh",
})

#: Messages of these (program, option) pairs are data: `git commit -m "…"`, `git tag -m`.
MESSAGE_OPTS: FrozenSet[str] = frozenset({"-m", "--message", "-F", "--description", "--notes", "--body", "--title", "-t", "--subject"})

#: Options that make a program only print help or its version: nothing is done.
INFO_OPTS: FrozenSet[str] = frozenset({"--help", "--version", "--usage"})
#: Options that make a program only simulate.
DRY_RUN_OPTS: FrozenSet[str] = frozenset({"--dry-run", "--dryrun", "--dry_run", "--what-if", "--whatif", "--simulate", "--just-print", "--no-act", "--list-only"})

# --------------------------------------------------------------------------------------------
# Paths
# --------------------------------------------------------------------------------------------

#: Prefixes (after `~`/$HOME/$TMPDIR are folded to '~' and '/tmp') whose deletion is harmless.
TEMP_PREFIXES: Tuple[str, ...] = ("/tmp", "/var/tmp", "/private/tmp", "/private/var/tmp", "/dev/shm", "/private/var/folders", "/var/folders")

#: Deleting or clobbering these (or the root, or a whole home) is catastrophic.
ROOT_PATHS: FrozenSet[str] = frozenset({"/", "~", "/home", "/Users", "/root", "/*", "~/*", "/home/*", "/Users/*"})

#: System trees: deleting, clobbering or recursively re-permissioning them breaks the machine.
SYSTEM_PREFIXES: Tuple[str, ...] = (
    "/etc", "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/boot", "/opt", "/var", "/srv",
    "/System", "/Library", "/Applications", "/private", "/dev", "/proc", "/sys", "/run", "/snap", "/nix",
    "/home", "/Users", "/root", "/mnt", "/media", "/Volumes", "/cores",
)

#: Logs, journals, crash reports, audit trails, shell histories and agent transcripts: the evidence.
EVIDENCE_PREFIXES: Tuple[str, ...] = (
    "/var/log", "/var/crash", "/var/lib/systemd/coredump", "/var/db/diagnostics", "/var/db/uuidtext",
    "/private/var/log", "/private/var/db/diagnostics", "/Library/Logs", "~/Library/Logs", "/var/audit",
    "/run/log/journal", "~/.claude/projects", "~/.claude/todos", "~/.local/share/fish/fish_history",
    "~/.local/state", "~/.pm2/logs", "/var/lib/docker/containers",
)
HISTORY_FILES: Tuple[str, ...] = (
    ".bash_history", ".zsh_history", ".zhistory", ".history", ".sh_history", ".python_history",
    ".node_repl_history", ".psql_history", ".mysql_history", ".sqlite_history", ".lesshst", ".viminfo",
    "fish_history", ".irb_history", ".rediscli_history",
)
#: A file name that is a log: truncating or deleting it erases evidence.
LOG_NAME_RE = r"(?i)(\.log(\.\d+)?(\.gz)?$|\.journal~?$|^syslog(\.\d+)?$|^messages$|^kern\.log|^auth\.log|\.ips$|\.crash$|^core(\.\d+)?$)"

#: Block devices: writing to them destroys file systems.
DEVICE_RE = r"^/dev/(sd[a-z]+\d*|hd[a-z]+\d*|vd[a-z]+\d*|xvd[a-z]+\d*|nvme\d+(n\d+)?(p\d+)?|mmcblk\d+(p\d+)?|r?disk\d+(s\d+)?|md\d+|dm-\d+|mapper/.+|loop\d+|sr\d+)$"
#: Harmless redirect and output targets.
HARMLESS_DEVICES: FrozenSet[str] = frozenset({"/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty", "/dev/zero", "/dev/random", "/dev/urandom"})
POWER_FILES: Dict[str, str] = {"/proc/sysrq-trigger": "critical", "/sys/power/state": "high"}

#: Credentials: reading them into a transcript exposes them; sending them off the machine leaks them.
SECRET_FILE_RE = (
    r"(?i)(\.(pem|key|p12|pfx)$|(^|/)(id_(rsa|dsa|ecdsa|ed25519)$|\.netrc$|\.pgpass$|"
    r"\.git-credentials$|credentials(\.json)?$|\.npmrc$|\.pypirc$|g?shadow$|master\.key$|"
    r"hosts\.yml$|secrets?\.(ya?ml|json|env)$|\.env(\.[a-z]+)?$|\.vault-token$|tokens?\.json$|keychain(-db)?$)|"
    r"\.aws/config$|\.docker/config\.json$|\.kube/config$|private-keys-v1\.d)"
)
#: Fragments of those names, for the lexical screen (a superset of what the regexes match).
SECRET_FILE_FRAGMENTS: Tuple[str, ...] = (
    "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", ".pem", ".key", ".p12", ".pfx", "netrc", "pgpass", "git-credentials",
    "credentials", "npmrc", "pypirc", "shadow", ".aws", ".docker", ".kube", "hosts.yml", "secret", ".env",
    "private-keys", "vault-token", "token", "keychain",
)
SECRET_ENV_FRAGMENTS: Tuple[str, ...] = (
    "token", "secret", "passwd", "password", "passphrase", "api_key", "apikey", "access_key", "accesskey",
    "private_key", "privatekey", "credential", "auth", "session_key", "sessionkey", "cookie",
)
SECRET_ENV_RE = r"(?i)(TOKEN|SECRET|PASSW(OR)?D|PASSPHRASE|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL|AUTH|SESSION_?KEY|COOKIE)"
READ_COMMANDS: FrozenSet[str] = frozenset({"cat", "less", "more", "head", "tail", "bat", "xxd", "od", "hexdump", "base64", "strings", "grep", "rg", "awk", "sed", "nl", "tac", "vim", "vi", "nano", "pbcopy", "openssl"})
NETWORK_SINKS: FrozenSet[str] = frozenset({"curl", "wget", "nc", "ncat", "netcat", "socat", "telnet", "ssh", "scp", "sftp", "rsync", "http", "https", "xh", "aws", "gsutil", "openssl"})
ENV_DUMPERS: FrozenSet[str] = frozenset({"env", "printenv", "set", "export", "declare"})

# --------------------------------------------------------------------------------------------
# Signals
# --------------------------------------------------------------------------------------------

#: Signals whose default action does not end a process.
HARMLESS_SIGNALS: FrozenSet[str] = frozenset({"0", "CONT", "SIGCONT", "18", "CHLD", "SIGCHLD", "WINCH", "SIGWINCH", "28", "URG", "SIGURG", "INFO", "SIGINFO"})
HARD_SIGNALS: FrozenSet[str] = frozenset({"9", "KILL", "SIGKILL"})

# --------------------------------------------------------------------------------------------
# Per-program rules
# --------------------------------------------------------------------------------------------
# A rule: (subcommand path, conditions, category, risk, reason).
#   subcommand path: tuple of leading positional words (lower-cased), '*' matches any one word;
#   conditions: a dict with any of
#     any:   at least one of these options is present          (short flags match inside clusters)
#     all:   all of these options are present
#     none:  none of these options is present
#     args:  a positional (after the path) equals one of these
#     dashdash: True -> paths follow a `--`
#     noargs: True -> no positional after the path
#   the first matching rule of a program wins unless `also` is set in its conditions.
# Option spelling: '-f' short flag (also inside '-fd'); '--force' long option (also '--force=x');
# '--delete*' any long option starting so; '=-delete' an exact single-dash word (find, kubectl -A).

Rule = "Tuple[Tuple[str, ...], Dict[str, object], str, str, str]"  # a string: typing is not imported

GIT_GLOBAL_VALUE_OPTS: FrozenSet[str] = frozenset("-C -c --git-dir --work-tree --namespace --exec-path --super-prefix --config-env".split())

PROGRAM_RULES: Dict[str, Tuple[Rule, ...]] = {
    # ---------------------------------------------------------------- version control
    "git": (
        (("help",), {}, "", "none", "shows help"),
        (("reset",), {"any": ("--hard",)}, "vcs_destruction", "high", "git reset --hard discards uncommitted changes"),
        (("reset",), {"any": ("--merge",)}, "vcs_destruction", "medium", "git reset --merge can discard uncommitted changes"),
        (("clean",), {"any": ("-f", "--force"), "none": ("-n", "--dry-run", "-i", "--interactive")}, "vcs_destruction", "high", "git clean -f deletes untracked files"),
        (("checkout",), {"dashdash": True}, "vcs_destruction", "high", "git checkout -- <paths> discards uncommitted changes"),
        (("checkout",), {"args": (".", ":/", "*")}, "vcs_destruction", "high", "git checkout . discards uncommitted changes"),
        (("checkout",), {"any": ("-f", "--force")}, "vcs_destruction", "medium", "git checkout --force discards local changes"),
        (("restore",), {"any": ("-W", "--worktree")}, "vcs_destruction", "high", "git restore --worktree discards uncommitted changes"),
        (("restore",), {"none": ("-S", "--staged")}, "vcs_destruction", "high", "git restore discards uncommitted changes in the work tree"),
        (("switch",), {"any": ("-f", "--force", "--discard-changes")}, "vcs_destruction", "medium", "git switch --discard-changes discards local changes"),
        (("push",), {"any": ("-f", "--force", "--mirror", "+refspec", "--force-other")}, "vcs_destruction", "high", "force push overwrites remote history"),
        (("push",), {"any": ("-d", "--delete", ":refspec", "--prune")}, "vcs_destruction", "medium", "git push --delete removes remote branches"),
        (("stash", "clear"), {}, "vcs_destruction", "high", "git stash clear deletes every stash"),
        (("stash", "drop"), {}, "vcs_destruction", "medium", "git stash drop deletes a stash"),
        (("branch",), {"any": ("-D",)}, "vcs_destruction", "medium", "git branch -D deletes a branch even if unmerged"),
        (("branch",), {"all": ("-d", "-f")}, "vcs_destruction", "medium", "git branch --delete --force deletes a branch even if unmerged"),
        (("branch",), {"all": ("--delete", "--force")}, "vcs_destruction", "medium", "git branch --delete --force deletes a branch even if unmerged"),
        (("filter-branch",), {}, "vcs_destruction", "high", "git filter-branch rewrites history"),
        (("filter-repo",), {}, "vcs_destruction", "high", "git filter-repo rewrites history"),
        (("reflog", "expire"), {}, "vcs_destruction", "medium", "git reflog expire removes the record that recovers lost commits"),
        (("reflog", "delete"), {}, "vcs_destruction", "medium", "git reflog delete removes the record that recovers lost commits"),
        (("gc",), {"any": ("--prune*",)}, "vcs_destruction", "medium", "git gc --prune deletes unreachable commits for good"),
        (("prune",), {}, "vcs_destruction", "medium", "git prune deletes unreachable objects for good"),
        (("update-ref",), {"any": ("-d",)}, "vcs_destruction", "medium", "git update-ref -d deletes a ref"),
        (("worktree", "remove"), {"any": ("-f", "--force")}, "vcs_destruction", "medium", "git worktree remove --force deletes a work tree with its changes"),
        (("submodule", "deinit"), {"any": ("-f", "--force", "--all")}, "vcs_destruction", "medium", "git submodule deinit --force discards submodule work trees"),
        (("rm",), {"none": ("--cached",)}, "vcs_destruction", "low", "git rm deletes tracked files from the work tree"),
        (("tag",), {"any": ("-d", "--delete")}, "vcs_destruction", "low", "git tag -d deletes a tag"),
    ),
    "hg": (
        (("update",), {"any": ("-C", "--clean")}, "vcs_destruction", "high", "hg update --clean discards uncommitted changes"),
        (("purge",), {}, "vcs_destruction", "high", "hg purge deletes untracked files"),
        (("strip",), {}, "vcs_destruction", "high", "hg strip deletes changesets"),
        (("revert",), {"any": ("-a", "--all")}, "vcs_destruction", "high", "hg revert --all discards uncommitted changes"),
        (("rollback",), {}, "vcs_destruction", "medium", "hg rollback undoes the last transaction"),
    ),
    "svn": (
        (("revert",), {}, "vcs_destruction", "high", "svn revert discards uncommitted changes"),
        (("delete",), {}, "vcs_destruction", "medium", "svn delete removes files"),
        (("rm",), {}, "vcs_destruction", "medium", "svn rm removes files"),
    ),
    # ---------------------------------------------------------------- processes and services
    "pkill": ((("*",), {"none": ("-0",)}, "process_termination", "high", "pkill kills every process matching a pattern"),),
    "killall": ((("*",), {"none": ("-l", "--list", "-0")}, "process_termination", "high", "killall kills every process with a name"),),
    "killall5": ((("*",), {}, "process_termination", "critical", "killall5 signals every process on the system"),),
    "taskkill": ((("*",), {}, "process_termination", "high", "taskkill kills Windows processes"),),
    "fuser": ((("*",), {"any": ("-k", "--kill")}, "process_termination", "high", "fuser -k kills the processes using a file or port"),),
    "tmux": (
        (("kill-server",), {}, "process_termination", "high", "tmux kill-server kills every tmux session and the programs in them"),
        (("kill-session",), {}, "process_termination", "high", "tmux kill-session kills a session and the programs in it"),
        (("kill-ses",), {}, "process_termination", "high", "tmux kill-session kills a session and the programs in it"),
        (("kill-window",), {}, "process_termination", "medium", "tmux kill-window kills the programs in a window"),
        (("killw",), {}, "process_termination", "medium", "tmux kill-window kills the programs in a window"),
        (("kill-pane",), {}, "process_termination", "medium", "tmux kill-pane kills the program in a pane"),
        (("killp",), {}, "process_termination", "medium", "tmux kill-pane kills the program in a pane"),
        (("respawn-pane",), {"any": ("-k",)}, "process_termination", "medium", "tmux respawn-pane -k kills the program in a pane"),
        (("respawn-window",), {"any": ("-k",)}, "process_termination", "medium", "tmux respawn-window -k kills the programs in a window"),
    ),
    "screen": ((("*",), {"any": ("-X",), "args": ("quit", "kill")}, "process_termination", "medium", "screen -X quit kills a screen session"),),
    "zellij": (
        (("kill-all-sessions",), {}, "process_termination", "high", "zellij kill-all-sessions kills every session"),
        (("kill-session",), {}, "process_termination", "high", "zellij kill-session kills a session"),
        (("k",), {}, "process_termination", "high", "zellij kill-session kills a session"),
        (("delete-all-sessions",), {}, "process_termination", "medium", "zellij delete-all-sessions deletes sessions"),
    ),
    "systemctl": (
        (("reboot",), {}, "power", "critical", "systemctl reboot restarts the machine"),
        (("poweroff",), {}, "power", "critical", "systemctl poweroff shuts the machine down"),
        (("halt",), {}, "power", "critical", "systemctl halt halts the machine"),
        (("kexec",), {}, "power", "critical", "systemctl kexec reboots into a new kernel"),
        (("soft-reboot",), {}, "power", "critical", "systemctl soft-reboot restarts userspace"),
        (("emergency",), {}, "power", "critical", "systemctl emergency stops every service"),
        (("rescue",), {}, "power", "critical", "systemctl rescue stops most services"),
        (("suspend",), {}, "power", "high", "systemctl suspend puts the machine to sleep"),
        (("hibernate",), {}, "power", "high", "systemctl hibernate puts the machine to sleep"),
        (("hybrid-sleep",), {}, "power", "high", "systemctl hybrid-sleep puts the machine to sleep"),
        (("suspend-then-hibernate",), {}, "power", "high", "systemctl suspend-then-hibernate puts the machine to sleep"),
        (("isolate",), {}, "process_termination", "high", "systemctl isolate stops every unit not in the target"),
        (("kill",), {}, "process_termination", "high", "systemctl kill signals a service's processes"),
        (("stop",), {}, "process_termination", "high", "systemctl stop stops a service"),
        (("disable",), {"any": ("--now",)}, "process_termination", "high", "systemctl disable --now stops a service"),
        (("mask",), {"any": ("--now",)}, "process_termination", "high", "systemctl mask --now stops a service"),
        (("restart",), {}, "process_termination", "medium", "systemctl restart kills and restarts a service"),
        (("try-restart",), {}, "process_termination", "medium", "systemctl try-restart restarts a service"),
        (("reload-or-restart",), {}, "process_termination", "medium", "systemctl reload-or-restart may restart a service"),
        (("try-reload-or-restart",), {}, "process_termination", "medium", "systemctl try-reload-or-restart may restart a service"),
        (("disable",), {}, "infrastructure_deletion", "low", "systemctl disable keeps a service from starting at boot"),
        (("mask",), {}, "infrastructure_deletion", "low", "systemctl mask keeps a service from starting"),
    ),
    "service": (
        (("*", "stop"), {}, "process_termination", "high", "service … stop stops a service"),
        (("*", "restart"), {}, "process_termination", "medium", "service … restart restarts a service"),
        (("*", "force-reload"), {}, "process_termination", "medium", "service … force-reload restarts a service"),
    ),
    "rc-service": ((("*", "stop"), {}, "process_termination", "high", "rc-service … stop stops a service"), (("*", "restart"), {}, "process_termination", "medium", "rc-service … restart restarts a service")),
    "loginctl": (
        (("terminate-session",), {}, "process_termination", "high", "loginctl terminate-session kills a login session"),
        (("terminate-user",), {}, "process_termination", "high", "loginctl terminate-user kills a user's processes"),
        (("kill-session",), {}, "process_termination", "high", "loginctl kill-session signals a login session"),
        (("kill-user",), {}, "process_termination", "high", "loginctl kill-user signals a user's processes"),
        (("poweroff",), {}, "power", "critical", "loginctl poweroff shuts the machine down"),
        (("reboot",), {}, "power", "critical", "loginctl reboot restarts the machine"),
        (("suspend",), {}, "power", "high", "loginctl suspend puts the machine to sleep"),
        (("hibernate",), {}, "power", "high", "loginctl hibernate puts the machine to sleep"),
    ),
    "launchctl": (
        (("bootout",), {}, "process_termination", "high", "launchctl bootout unloads and kills a service"),
        (("kill",), {}, "process_termination", "high", "launchctl kill signals a service"),
        (("stop",), {}, "process_termination", "high", "launchctl stop stops a service"),
        (("remove",), {}, "process_termination", "high", "launchctl remove unloads and kills a job"),
        (("unload",), {}, "process_termination", "high", "launchctl unload stops a service"),
        (("kickstart",), {"any": ("-k",)}, "process_termination", "medium", "launchctl kickstart -k kills and restarts a service"),
        (("reboot",), {}, "power", "critical", "launchctl reboot restarts the machine or userspace"),
        (("disable",), {}, "infrastructure_deletion", "low", "launchctl disable keeps a service from starting"),
    ),
    "supervisorctl": (
        (("stop",), {}, "process_termination", "high", "supervisorctl stop stops a program"),
        (("shutdown",), {}, "process_termination", "high", "supervisorctl shutdown stops supervisord and its programs"),
        (("restart",), {}, "process_termination", "medium", "supervisorctl restart restarts a program"),
        (("remove",), {}, "process_termination", "medium", "supervisorctl remove removes a program group"),
    ),
    "pm2": (
        (("kill",), {}, "process_termination", "high", "pm2 kill kills the pm2 daemon and every app"),
        (("delete",), {}, "process_termination", "high", "pm2 delete stops and forgets an app"),
        (("del",), {}, "process_termination", "high", "pm2 delete stops and forgets an app"),
        (("stop",), {}, "process_termination", "high", "pm2 stop stops an app"),
        (("restart",), {}, "process_termination", "medium", "pm2 restart restarts an app"),
        (("reload",), {}, "process_termination", "medium", "pm2 reload restarts an app"),
        (("flush",), {}, "evidence_destruction", "high", "pm2 flush empties the app logs"),
    ),
    "forever": ((("stop",), {}, "process_termination", "high", "forever stop stops a script"), (("stopall",), {}, "process_termination", "high", "forever stopall stops every script")),
    "nginx": ((("*",), {"any": ("-s",), "args": ("stop", "quit")}, "process_termination", "high", "nginx -s stop stops nginx"),),
    "apachectl": ((("stop",), {}, "process_termination", "high", "apachectl stop stops Apache"), (("graceful-stop",), {}, "process_termination", "high", "apachectl graceful-stop stops Apache"), (("restart",), {}, "process_termination", "medium", "apachectl restart restarts Apache")),
    "pg_ctl": ((("stop",), {}, "process_termination", "high", "pg_ctl stop stops PostgreSQL"), (("restart",), {}, "process_termination", "medium", "pg_ctl restart restarts PostgreSQL"), (("kill",), {}, "process_termination", "high", "pg_ctl kill signals a PostgreSQL process")),
    "pg_ctlcluster": ((("*", "*", "stop"), {}, "process_termination", "high", "pg_ctlcluster stop stops PostgreSQL"),),
    "mysqladmin": ((("shutdown",), {}, "process_termination", "high", "mysqladmin shutdown stops MySQL"), (("drop",), {}, "database_destruction", "critical", "mysqladmin drop deletes a database"), (("kill",), {}, "process_termination", "medium", "mysqladmin kill kills a MySQL connection")),
    "brew": (
        (("services", "stop"), {}, "process_termination", "high", "brew services stop stops a service"),
        (("services", "kill"), {}, "process_termination", "high", "brew services kill kills a service"),
        (("services", "restart"), {}, "process_termination", "medium", "brew services restart restarts a service"),
        (("uninstall",), {}, "package_removal", "low", "brew uninstall removes a package"),
        (("remove",), {}, "package_removal", "low", "brew remove removes a package"),
        (("rm",), {}, "package_removal", "low", "brew rm removes a package"),
        (("autoremove",), {}, "package_removal", "low", "brew autoremove removes unused packages"),
    ),
    # ---------------------------------------------------------------- containers and clusters
    "docker": (
        (("kill",), {}, "process_termination", "high", "docker kill kills containers"),
        (("container", "kill"), {}, "process_termination", "high", "docker kill kills containers"),
        (("stop",), {}, "process_termination", "high", "docker stop stops containers"),
        (("container", "stop"), {}, "process_termination", "high", "docker stop stops containers"),
        (("restart",), {}, "process_termination", "medium", "docker restart restarts containers"),
        (("container", "restart"), {}, "process_termination", "medium", "docker restart restarts containers"),
        (("rm",), {"any": ("-f", "--force")}, "process_termination", "high", "docker rm -f kills and deletes running containers"),
        (("container", "rm"), {"any": ("-f", "--force")}, "process_termination", "high", "docker rm -f kills and deletes running containers"),
        (("rm",), {"any": ("-v", "--volumes")}, "infrastructure_deletion", "medium", "docker rm -v deletes containers and their volumes"),
        (("rm",), {}, "infrastructure_deletion", "low", "docker rm deletes stopped containers"),
        (("container", "rm"), {}, "infrastructure_deletion", "low", "docker rm deletes stopped containers"),
        (("container", "prune"), {}, "infrastructure_deletion", "medium", "docker container prune deletes every stopped container"),
        (("system", "prune"), {"any": ("-a", "--all", "--volumes")}, "infrastructure_deletion", "high", "docker system prune -a deletes all unused images, containers, networks (and volumes)"),
        (("system", "prune"), {}, "infrastructure_deletion", "medium", "docker system prune deletes stopped containers, networks and dangling images"),
        (("volume", "rm"), {}, "infrastructure_deletion", "high", "docker volume rm deletes volumes and their data"),
        (("volume", "prune"), {}, "infrastructure_deletion", "high", "docker volume prune deletes unused volumes and their data"),
        (("image", "prune"), {"any": ("-a", "--all")}, "infrastructure_deletion", "medium", "docker image prune -a deletes every unused image"),
        (("image", "prune"), {}, "infrastructure_deletion", "low", "docker image prune deletes dangling images"),
        (("rmi",), {}, "infrastructure_deletion", "low", "docker rmi deletes images"),
        (("image", "rm"), {}, "infrastructure_deletion", "low", "docker image rm deletes images"),
        (("network", "prune"), {}, "infrastructure_deletion", "low", "docker network prune deletes unused networks"),
        (("builder", "prune"), {}, "infrastructure_deletion", "low", "docker builder prune deletes build cache"),
        (("compose", "down"), {"any": ("-v", "--volumes")}, "infrastructure_deletion", "high", "docker compose down -v stops the services and deletes their volumes"),
        (("compose", "down"), {}, "process_termination", "high", "docker compose down stops and removes the services"),
        (("compose", "kill"), {}, "process_termination", "high", "docker compose kill kills the services"),
        (("compose", "stop"), {}, "process_termination", "high", "docker compose stop stops the services"),
        (("compose", "rm"), {}, "infrastructure_deletion", "medium", "docker compose rm deletes service containers"),
        (("compose", "restart"), {}, "process_termination", "medium", "docker compose restart restarts the services"),
        (("swarm", "leave"), {"any": ("-f", "--force")}, "infrastructure_deletion", "high", "docker swarm leave --force leaves the swarm"),
        (("service", "rm"), {}, "process_termination", "high", "docker service rm removes a service and its tasks"),
        (("stack", "rm"), {}, "process_termination", "high", "docker stack rm removes a stack"),
    ),
    "docker-compose": (
        (("down",), {"any": ("-v", "--volumes")}, "infrastructure_deletion", "high", "docker-compose down -v stops the services and deletes their volumes"),
        (("down",), {}, "process_termination", "high", "docker-compose down stops and removes the services"),
        (("kill",), {}, "process_termination", "high", "docker-compose kill kills the services"),
        (("stop",), {}, "process_termination", "high", "docker-compose stop stops the services"),
        (("rm",), {}, "infrastructure_deletion", "medium", "docker-compose rm deletes service containers"),
        (("restart",), {}, "process_termination", "medium", "docker-compose restart restarts the services"),
    ),
    "kubectl": (
        (("delete",), {"any": ("--all", "-A", "--all-namespaces")}, "infrastructure_deletion", "high", "kubectl delete --all deletes every resource of a kind"),
        (("delete",), {"args": ("namespace", "ns", "namespaces", "all", "pv", "pvc", "persistentvolume", "persistentvolumeclaim", "crd", "node", "nodes")}, "infrastructure_deletion", "high", "kubectl delete of namespaces, volumes or nodes deletes everything in them"),
        (("delete",), {}, "infrastructure_deletion", "medium", "kubectl delete deletes cluster resources"),
        (("drain",), {}, "process_termination", "medium", "kubectl drain evicts every pod from a node"),
        (("scale",), {"any": ("--replicas=0",)}, "process_termination", "medium", "kubectl scale --replicas=0 stops every pod"),
        (("rollout", "restart"), {}, "process_termination", "medium", "kubectl rollout restart restarts pods"),
        (("replace",), {"any": ("--force",)}, "infrastructure_deletion", "medium", "kubectl replace --force deletes and recreates resources"),
    ),
    "helm": ((("uninstall",), {}, "infrastructure_deletion", "medium", "helm uninstall deletes a release"), (("delete",), {}, "infrastructure_deletion", "medium", "helm delete deletes a release"), (("del",), {}, "infrastructure_deletion", "medium", "helm delete deletes a release")),
    "terraform": (
        (("destroy",), {}, "infrastructure_deletion", "high", "terraform destroy deletes all managed infrastructure"),
        (("apply",), {"any": ("-destroy", "--destroy", "=-destroy")}, "infrastructure_deletion", "high", "terraform apply -destroy deletes all managed infrastructure"),
        (("state", "rm"), {}, "infrastructure_deletion", "medium", "terraform state rm forgets resources"),
        (("workspace", "delete"), {}, "infrastructure_deletion", "medium", "terraform workspace delete deletes a workspace"),
    ),
    "tofu": ((("destroy",), {}, "infrastructure_deletion", "high", "tofu destroy deletes all managed infrastructure"), (("apply",), {"any": ("=-destroy", "--destroy")}, "infrastructure_deletion", "high", "tofu apply -destroy deletes all managed infrastructure")),
    "pulumi": ((("destroy",), {}, "infrastructure_deletion", "high", "pulumi destroy deletes all managed infrastructure"), (("stack", "rm"), {}, "infrastructure_deletion", "medium", "pulumi stack rm deletes a stack")),
    "gh": (
        (("repo", "archive"), {"generic": True}, "infrastructure_deletion", "medium", "gh repo archive makes a repository read-only"),
    ),
    # ---------------------------------------------------------------- file transfer and backups
    "rsync": (
        (("*",), {"any": ("-n", "--dry-run", "--list-only")}, "", "none", "dry run"),
        (("*",), {"any": ("--del", "--delete*", "--remove-source-files", "--remove-sent-files")}, "filesystem_destruction", "medium", "rsync --delete deletes destination files missing from the source"),
    ),
    "rclone": (
        (("*",), {"any": ("-n", "--dry-run")}, "", "none", "dry run"),
        (("sync",), {}, "filesystem_destruction", "medium", "rclone sync deletes destination files missing from the source"),
        (("move",), {}, "filesystem_destruction", "medium", "rclone move deletes the source files"),
        (("moveto",), {}, "filesystem_destruction", "medium", "rclone moveto deletes the source file"),
        (("delete",), {}, "filesystem_destruction", "medium", "rclone delete deletes remote files"),
        (("deletefile",), {}, "filesystem_destruction", "medium", "rclone deletefile deletes a remote file"),
        (("purge",), {}, "filesystem_destruction", "high", "rclone purge deletes a remote path and everything in it"),
        (("rmdir",), {}, "filesystem_destruction", "medium", "rclone rmdir deletes a remote directory"),
        (("rmdirs",), {}, "filesystem_destruction", "medium", "rclone rmdirs deletes remote directories"),
        (("cleanup",), {}, "filesystem_destruction", "medium", "rclone cleanup deletes old versions and trash"),
        (("dedupe",), {}, "filesystem_destruction", "medium", "rclone dedupe deletes duplicate files"),
    ),
    "restic": (
        (("forget",), {}, "backup_destruction", "high", "restic forget deletes backup snapshots"),
        (("prune",), {}, "backup_destruction", "high", "restic prune deletes unreferenced backup data"),
        (("key", "remove"), {}, "backup_destruction", "high", "restic key remove can lock everyone out of the repository"),
    ),
    "borg": (
        (("*",), {"any": ("-n", "--dry-run")}, "", "none", "dry run"),
        (("delete",), {}, "backup_destruction", "high", "borg delete deletes backup archives or the repository"),
        (("prune",), {}, "backup_destruction", "high", "borg prune deletes backup archives"),
        (("compact",), {}, "backup_destruction", "medium", "borg compact frees the space of deleted archives for good"),
        (("rdelete",), {}, "backup_destruction", "critical", "borg rdelete deletes the whole repository"),
        (("repo-delete",), {}, "backup_destruction", "critical", "borg repo-delete deletes the whole repository"),
        (("recreate",), {}, "backup_destruction", "medium", "borg recreate rewrites archives, dropping data"),
    ),
    "tmutil": (
        (("delete",), {}, "backup_destruction", "high", "tmutil delete deletes Time Machine backups"),
        (("deletelocalsnapshots",), {}, "backup_destruction", "high", "tmutil deletelocalsnapshots deletes local snapshots"),
        (("thinlocalsnapshots",), {}, "backup_destruction", "medium", "tmutil thinlocalsnapshots deletes local snapshots"),
        (("disable",), {}, "backup_destruction", "medium", "tmutil disable turns Time Machine off"),
    ),
    "zfs": ((("destroy",), {}, "backup_destruction", "critical", "zfs destroy deletes datasets or snapshots"), (("rollback",), {}, "filesystem_destruction", "high", "zfs rollback discards everything after a snapshot")),
    "zpool": ((("destroy",), {}, "filesystem_destruction", "critical", "zpool destroy deletes a pool"), (("labelclear",), {}, "filesystem_destruction", "critical", "zpool labelclear wipes a device")),
    "btrfs": ((("subvolume", "delete"), {}, "backup_destruction", "high", "btrfs subvolume delete deletes subvolumes or snapshots"),),
    "lvremove": ((("*",), {}, "filesystem_destruction", "critical", "lvremove deletes logical volumes"),),
    "vgremove": ((("*",), {}, "filesystem_destruction", "critical", "vgremove deletes volume groups"),),
    "pvremove": ((("*",), {}, "filesystem_destruction", "critical", "pvremove wipes physical volume labels"),),
    "snapper": ((("delete",), {}, "backup_destruction", "high", "snapper delete deletes snapshots"),),
    "timeshift": ((("*",), {"any": ("--delete", "--delete-all")}, "backup_destruction", "high", "timeshift --delete deletes snapshots"),),
    # ---------------------------------------------------------------- disks
    "mkfs": ((("*",), {}, "filesystem_destruction", "critical", "mkfs formats a device, erasing it"),),
    "mke2fs": ((("*",), {}, "filesystem_destruction", "critical", "mke2fs formats a device, erasing it"),),
    "mkswap": ((("*",), {}, "filesystem_destruction", "critical", "mkswap formats a device, erasing it"),),
    "newfs": ((("*",), {}, "filesystem_destruction", "critical", "newfs formats a device, erasing it"),),
    "wipefs": ((("*",), {"none": ("-n", "--no-act")}, "filesystem_destruction", "critical", "wipefs erases file-system signatures"),),
    "blkdiscard": ((("*",), {}, "filesystem_destruction", "critical", "blkdiscard discards every block of a device"),),
    "sgdisk": ((("*",), {"any": ("-Z", "--zap-all", "-o", "--clear", "-d", "--delete")}, "filesystem_destruction", "critical", "sgdisk rewrites a partition table"),),
    "sfdisk": ((("*",), {"none": ("-l", "--list", "-d", "--dump", "-V", "--verify", "-s", "--show-size")}, "filesystem_destruction", "critical", "sfdisk rewrites a partition table"),),
    "fdisk": ((("*",), {"none": ("-l", "--list")}, "filesystem_destruction", "high", "fdisk edits a partition table"),),
    "parted": ((("*",), {"any": ("-s", "--script"), "none": ("-l", "--list")}, "filesystem_destruction", "high", "parted --script edits a partition table"),),
    "diskutil": (
        (("erasedisk",), {}, "filesystem_destruction", "critical", "diskutil eraseDisk erases a disk"),
        (("erasevolume",), {}, "filesystem_destruction", "critical", "diskutil eraseVolume erases a volume"),
        (("zerodisk",), {}, "filesystem_destruction", "critical", "diskutil zeroDisk erases a disk"),
        (("securerase",), {}, "filesystem_destruction", "critical", "diskutil secureErase erases a disk"),
        (("secureerase",), {}, "filesystem_destruction", "critical", "diskutil secureErase erases a disk"),
        (("randomdisk",), {}, "filesystem_destruction", "critical", "diskutil randomDisk erases a disk"),
        (("partitiondisk",), {}, "filesystem_destruction", "critical", "diskutil partitionDisk erases a disk"),
        (("reformat",), {}, "filesystem_destruction", "critical", "diskutil reformat erases a volume"),
        (("apfs", "deletevolume"), {}, "filesystem_destruction", "critical", "diskutil apfs deleteVolume deletes a volume"),
        (("apfs", "deletecontainer"), {}, "filesystem_destruction", "critical", "diskutil apfs deleteContainer deletes a container"),
    ),
    # ---------------------------------------------------------------- power
    "reboot": ((("*",), {}, "power", "critical", "reboot restarts the machine"),),
    "poweroff": ((("*",), {}, "power", "critical", "poweroff shuts the machine down"),),
    "halt": ((("*",), {}, "power", "critical", "halt halts the machine"),),
    "shutdown": ((("*",), {"any": ("-c",)}, "", "none", "shutdown -c cancels a pending shutdown"), (("*",), {}, "power", "critical", "shutdown turns the machine off or restarts it")),
    "init": ((("*",), {"args": ("0", "6", "1", "s", "S")}, "power", "critical", "init 0/6 halts or restarts the machine"),),
    "telinit": ((("*",), {"args": ("0", "6", "1", "s", "S")}, "power", "critical", "telinit 0/6 halts or restarts the machine"),),
    "pmset": (
        (("sleepnow",), {}, "power", "high", "pmset sleepnow puts the Mac to sleep"),
        (("displaysleepnow",), {}, "power", "low", "pmset displaysleepnow turns the display off"),
        (("restoredefaults",), {}, "power", "low", "pmset restoredefaults resets power settings"),
    ),
    "rtcwake": ((("*",), {"none": ("-m no", "--dry-run", "-n")}, "power", "high", "rtcwake suspends the machine"),),
    "zzz": ((("*",), {}, "power", "high", "zzz suspends the machine"),),
    "pm-suspend": ((("*",), {}, "power", "high", "pm-suspend suspends the machine"),),
    "pm-hibernate": ((("*",), {}, "power", "high", "pm-hibernate hibernates the machine"),),
    # ---------------------------------------------------------------- packages
    "apt": (
        (("purge",), {}, "package_removal", "medium", "apt purge removes packages and their configuration"),
        (("remove",), {}, "package_removal", "medium", "apt remove removes packages"),
        (("autoremove",), {}, "package_removal", "medium", "apt autoremove removes packages"),
        (("autopurge",), {}, "package_removal", "medium", "apt autopurge removes packages and their configuration"),
    ),
    "apt-get": (
        (("purge",), {}, "package_removal", "medium", "apt-get purge removes packages and their configuration"),
        (("remove",), {}, "package_removal", "medium", "apt-get remove removes packages"),
        (("autoremove",), {}, "package_removal", "medium", "apt-get autoremove removes packages"),
    ),
    "aptitude": ((("remove",), {}, "package_removal", "medium", "aptitude remove removes packages"), (("purge",), {}, "package_removal", "medium", "aptitude purge removes packages")),
    "dpkg": ((("*",), {"any": ("-r", "-P", "--remove", "--purge")}, "package_removal", "medium", "dpkg --remove removes packages"),),
    "rpm": ((("*",), {"any": ("-e", "--erase")}, "package_removal", "medium", "rpm -e removes packages"),),
    "yum": ((("remove",), {}, "package_removal", "medium", "yum remove removes packages"), (("erase",), {}, "package_removal", "medium", "yum erase removes packages"), (("autoremove",), {}, "package_removal", "medium", "yum autoremove removes packages")),
    "dnf": ((("remove",), {}, "package_removal", "medium", "dnf remove removes packages"), (("erase",), {}, "package_removal", "medium", "dnf erase removes packages"), (("autoremove",), {}, "package_removal", "medium", "dnf autoremove removes packages")),
    "zypper": ((("remove",), {}, "package_removal", "medium", "zypper remove removes packages"), (("rm",), {}, "package_removal", "medium", "zypper rm removes packages")),
    "pacman": ((("*",), {"any": ("-R", "--remove")}, "package_removal", "medium", "pacman -R removes packages"),),
    "apk": ((("del",), {}, "package_removal", "medium", "apk del removes packages"),),
    "snap": ((("remove",), {}, "package_removal", "medium", "snap remove removes a snap"),),
    "flatpak": ((("uninstall",), {}, "package_removal", "low", "flatpak uninstall removes an app"), (("remove",), {}, "package_removal", "low", "flatpak remove removes an app")),
    "port": ((("uninstall",), {}, "package_removal", "low", "port uninstall removes a port"),),
    "pip": ((("uninstall",), {}, "package_removal", "low", "pip uninstall removes Python packages"),),
    "pip3": ((("uninstall",), {}, "package_removal", "low", "pip uninstall removes Python packages"),),
    "pipx": ((("uninstall",), {}, "package_removal", "low", "pipx uninstall removes an app"), (("uninstall-all",), {}, "package_removal", "medium", "pipx uninstall-all removes every app")),
    "conda": ((("remove",), {}, "package_removal", "low", "conda remove removes packages"), (("uninstall",), {}, "package_removal", "low", "conda uninstall removes packages"), (("env", "remove"), {}, "package_removal", "medium", "conda env remove deletes an environment")),
    "npm": (
        (("uninstall",), {}, "package_removal", "low", "npm uninstall removes packages"),
        (("remove",), {}, "package_removal", "low", "npm remove removes packages"),
        (("rm",), {}, "package_removal", "low", "npm rm removes packages"),
        (("un",), {}, "package_removal", "low", "npm uninstall removes packages"),
        (("r",), {}, "package_removal", "low", "npm uninstall removes packages"),
        (("unpublish",), {}, "infrastructure_deletion", "high", "npm unpublish deletes a published package"),
    ),
    "yarn": ((("remove",), {}, "package_removal", "low", "yarn remove removes packages"),),
    "pnpm": ((("remove",), {}, "package_removal", "low", "pnpm remove removes packages"), (("rm",), {}, "package_removal", "low", "pnpm rm removes packages"), (("uninstall",), {}, "package_removal", "low", "pnpm uninstall removes packages")),
    "gem": ((("uninstall",), {}, "package_removal", "low", "gem uninstall removes gems"),),
    "cargo": ((("uninstall",), {}, "package_removal", "low", "cargo uninstall removes a binary"),),
    "go": ((("clean",), {"any": ("-modcache", "=-modcache")}, "filesystem_destruction", "low", "go clean -modcache deletes the module cache"),),
    # ---------------------------------------------------------------- databases (CLIs)
    "dropdb": ((("*",), {}, "database_destruction", "critical", "dropdb deletes a PostgreSQL database"),),
    "dropuser": ((("*",), {}, "database_destruction", "medium", "dropuser deletes a PostgreSQL role"),),
    "redis-server": (),
    # ---------------------------------------------------------------- evidence
    "journalctl": (
        (("*",), {"any": ("--vacuum-size*", "--vacuum-time*", "--vacuum-files*")}, "evidence_destruction", "high", "journalctl --vacuum deletes journal files"),
        (("*",), {"any": ("--rotate",)}, "evidence_destruction", "low", "journalctl --rotate archives the active journal"),
    ),
    "log": ((("erase",), {}, "evidence_destruction", "high", "log erase deletes the macOS unified log"),),
    "dmesg": ((("*",), {"any": ("-c", "-C", "--clear", "--read-clear")}, "evidence_destruction", "medium", "dmesg --clear empties the kernel ring buffer"),),
    "wevtutil": ((("cl",), {}, "evidence_destruction", "high", "wevtutil cl clears a Windows event log"), (("clear-log",), {}, "evidence_destruction", "high", "wevtutil clear-log clears a Windows event log")),
    "auditctl": ((("*",), {"any": ("-D",)}, "evidence_destruction", "medium", "auditctl -D deletes every audit rule"), (("*",), {"any": ("-e",), "args": ("0",)}, "evidence_destruction", "medium", "auditctl -e 0 disables auditing")),
    "logrotate": ((("*",), {"any": ("-f", "--force")}, "evidence_destruction", "low", "logrotate --force rotates (and may delete) logs now"),),
    "coredumpctl": (),
    "history": (
        (("*",), {"any": ("-c",)}, "evidence_destruction", "high", "history -c clears the shell history"),
        (("*",), {"any": ("-d",)}, "evidence_destruction", "medium", "history -d deletes history entries"),
        (("*",), {"any": ("-w",), "args": ("/dev/null",)}, "evidence_destruction", "high", "history -w /dev/null erases the history file"),
        (("*",), {}, "", "none", "shows history"),
    ),
    "unset": ((("*",), {"args": ("HISTFILE",)}, "evidence_destruction", "medium", "unset HISTFILE stops the shell from saving history"),),
    "ulimit": ((("*",), {"any": ("-c",), "args": ("0",)}, "evidence_destruction", "low", "ulimit -c 0 disables core dumps"),),
    "screen-wipe": (),
    # ---------------------------------------------------------------- system state
    "crontab": ((("*",), {"any": ("-r",)}, "infrastructure_deletion", "medium", "crontab -r deletes every cron job of the user"),),
    "iptables": ((("*",), {"any": ("-F", "--flush", "-X", "--delete-chain")}, "infrastructure_deletion", "medium", "iptables --flush deletes firewall rules"),),
    "ip6tables": ((("*",), {"any": ("-F", "--flush", "-X", "--delete-chain")}, "infrastructure_deletion", "medium", "ip6tables --flush deletes firewall rules"),),
    "nft": ((("flush",), {}, "infrastructure_deletion", "medium", "nft flush deletes firewall rules"), (("delete",), {}, "infrastructure_deletion", "medium", "nft delete deletes firewall rules")),
    "ufw": ((("disable",), {}, "infrastructure_deletion", "medium", "ufw disable turns the firewall off"), (("reset",), {}, "infrastructure_deletion", "medium", "ufw reset deletes every firewall rule")),
    "userdel": ((("*",), {"any": ("-r", "--remove")}, "filesystem_destruction", "high", "userdel -r deletes a user and their home folder"), (("*",), {}, "infrastructure_deletion", "medium", "userdel deletes a user account")),
    "deluser": ((("*",), {"any": ("--remove-home", "--remove-all-files")}, "filesystem_destruction", "high", "deluser --remove-home deletes a user's files"), (("*",), {}, "infrastructure_deletion", "medium", "deluser deletes a user account")),
    "swapoff": ((("*",), {"any": ("-a", "--all")}, "resource_exhaustion", "low", "swapoff -a removes swap (memory pressure can kill processes)"),),
    # ---------------------------------------------------------------- hosted services
    "heroku": ((("apps:destroy",), {}, "infrastructure_deletion", "high", "heroku apps:destroy deletes an app"), (("pg:reset",), {}, "database_destruction", "critical", "heroku pg:reset deletes a database's data"), (("ps:stop",), {}, "process_termination", "high", "heroku ps:stop stops dynos"), (("ps:restart",), {}, "process_termination", "medium", "heroku ps:restart restarts dynos")),
    "vercel": ((("rm",), {}, "infrastructure_deletion", "medium", "vercel rm deletes deployments"), (("remove",), {}, "infrastructure_deletion", "medium", "vercel remove deletes deployments")),
}

#: Programs whose rule table above also lets the generic destructive-verb rules apply.
GENERIC_TOO: FrozenSet[str] = frozenset({"gh", "brew", "npm", "go", "redis-server", "coredumpctl", "screen-wipe", "log"})

#: Programs that get no generic verb analysis: their positional words are data or file names,
#: or they have their own analyzer.
NO_GENERIC: FrozenSet[str] = DATA_COMMANDS | frozenset({
    "rm", "rmdir", "unlink", "find", "dd", "truncate", "chmod", "chown", "chgrp", "kill", "xargs", "make",
    "python", "node", "npm", "yarn", "pnpm", "cargo", "rustc", "gcc", "go", "java", "javac", "mvn", "gradle",
    "pytest", "tox", "nox", "uv", "pip", "black", "ruff", "mypy", "eslint", "prettier", "tsc", "jest",
    "vitest", "ssh", "scp", "sftp", "mosh", "eval", "exec", "sudo", "tar", "zip", "unzip", "gzip", "gunzip",
    "install", "mktemp", "printenv", "env", "lsblk", "blkid", "mount", "umount", "crontab", "at",
    "tmux", "screen", "git", "svn", "hg", "docker", "podman", "kubectl", "terraform", "sleep", "yes",
    "shutdown", "systemctl", "journalctl", "launchctl", "psql", "mysql", "sqlite3", "redis-cli",
})

#: Subcommand verbs that delete or stop what a CLI manages (split on '-', '_', ':', camelCase).
DESTRUCTIVE_VERBS: Dict[str, Tuple[str, str]] = {
    "delete": ("infrastructure_deletion", "deletes"), "del": ("infrastructure_deletion", "deletes"),
    "destroy": ("infrastructure_deletion", "destroys"), "remove": ("infrastructure_deletion", "removes"),
    "rm": ("infrastructure_deletion", "removes"), "rb": ("infrastructure_deletion", "removes a bucket"),
    "rmdir": ("infrastructure_deletion", "removes"), "rmdirs": ("infrastructure_deletion", "removes"),
    "purge": ("infrastructure_deletion", "purges"), "prune": ("infrastructure_deletion", "prunes"),
    "drop": ("database_destruction", "drops"), "truncate": ("database_destruction", "truncates"),
    "wipe": ("infrastructure_deletion", "wipes"), "erase": ("infrastructure_deletion", "erases"),
    "terminate": ("infrastructure_deletion", "terminates"), "deregister": ("infrastructure_deletion", "deregisters"),
    "unregister": ("infrastructure_deletion", "unregisters"), "revoke": ("infrastructure_deletion", "revokes"),
    "forget": ("backup_destruction", "forgets"), "disable": ("infrastructure_deletion", "disables"),
    "flush": ("database_destruction", "flushes"), "flushall": ("database_destruction", "flushes"),
    "flushdb": ("database_destruction", "flushes"), "unsubscribe": ("infrastructure_deletion", "unsubscribes"),
    "uninstall": ("package_removal", "uninstalls"), "kill": ("process_termination", "kills"),
    "stop": ("process_termination", "stops"), "shutdown": ("process_termination", "shuts down"),
    "reset": ("infrastructure_deletion", "resets"), "unpublish": ("infrastructure_deletion", "unpublishes"),
    "decommission": ("infrastructure_deletion", "decommissions"), "evict": ("process_termination", "evicts"),
}
#: Verbs that count only inside a compound word (`clear_permissions`, `clear-cache`), not alone.
COMPOUND_ONLY_VERBS: Dict[str, Tuple[str, str]] = {"clear": ("infrastructure_deletion", "clears"), "reset": ("infrastructure_deletion", "resets")}
#: Verbs that are too common as plain subcommands to flag alone (`npm stop`, `make reset`) — they count
#: with a noun (`stop-instances`) or after a resource word (`vault secrets disable`).
WEAK_VERBS: FrozenSet[str] = frozenset({"stop", "reset", "disable", "kill", "flush", "shutdown", "evict"})
#: Long options that delete (`--delete`, `--delete-config`, `--remove`, `--purge`…), and exceptions.
DESTRUCTIVE_OPTION_WORDS: FrozenSet[str] = frozenset({"delete", "del", "remove", "purge", "drop", "destroy", "wipe", "erase", "truncate"})
BENIGN_OPTIONS: FrozenSet[str] = frozenset({"--rm", "--remove-orphans", "--delete-branch", "--purge-cache", "--remove-untracked-extra", "--drop-privileges"})
#: Options that widen a generic deletion to everything.
WIDENING_OPTIONS: FrozenSet[str] = frozenset({"--all", "--recursive", "-r", "-R", "--force", "-f", "-A", "--all-namespaces", "--prefix", "-prefix", "--unsafe-allow-remove-all", "--force-delete-without-recovery"})
#: Write verbs on a secret resource (`update-secret`, `put-secret-value`, `secrets set`).
SECRET_WRITE_VERBS: FrozenSet[str] = frozenset({"update", "put", "set", "rotate", "replace", "overwrite", "import", "upload"})
SECRET_READ_VERBS: FrozenSet[str] = frozenset({"get", "read", "show", "reveal", "download", "export", "print", "cat", "view", "value"})

#: HTTP clients: (value options for the method, URL is a positional).
HTTP_CLIENTS: FrozenSet[str] = frozenset({"curl", "wget", "http", "https", "xh", "xhs", "curlie"})
HTTP_METHOD_OPTS: FrozenSet[str] = frozenset({"-X", "--request", "--method", "-m"})

# --------------------------------------------------------------------------------------------
# Interpreter one-liners and scripts
# --------------------------------------------------------------------------------------------
# (family, regex, category, risk, reason). `{shell}` rules pass their first string literal to
# the shell classifier; `{path}` rules judge their first string literal as a path to delete.

PY_SHELL_CALLS: FrozenSet[str] = frozenset({
    "os.system", "os.popen", "subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output",
    "subprocess.Popen", "subprocess.getoutput", "subprocess.getstatusoutput", "commands.getoutput", "os.execv",
    "os.execvp", "os.execl", "os.execlp", "os.spawnl", "os.spawnlp", "pty.spawn", "sh",
})
PY_DELETE_CALLS: Dict[str, Tuple[str, bool]] = {
    # name -> (reason, recursive)
    "shutil.rmtree": ("shutil.rmtree deletes a directory tree", True),
    "os.remove": ("os.remove deletes a file", False),
    "os.unlink": ("os.unlink deletes a file", False),
    "os.rmdir": ("os.rmdir deletes a directory", False),
    "os.removedirs": ("os.removedirs deletes directories", False),
    "unlink": ("Path.unlink deletes a file", False),
    "rmdir": ("Path.rmdir deletes a directory", False),
    "rmtree": ("rmtree deletes a directory tree", True),
    "os.truncate": ("os.truncate empties a file", False),
    "send2trash": ("send2trash moves files to the trash", False),
}
PY_KILL_CALLS: FrozenSet[str] = frozenset({"os.kill", "os.killpg", "kill", "terminate", "send_signal", "signal.pthread_kill"})
PY_POWER_CALLS: FrozenSet[str] = frozenset()

#: Regex rules for node, ruby, perl, php, lua, AppleScript (and python when it does not parse).
SCRIPT_SHELL_RE: Dict[str, str] = {
    "python": r"""(?:os\.system|os\.popen|subprocess\.\w+|getoutput|getstatusoutput)\s*\(\s*(?:\[\s*)?(?P<q>['"])(?P<s>.*?)(?P=q)""",
    "node": r"""(?:exec|execSync|spawn|spawnSync|execFile|execFileSync|\$)\s*\(\s*(?P<q>['"`])(?P<s>.*?)(?P=q)""",
    "ruby": r"""(?:system|exec|spawn|Open3\.\w+|%x)\s*[\(\s]\s*(?P<q>['"])(?P<s>.*?)(?P=q)|`(?P<s2>[^`]*)`|%x\{(?P<s3>[^}]*)\}""",
    "perl": r"""(?:system|exec|qx)\s*[\(\s]\s*(?P<q>['"{])(?P<s>.*?)(?:['"}])|`(?P<s2>[^`]*)`""",
    "php": r"""(?:system|exec|shell_exec|passthru|popen|proc_open)\s*\(\s*(?P<q>['"])(?P<s>.*?)(?P=q)|`(?P<s2>[^`]*)`""",
    "applescript": r"""do\s+shell\s+script\s+(?P<q>["'])(?P<s>.*?)(?P=q)""",
    "lua": r"""(?:os\.execute|io\.popen)\s*\(\s*(?P<q>['"])(?P<s>.*?)(?P=q)""",
}
SCRIPT_DELETE_RE: Dict[str, str] = {
    "python": r"""(?:shutil\.rmtree|os\.remove|os\.unlink|os\.rmdir|os\.removedirs|\.unlink|\.rmdir|rmtree)\s*\(\s*(?:(?P<q>['"])(?P<s>.*?)(?P=q))?""",
    "node": r"""(?:rmSync|rmdirSync|unlinkSync|\.rm|\.rmdir|\.unlink|rimraf(?:\.sync)?|remove(?:Sync)?|emptyDirSync|emptyDir)\s*\(\s*(?:(?P<q>['"`])(?P<s>.*?)(?P=q))?""",
    "ruby": r"""(?:FileUtils\.(?:rm_rf|rm_r|rm|rm_f|remove_dir|remove_entry(?:_secure)?|remove)|File\.(?:delete|unlink)|Dir\.(?:rmdir|delete|unlink))\s*[\(\s]\s*(?:(?P<q>['"])(?P<s>.*?)(?P=q))?""",
    "perl": r"""(?:unlink|rmtree|remove_tree|rmdir)\s*[\(\s]\s*(?:(?P<q>['"])(?P<s>.*?)(?P=q)|glob\s*\(\s*(?P<q2>['"])(?P<s2>.*?)(?P=q2))?""",
    "php": r"""(?:unlink|rmdir)\s*\(\s*(?:(?P<q>['"])(?P<s>.*?)(?P=q))?""",
    "lua": r"""os\.remove\s*\(\s*(?:(?P<q>['"])(?P<s>.*?)(?P=q))?""",
    "applescript": r"""\bdelete\s+(?:file|folder|every)""",
}
SCRIPT_RECURSIVE_RE = r"rmtree|rm_rf|rm_r\b|remove_dir|remove_tree|recursive\s*:\s*true|rimraf|emptyDir|rmSync"
SCRIPT_KILL_RE: Dict[str, str] = {
    "python": r"""os\.kill(pg)?\s*\(|\.kill\s*\(|\.terminate\s*\(|signal\.pthread_kill|psutil\.""",
    "node": r"""process\.kill\s*\(|\.kill\s*\(""",
    "ruby": r"""Process\.kill\s*\(""",
    "perl": r"""\bkill\s*[\(\s]\s*['"]?(?:-?\d+|[A-Z]+|'?-?KILL'?|TERM)""",
    "php": r"""posix_kill\s*\(|proc_terminate\s*\(""",
    "lua": r"""(?!)""",
    "applescript": r"""\bquit\b|\bkill\b""",
}
SCRIPT_POWER_RE = r"""(?i)\b(shut\s*down|restart|sleep)\b(?=[^"']*$)|tell\s+application\s+"?System Events"?\s+to\s+(shut\s*down|restart|sleep|log\s*out)"""
SCRIPT_FORK_BOMB_RE = r"""fork\s*while\s*fork|while\s*\(?\s*(1|true|True)\s*\)?\s*[:{]?\s*(os\.)?fork|for\s*\(\s*;\s*;\s*\)\s*\{?\s*fork"""

# --------------------------------------------------------------------------------------------
# SQL, Redis and MongoDB text
# --------------------------------------------------------------------------------------------
# (regex, risk, reason); matched case-insensitively against text fed to a database client.
SQL_RULES: Tuple[Tuple[str, str, str], ...] = (
    (r"\bdrop\s+(database|schema|keyspace)\b", "critical", "DROP DATABASE deletes a whole database"),
    (r"\bdrop\s+(table|view|materialized\s+view|index|user|role|function|trigger|collection|sequence|type)\b", "high", "DROP deletes a table or object"),
    (r"\btruncate\s+(table\s+)?[\w.\"`]", "high", "TRUNCATE empties a table"),
    (r"\bdelete\s+from\s+[\w.\"`\[\]]+\s*(;|$|\)|\s+(returning|limit|order)\b)", "high", "DELETE without WHERE empties a table"),
    (r"\bupdate\s+[\w.\"`\[\]]+\s+set\s+(?:(?!\bwhere\b).)*?(;|$)", "medium", "UPDATE without WHERE rewrites every row"),
    (r"\balter\s+table\s+\S+\s+drop\b", "medium", "ALTER TABLE … DROP deletes a column or constraint"),
    (r"(^|[\s;])flushall\b", "high", "FLUSHALL deletes every Redis key"),
    (r"(^|[\s;])flushdb\b", "high", "FLUSHDB deletes every key of a Redis database"),
    (r"(^|[\s;])shutdown(\s+(nosave|save))?\s*$", "high", "SHUTDOWN stops the database server"),
    (r"\.dropdatabase\s*\(", "critical", "dropDatabase() deletes a whole MongoDB database"),
    (r"\.drop\s*\(\s*\)", "high", "drop() deletes a MongoDB collection"),
    (r"\.(deletemany|remove)\s*\(\s*\{\s*\}\s*\)", "high", "deleteMany({}) deletes every document"),
)
