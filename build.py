#!/usr/bin/env python3
"""Entry point: `python build.py data|resolve|brief|all ...` (see README.md)."""

import sys

from npd_briefing.cli import main

if __name__ == "__main__":
    sys.exit(main())
