"""Shared test helpers live in tests/support (the fake API server)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "support"))
