"""Models of the declarations app (filled in by later issues)."""
