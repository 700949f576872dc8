"""adapters/sql layer of haechi."""
