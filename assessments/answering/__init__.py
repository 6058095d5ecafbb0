"""The supplier's side: assignment, answering with autosave, evidence, submission."""
