"""services layer of haechi."""
