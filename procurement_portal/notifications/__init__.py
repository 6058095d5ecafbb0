"""Notices to people about what happened to their work, e-mailed through the outbox.

The ground floor: apps call ``services.notify`` with the kind, the recipients and the
context; this app never imports them. See ``kinds`` for the notices and who gets them.
"""
