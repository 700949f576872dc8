"""http/api layer of haechi."""
