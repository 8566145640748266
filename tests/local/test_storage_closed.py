"""The embedded S3 server opens only the S3 API, with credentials: its filer and volume
server refuse anyone else, so no local process reaches the recordings around zhijian."""

import io
import secrets
import stat
from pathlib import Path

import httpx
import pytest
from minio import Minio

from services.local.processes import S3Server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory):
    server = S3Server(
        tmp_path_factory.mktemp("closed") / "s3", access_key="k", secret_key=secrets.token_hex(8)
    )
    with server:
        client = Minio(server.endpoint, server.access_key, server.secret_key, secure=False)
        client.make_bucket("recordings")
        data = secrets.token_bytes(50_000)
        client.put_object("recordings", "uploads/call.wav", io.BytesIO(data), len(data))
        yield server, client, data


def test_the_s3_api_with_credentials_stores_and_reads_recordings(s3):
    _server, client, data = s3

    assert client.get_object("recordings", "uploads/call.wav").read() == data
    anonymous = httpx.get(f"http://{_server.endpoint}/recordings/uploads/call.wav")
    assert anonymous.status_code == 403


def test_the_filer_refuses_unauthenticated_listing_and_reading(s3):
    server, _client, _data = s3
    filer = f"http://127.0.0.1:{server.internal_ports['filer']}"

    for path in ("/buckets/recordings/uploads/", "/buckets/recordings/uploads/call.wav"):
        response = httpx.get(filer + path)
        assert response.status_code == 401, (path, response.status_code)
    put = httpx.put(filer + "/buckets/recordings/uploads/evil.wav", content=b"x")
    assert put.status_code == 401
    delete = httpx.delete(filer + "/buckets/recordings/uploads/call.wav")
    assert delete.status_code == 401


def test_the_volume_server_refuses_unauthenticated_reads(s3):
    server, _client, _data = s3
    volume = f"http://127.0.0.1:{server.internal_ports['volume']}"

    # Without a JWT the volume server answers 401 before it even looks the file id up.
    for fid in ("1,01637037d6", "3,0144556677", "7,02e62e0809"):
        assert httpx.get(f"{volume}/{fid}").status_code == 401


def test_every_port_is_on_loopback_and_the_keys_are_private(s3):
    server, _client, _data = s3

    for path in (server.data_dir / "security.toml", server.data_dir / "s3.json"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(server.data_dir.stat().st_mode) == 0o700
    listening = _listening_addresses()
    ours = {server.port, *server.internal_ports.values()}
    assert ours <= {port for _host, port in listening}
    assert {host for host, port in listening if port in ours} == {"127.0.0.1"}


def _listening_addresses() -> set[tuple[str, int]]:
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] != "0A":  # LISTEN
            continue
        host_hex, port_hex = fields[1].split(":")
        host = ".".join(str(int(host_hex[i : i + 2], 16)) for i in (6, 4, 2, 0))
        found.add((host, int(port_hex, 16)))
    for line in Path("/proc/net/tcp6").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] == "0A":
            found.add(("::", int(fields[1].split(":")[1], 16)))
    return found
