pytest_plugins = ["coprod_core.testing.fixtures"]

# The machine running the suite may be busy: time limits on single examples
# would make property tests fail for reasons unrelated to the code.
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile("coprod", deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("coprod")


import pytest  # noqa: E402


@pytest.fixture
def web(workspace, clock):
    """The web front on the SQLite ``workspace``, one account per role (tests/web_support.py)."""
    from web_support import Web

    return Web(workspace, clock)
