"""The in-memory backend against the storage conformance suite."""

import pytest

from coprod_core.testing.conformance import StorageConformance
from coprod_memory import MemoryStorage


class TestMemory(StorageConformance):
    processes = False

    @pytest.fixture
    def make_storage(self):
        return MemoryStorage

    @pytest.fixture
    def stored_bytes(self):
        return lambda storage: storage.stored_bytes()
