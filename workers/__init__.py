"""Celery workers: the app, its queues and thin task wrappers around services."""
