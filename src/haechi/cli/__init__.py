"""cli layer of haechi."""
