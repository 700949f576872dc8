"""adapters/fetch layer of haechi."""
