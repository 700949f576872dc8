"""http/hma layer of haechi."""
