"""Stage 2, dissemination: the programme's documents with versions and acknowledgements,
and the strategic supply chain partners meetings with attendance and awards."""
