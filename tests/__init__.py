"""haechi test suite."""
