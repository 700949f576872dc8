"""jobs layer of haechi."""
