"""Contract suites every plugin of a kind must pass."""
