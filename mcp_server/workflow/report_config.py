"""Where a project's RCA reports go. Stdlib only: the edit-gate hook imports it to let report writes through.

Resolution order (first that is set wins):
1. an explicit argument (`rca report --report-dir`, `rca_report(report_dir=…)`);
2. the environment variable `RCA_REPORT_DIR`;
3. the project config file `.claude/rca.json` with a key `"report_dir"`, e.g. `{"report_dir": "docs/postmortems"}`;
4. the default `docs/rca`.
A relative folder is taken relative to the project folder. `confine=True` (the MCP tool) refuses
a folder outside the project, so a model cannot be talked into writing elsewhere.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Optional, Union

DEFAULT_REPORT_DIR = "docs/rca"
ENV_REPORT_DIR = "RCA_REPORT_DIR"
PROJECT_CONFIG = Path(".claude") / "rca.json"


class ReportDirError(ValueError):
    """The configured report folder cannot be used (message says why)."""


def configured_report_dir(project_dir: Union[str, os.PathLike]) -> tuple[str, str]:
    """(folder as configured, where it was configured: 'env' | 'config' | 'default')."""
    env = os.environ.get(ENV_REPORT_DIR)
    if env and env.strip():
        return env.strip(), "env"
    cfg = Path(project_dir) / PROJECT_CONFIG
    try:
        with open(cfg, encoding="utf-8") as fh:
            data = json.load(fh)
    except FileNotFoundError:
        data = None
    except (OSError, ValueError) as exc:
        raise ReportDirError(f"cannot read {cfg}: {exc}") from exc
    if isinstance(data, dict) and isinstance(data.get("report_dir"), str) and data["report_dir"].strip():
        return data["report_dir"].strip(), "config"
    return DEFAULT_REPORT_DIR, "default"


def resolve_report_dir(
    project_dir: Union[str, os.PathLike],
    override: Optional[Union[str, os.PathLike]] = None,
    *,
    confine: bool = False,
) -> Path:
    """The absolute report folder for a project (see the module docstring for the order)."""
    project = Path(project_dir).expanduser().resolve()
    raw = str(override) if override not in (None, "") else configured_report_dir(project)[0]
    path = Path(raw).expanduser()
    if not path.is_absolute():
        path = project / path
    path = path.resolve()
    if confine and path != project and project not in path.parents:
        raise ReportDirError(f"the report folder {path} is outside the project {project}; use a folder inside it")
    return path


def is_in_report_dir(project_dir: Union[str, os.PathLike], file_path: Union[str, os.PathLike]) -> bool:
    """True when `file_path` lies inside the project's report folder (for the edit gate)."""
    try:
        folder = resolve_report_dir(project_dir)
    except ReportDirError:
        return False
    p = Path(file_path).expanduser()
    if not p.is_absolute():
        p = Path(project_dir) / p
    p = p.resolve()
    return p == folder or folder in p.parents
