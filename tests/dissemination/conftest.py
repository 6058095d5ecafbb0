import pytest


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Uploaded guideline PDFs go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run what a service queues after its commit (the request e-mails) at once."""

    def run(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return run
