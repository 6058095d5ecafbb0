"""The visits app's Celery tasks, found by ``app.autodiscover_tasks()`` through this
module: the improvement-guidance letters live in ``letter_tasks``."""

from .letter_tasks import issue_letters, prepare_batch, sweep_letters

__all__ = ["issue_letters", "prepare_batch", "sweep_letters"]
