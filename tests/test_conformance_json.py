"""The JSON folder backend against the storage conformance suite."""

import functools

import pytest
from hypothesis import HealthCheck, settings

from coprod_core.testing.conformance import StorageConformance
from coprod_json.backend import JSONStorage


class TestJSON(StorageConformance):
    # Every commit fsyncs a journal and each file: fewer, shorter examples.
    hypothesis_settings = settings(
        max_examples=15, deadline=None, stateful_step_count=12,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )

    @pytest.fixture
    def make_storage(self, tmp_path):
        return functools.partial(JSONStorage, tmp_path / "coprod-data")

    @pytest.fixture
    def stored_bytes(self, tmp_path):
        return lambda storage: b"".join(
            p.read_bytes() for p in sorted((tmp_path / "coprod-data").rglob("*"))
            if p.is_file())
