import coprod_postcodes
import pytest

pytest_plugins = ["coprod_core.testing.fixtures"]


@pytest.fixture(autouse=True)
def postcodes_plugin(register_plugin):
    """The plugin, registered before any workspace opens (plugins installed
    from PyPI do not load under pytest unless a test asks)."""
    return register_plugin(coprod_postcodes, name="postcodes")


@pytest.fixture
def run(run, clock):
    """The kit's ``run``, with every command at the fake clock's time (2026-01-05)."""
    return lambda *args, **kwargs: run(*args, clock=clock, **kwargs)
