"""adapters layer of haechi."""
