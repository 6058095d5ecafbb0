"""The e-mail outbox: every message the portal sends is a row here first.

A row has a unique key (what it is about, to whom, which kind), so asking twice for the same
message never makes a second one, and a task delivers it. Retries never send twice because
the row is locked and marked sent in the step that follows the SMTP server's acceptance;
failures stay visible to staff with their last error.
"""
