"""Background imports: a thin wrapper that runs one job by id."""

from celery import shared_task


@shared_task(ignore_result=True)
def run_import_job(job_id: int) -> None:
    """Run the import job once; a job that is no longer pending is not run again.

    No automatic retry: once a job has started it may have written nothing or
    everything, and its status on the job page is the truth a person acts on.
    """
    # Imported here: this module is loaded with the models (see models.py), before
    # the service's own model imports may run.
    from .service import import_job_run

    import_job_run(job_id=job_id)
