"""The small error hierarchy shared by every layer.

Three tiers, as in plaso: `WrongFormat` means "not my format" (a detector moves on to the next
source); a bad *record* is never an exception but a `ParseWarning` in the result; `InputError` is
a caller mistake (a reversed time window, a missing required argument) that the faces turn into
a clear message (`ToolError` in the MCP server, a usage error in the CLI).
"""


class RcaError(Exception):
    """Base class of rca's own errors."""


class WrongFormat(RcaError):
    """The input is not in the format this source reads."""


class InputError(RcaError, ValueError):
    """The caller asked for something that cannot be done as asked; the message says why."""


class SourceUnavailable(RcaError):
    """A source cannot be consulted on this machine (program missing, folder absent, no permission)."""
