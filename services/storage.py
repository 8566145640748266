"""Object storage through the minio SDK: any S3 server (SeaweedFS, MinIO, Ceph RGW, AWS S3)."""

import io
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

import urllib3
from minio import Minio
from minio.error import S3Error

from services.config import get_settings
from services.errors import ObjectMissing, StorageUnavailable

_MISSING_CODES = {"NoSuchKey", "NoSuchBucket", "NoSuchVersion", "ResourceNotFound"}
_META_PREFIX = "x-amz-meta-"


@dataclass(frozen=True)
class ObjectInfo:
    """What zhijian needs to know about one stored object."""

    bucket: str
    key: str
    version: str  # version id if the bucket is versioned, else the ETag
    size: int
    metadata: dict[str, str]


@lru_cache
def get_client(endpoint: str, access_key: str, secret_key: str, secure: bool) -> Minio:
    """Returns an S3 client; retries and timeouts are bounded so a dead server fails fast."""
    http = urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=5, read=60),
        retries=urllib3.Retry(total=3, backoff_factor=0.3, status_forcelist=[500, 502, 503, 504]),
        maxsize=10,
    )
    return Minio(
        endpoint,
        access_key=access_key,
        secret_key=secret_key,
        secure=secure,
        region=get_settings().s3_region,
        http_client=http,
    )


def client() -> Minio:
    """Returns the S3 client for the configured server."""
    s = get_settings()
    return get_client(s.s3_endpoint, s.s3_access_key, s.s3_secret_key, s.s3_secure)


def ensure_bucket(bucket: str) -> None:
    """Creates the bucket if it does not exist yet."""
    with _translated(bucket, ""):
        if not client().bucket_exists(bucket):
            client().make_bucket(bucket)


def put_stream(
    *, bucket: str, key: str, data: BinaryIO, length: int, content_type: str
) -> ObjectInfo:
    """Stores ``length`` bytes read from ``data``; returns the stored object's identity."""
    with _translated(bucket, key):
        result = client().put_object(bucket, key, data, length, content_type=content_type)
    version = result.version_id or (result.etag or "").strip('"')
    return ObjectInfo(bucket, key, version, length, {})


def put_bytes(*, bucket: str, key: str, data: bytes, content_type: str) -> ObjectInfo:
    """Stores a small object held in memory."""
    return put_stream(
        bucket=bucket, key=key, data=io.BytesIO(data), length=len(data), content_type=content_type
    )


def stat(*, bucket: str, key: str) -> ObjectInfo:
    """Returns an object's identity and user metadata; raises ObjectMissing if it is gone."""
    with _translated(bucket, key):
        st = client().stat_object(bucket, key)
    metadata = {
        k[len(_META_PREFIX) :].lower(): v
        for k, v in (st.metadata or {}).items()
        if k.lower().startswith(_META_PREFIX)
    }
    version = st.version_id or (st.etag or "").strip('"')
    return ObjectInfo(bucket, key, version, st.size or 0, metadata)


def read_bytes(*, bucket: str, key: str, limit: int) -> bytes:
    """Reads a small object (a metadata sidecar) whole, refusing anything over ``limit`` bytes."""
    with _translated(bucket, key):
        response = client().get_object(bucket, key)
        try:
            data = response.read(limit + 1)
        finally:
            response.close()
            response.release_conn()
    if len(data) > limit:
        raise ObjectMissing(f"s3://{bucket}/{key} is larger than {limit} bytes")
    return data


def read_range(*, bucket: str, key: str, start: int, length: int) -> Iterator[bytes]:
    """Streams ``length`` bytes of an object from ``start``, in chunks.

    The object is opened before this returns, so a missing one raises here rather than halfway
    through an answer already under way.
    """
    with _translated(bucket, key):
        response = client().get_object(bucket, key, offset=start, length=length)
    return _chunks(response)


def _chunks(response: urllib3.BaseHTTPResponse) -> Iterator[bytes]:
    try:
        yield from response.stream(64 * 1024)
    finally:
        response.close()
        response.release_conn()


def download(*, bucket: str, key: str, path: Path) -> None:
    """Downloads an object to a local file."""
    with _translated(bucket, key):
        client().fget_object(bucket, key, str(path))


def list_keys(*, bucket: str, prefix: str) -> list[ObjectInfo]:
    """Lists every object under ``prefix`` (recursively)."""
    with _translated(bucket, prefix):
        objects = client().list_objects(bucket, prefix=prefix or None, recursive=True)
        return [
            ObjectInfo(bucket, o.object_name or "", (o.etag or "").strip('"'), o.size or 0, {})
            for o in objects
            if o.object_name and not o.is_dir
        ]


class _translated:
    """Maps minio and network errors to zhijian's errors, naming the object."""

    def __init__(self, bucket: str, key: str) -> None:
        self.where = f"s3://{bucket}/{key}"

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: type | None, exc: BaseException | None, tb: object) -> None:
        if exc is None:
            return
        if isinstance(exc, S3Error) and exc.code in _MISSING_CODES:
            raise ObjectMissing(f"{self.where} is not in object storage") from None
        if isinstance(exc, S3Error):
            raise StorageUnavailable(f"object storage refused {self.where}: {exc.code}") from None
        if isinstance(exc, (urllib3.exceptions.HTTPError, OSError)):
            raise StorageUnavailable(f"object storage is unreachable for {self.where}") from None


def presigned_get(*, bucket: str, key: str, ttl_s: int) -> str:
    """A URL that fetches the object without credentials, valid for ``ttl_s`` seconds.

    Signed for ``ZHIJIAN_S3_PUBLIC_ENDPOINT`` when set (the address browsers reach), else for
    the endpoint zhijian uses itself.
    """
    from datetime import timedelta

    s = get_settings()
    signer = (
        # Signing is local arithmetic, but minio asks the endpoint for the bucket's region
        # first, and the address players reach may not be one this server can.
        _signer(s.s3_public_endpoint, s.s3_access_key, s.s3_secret_key, s.s3_secure, s.s3_region)
        if s.s3_public_endpoint
        else client()
    )
    with _translated(bucket, key):
        return signer.presigned_get_object(bucket, key, expires=timedelta(seconds=ttl_s))


@lru_cache
def _signer(
    endpoint: str, access_key: str, secret_key: str, secure: bool, region: str | None
) -> Minio:
    """A client that only signs URLs for ``endpoint``, never calling it."""
    # us-east-1: what SeaweedFS, MinIO and Ceph answer unless configured otherwise.
    return Minio(
        endpoint,
        access_key=access_key,
        secret_key=secret_key,
        secure=secure,
        region=region or "us-east-1",
    )


def remove(*, bucket: str, key: str) -> None:
    """Deletes an object (no error if it does not exist, as S3 itself answers)."""
    with _translated(bucket, key):
        client().remove_object(bucket, key)
