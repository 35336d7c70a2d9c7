"""The project root, put on ``sys.path`` so that a script runs as ``python scripts/<name>.py``.

Run that way, only ``scripts/`` is on the path; imported (tests), the root already is.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
