"""Models of the reports app (filled in by later issues)."""
