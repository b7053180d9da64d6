"""The pipeline: runs in the parent process (``build.py brief`` and ``all``). It checks the request,
runs the briefing notebook, turns it into HTML and PDF, and writes each seat's files."""
