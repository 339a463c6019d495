"""The Celery app: every job beat runs is a task the workers know, at a sensible interval."""

from __future__ import annotations

from config.celery import app


def test_beat_runs_only_tasks_the_workers_know():
    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert scheduled == {
        "notifications.sweep",
        "notifications.rescue",
        "reports.purge_exports",
        "retention.erase_expired",
    }
    assert scheduled <= set(app.tasks)


def test_beat_intervals_come_from_the_settings(settings):
    schedule = app.conf.beat_schedule
    assert schedule["deadline-sweep"]["schedule"] == settings.RESOLVE_SWEEP_MINUTES * 60
    assert schedule["outbox-rescue"]["schedule"] == settings.RESOLVE_OUTBOX_RESCUE_MINUTES * 60
    assert schedule["purge-exports"]["schedule"] == 3600
