"""The in-memory backend against the storage conformance suite."""

import pytest
from coprod_memory import MemoryStorage

from coprod_core.testing.conformance import StorageConformance


class TestMemory(StorageConformance):
    processes = False

    @pytest.fixture
    def make_storage(self):
        return MemoryStorage
