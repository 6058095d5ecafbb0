"""The company's side: review queue, comments, return and accept, scoring, levels, items."""
