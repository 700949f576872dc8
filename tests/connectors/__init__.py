"""Tests of the connectors (separate processes that talk to haechi over HTTP)."""
