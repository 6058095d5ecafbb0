"""Date formats of the portal, one per language (``FORMAT_MODULE_PATH`` in settings).

Pages and e-mails show every date the same way in a language: English "3 Dec 2026",
Japanese "2026年12月3日" (with the time: "3 Dec 2026, 14:05" / "2026年12月3日 14:05").
The short formats are the same on purpose, so ``|date``, ``|date:"SHORT_DATE_FORMAT"`` and
``date_format(value)`` can never disagree. Exports and the data columns of PDFs keep
ISO 8601 (``reports/exports.py``), and form inputs still read ISO dates first.
"""
