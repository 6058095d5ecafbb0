"""The e-mail outbox: every message the portal sends is a row here first.

A row has a unique key (what it is about, to whom, which kind), so asking twice for the same
message never makes a second one. Delivery commits a claim on the row before it talks SMTP
and commits "sent" after the server's answer; a worker that dies in between leaves a stale
claim, and the message is sent again after the claim timeout and counted as "sent again
after an unconfirmed attempt" (the first copy may have been accepted). Every copy carries
the same Message-ID, derived from the key. Failures stay visible to staff with their last
error.
"""
