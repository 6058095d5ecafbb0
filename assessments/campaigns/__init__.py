"""Yearly survey campaigns: targeting, launch by Celery workers, reminders, progress."""
