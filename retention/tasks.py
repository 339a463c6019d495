from celery import shared_task

from .services import erase_expired


@shared_task(name="retention.erase_expired")
def erase_expired_task() -> int:
    """Beat runs this once a day (CELERY_BEAT_SCHEDULE["erase-expired"])."""
    return erase_expired()
