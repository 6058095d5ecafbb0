"""Models of the assessments app (filled in by later issues)."""
