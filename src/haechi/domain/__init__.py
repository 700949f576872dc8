"""domain layer of haechi."""
