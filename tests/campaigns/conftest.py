from .workers import campaign_workers  # noqa: F401 (fixture)
