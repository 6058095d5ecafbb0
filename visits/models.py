"""Stage 4, on-site assessment: Supplier Visit Records and information-security visits."""
