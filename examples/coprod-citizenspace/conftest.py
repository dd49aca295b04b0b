pytest_plugins = ["coprod_core.testing.fixtures"]
