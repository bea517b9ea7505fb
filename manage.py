#!/usr/bin/env python
"""Django's command-line utility; `jcihub` (see src/jcihub/cli.py) is the same with nicer names."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from jcihub.cli import main

if __name__ == "__main__":
    main()
