"""The JSON folder backend against the storage conformance suite."""

import functools

import pytest
from coprod_json.backend import JSONStorage

from coprod_core.testing.conformance import StorageConformance


class TestJSON(StorageConformance):
    @pytest.fixture
    def make_storage(self, tmp_path):
        return functools.partial(JSONStorage, tmp_path / "coprod-data")
