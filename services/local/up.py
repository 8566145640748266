"""``zhijian up``: the whole service on one machine with no external server.

SQLite for the database, the SeaweedFS S3 gateway for recordings, kombu's SQLAlchemy transport
on SQLite as the broker, one real Celery worker process, and the API in this process.
"""

import hashlib
import os
import signal
import sys
from pathlib import Path

import typer

from services.local.processes import S3Server, Supervised, start_worker


def embedded_env(data_dir: Path, s3: S3Server, database_url: str) -> dict[str, str]:
    """The settings that point every component at the embedded servers."""
    data = data_dir.resolve()
    return {
        "ZHIJIAN_DATA_DIR": str(data),
        "ZHIJIAN_DATABASE_URL": database_url,
        "ZHIJIAN_BROKER_URL": f"sqla+sqlite:///{data / 'broker.db'}",
        "ZHIJIAN_S3_ENDPOINT": s3.endpoint,
        "ZHIJIAN_S3_ACCESS_KEY": s3.access_key,
        "ZHIJIAN_S3_SECRET_KEY": s3.secret_key,
        "ZHIJIAN_S3_SECURE": "false",
    }


def run(*, port: int, examples: Path, data_dir: Path | None, host: str = "127.0.0.1") -> None:
    """Starts the embedded servers, a worker and the API on ``host``; ingests the example calls.

    The API is all another machine needs to reach: it streams playback itself, while the
    embedded S3 server stays on loopback.
    """
    import uvicorn

    from services.config import get_settings

    data = (data_dir or get_settings().data_dir).resolve()
    data.mkdir(parents=True, exist_ok=True)
    # The database is the one any other command given this data directory opens: the SQLite
    # file in it, unless ZHIJIAN_DATABASE_URL names another.
    os.environ["ZHIJIAN_DATA_DIR"] = str(data)
    get_settings.cache_clear()
    database_url = get_settings().database_url
    typer.echo(f"zhijian: starting the embedded S3 server (data in {data})")
    s3 = S3Server(data / "s3", access_key="zhijian", secret_key=_local_secret(data)).start()
    worker = None
    try:
        env = embedded_env(data, s3, database_url)
        os.environ.update(env)
        get_settings.cache_clear()
        settings = get_settings()

        from services import storage
        from services.db import upgrade_schema

        upgrade_schema()
        storage.ensure_bucket(settings.bucket)
        _ensure_admin(data)
        # Supervised: a worker that dies (killed, out of memory) is replaced within seconds;
        # its call is requeued once its lease runs out.
        worker = Supervised(
            lambda: start_worker(
                env=env, queues="asr,score,maintenance", log_path=data / "worker.log", beat=True
            ),
            name="the worker",
        ).start()
        ingested = ingest_examples(examples)
        from services.api.app import create_app

        base = settings.public_url or f"http://{_shown(host)}:{port}"
        typer.echo(
            f"zhijian is up: the workplace {base}/, API {base}/docs, calls {base}/api/v1/calls "
            f"({ingested} example calls queued; worker log {data / 'worker.log'}).\n"
            f"Sign in as admin with the password in {data / 'admin-password'}, or send "
            f"Authorization: Bearer $(cat {data / 'admin-token'}). Ctrl-C stops."
        )
        # uvicorn re-raises SIGTERM after shutting down; as SystemExit it lets `finally` clean up.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        uvicorn.run(create_app(), host=host, port=port, log_level="warning")
    finally:
        if worker is not None:
            worker.stop()
        s3.stop()


def _shown(host: str) -> str:
    """How to write ``host`` in a URL; all addresses (0.0.0.0, ::) shown as this machine's."""
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 - naming it, not binding to it
        return "<this machine's address>"
    return f"[{host}]" if ":" in host else host


def _ensure_admin(data: Path) -> None:
    """On first start, an admin with a random password and an API token, kept in files 0600."""
    import secrets

    from services.db import session_scope
    from services.people import service as people_service
    from services.people.service import Role

    with session_scope() as db_session:
        if people_service.get_by_username(db_session=db_session, username="admin") is not None:
            return
        password = secrets.token_urlsafe(16)
        user = people_service.create_user(
            db_session=db_session, username="admin", role=Role.ADMIN, password=password
        )
        token = people_service.create_token(db_session=db_session, user=user, name="zhijian up")
    for name, value in (("admin-password", password), ("admin-token", token)):
        path = data / name
        path.write_text(value + "\n")
        path.chmod(0o600)


def _local_secret(data: Path) -> str:
    """A per-installation S3 secret, so the embedded server is not open with a known key."""
    path = data / "s3-secret"
    if not path.exists():
        path.write_text(hashlib.sha256(os.urandom(32)).hexdigest())
        path.chmod(0o600)
    return path.read_text().strip()


def ingest_examples(folder: Path) -> int:
    """Uploads each ``*.wav`` in ``folder`` with its ``.json`` metadata; returns how many."""
    from services.calls import intake
    from services.calls.schemas import CallMetadata
    from services.config import get_settings
    from services.db import session_scope
    from services.pipeline import enqueue_transcription

    settings = get_settings()
    count = 0
    for wav in sorted(folder.glob("*.wav")) if folder.is_dir() else []:
        sidecar = wav.with_suffix(".json")
        metadata = (
            CallMetadata.model_validate_json(sidecar.read_text())
            if sidecar.exists()
            else CallMetadata()
        )
        digest = hashlib.sha256(wav.read_bytes()).hexdigest()
        with session_scope() as db_session, wav.open("rb") as data:
            stored = intake.store_upload(
                db_session=db_session,
                bucket=settings.bucket,
                prefix=settings.upload_prefix,
                filename=wav.name,
                sha256=digest,
                data=data,
                length=wav.stat().st_size,
                content_type="audio/wav",
                metadata=metadata,
                username="zhijian up",
            )
        if stored.queued:
            enqueue_transcription(stored.call.id)
        count += 1
    return count
