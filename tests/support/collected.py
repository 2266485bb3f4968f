"""Where the session's collected test ids are kept (tests/conftest.py fills it)."""

from __future__ import annotations

import pytest

COLLECTED = pytest.StashKey[set[str]]()  # this session's test ids, parameters dropped
