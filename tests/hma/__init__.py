"""HMA's own API expectations, re-stated as black-box tests against haechi over real HTTP."""
