"""Issue #10: fuzzing, authorisation review and the other security checks."""
