"""adapters/index layer of haechi."""
