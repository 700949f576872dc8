"""http layer of haechi."""
