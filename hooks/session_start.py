#!/usr/bin/env python3
"""The SessionStart hook's entry point (hooks.json runs this file); the hook is `_session_start.py`.

Python caches the bytecode of the modules a script imports (`__pycache__`) but compiles the script
itself on every run, and a hook runs on every tool call: this file stays a few lines.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
if __name__ == "__main__":
    import _session_start

    _session_start.main()
