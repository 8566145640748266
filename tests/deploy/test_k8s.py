"""deploy/k8s validates offline, and says what the deployment must hold: one beat, one process
per ASR pod, a grace longer than the longest task, probes on /healthz and on the workers,
and KEDA scaling the workers on the Celery queues the tasks are sent to.

Kubernetes' own kinds are checked against the schemas kubernetes-validate carries (strict:
an unknown field fails); KEDA's ScaledObject (a CRD, not in those schemas) against the
schema kept beside the manifests.
"""

import json
import subprocess
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import yaml

from services import pipeline
from workers.tasks import ASR_HARD_LIMIT_S

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
KUBERNETES_VERSION = "1.30.0"


def _documents() -> list[dict]:
    listed = yaml.safe_load((K8S / "kustomization.yaml").read_text())["resources"]
    assert sorted(listed) == sorted(
        p.name for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml"
    ), "every manifest is listed in kustomization.yaml"
    return [d for name in listed for d in yaml.safe_load_all((K8S / name).read_text()) if d]


def _by_kind(kind: str) -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in _documents() if d["kind"] == kind}


def _container(deployment: dict) -> dict:
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return container


def _queues(deployment: dict) -> set[str]:
    args = _container(deployment)["args"]
    return set(args[args.index("--queues") + 1].split(","))


def test_every_kubernetes_manifest_validates_against_its_schema():
    checked = []
    for document in _documents():
        if document["apiVersion"].startswith("keda.sh/"):
            continue
        kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)
        checked.append(document["kind"])
    print(f"validated against Kubernetes {KUBERNETES_VERSION}: {sorted(checked)}")
    assert checked.count("Deployment") == 5 and {"Service", "Job", "ConfigMap"} <= set(checked)


def test_a_bad_manifest_fails_the_validation():
    api = _by_kind("Deployment")["zhijian-api"]
    broken = json.loads(json.dumps(api))
    broken["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGet"]["pth"] = "/"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def test_the_scaled_objects_follow_kedas_schema_and_scale_the_asr_workers_on_their_queues():
    schema = json.loads((K8S / "schemas" / "keda-scaledobject.json").read_text())
    scaled = _by_kind("ScaledObject")
    deployments = _by_kind("Deployment")
    for document in scaled.values():
        jsonschema.validate(document, schema)
    targets = {}
    for document in scaled.values():
        target = deployments[document["spec"]["scaleTargetRef"]["name"]]
        (trigger,) = document["spec"]["triggers"]
        # KEDA counts the Redis list the worker consumes: Celery names it after the queue.
        assert {trigger["metadata"]["listName"]} == _queues(target)
        targets[target["metadata"]["name"]] = trigger["metadata"]["listName"]
    assert targets == {
        "zhijian-worker-asr-cpu": "asr",
        "zhijian-worker-asr-gpu": "asr-gpu",
        "zhijian-worker-score": "score",
    }
    assert set(targets.values()) <= set(pipeline.QUEUES)
    wrong = json.loads(json.dumps(scaled["zhijian-worker-asr-cpu"]))
    wrong["spec"]["triggers"][0]["metadata"]["listLenght"] = "2"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(wrong, schema)


def test_exactly_one_beat_and_nothing_scales_it():
    deployments = _by_kind("Deployment")
    with_beat = [n for n, d in deployments.items() if "--beat" in _container(d)["args"]]
    assert with_beat == ["zhijian-beat"]
    beat = deployments["zhijian-beat"]
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"] == {"type": "Recreate"}  # never two during a rollout
    scaled = {d["spec"]["scaleTargetRef"]["name"] for d in _by_kind("ScaledObject").values()}
    assert "zhijian-beat" not in scaled
    assert not _by_kind("HorizontalPodAutoscaler")
    # The maintenance queue (the reconciler, recovery) is served, by the beat's worker.
    assert "maintenance" in _queues(beat)


@pytest.mark.parametrize("name", ["zhijian-worker-asr-cpu", "zhijian-worker-asr-gpu"])
def test_an_asr_pod_runs_one_process_and_outlasts_the_longest_task(name):
    deployment = _by_kind("Deployment")[name]
    args = _container(deployment)["args"]
    assert args[args.index("--concurrency") + 1] == "1"  # the model is loaded once per pod
    spec = deployment["spec"]["template"]["spec"]
    # Celery's warm shutdown on SIGTERM finishes the running call before the kill comes.
    assert spec["terminationGracePeriodSeconds"] > ASR_HARD_LIMIT_S
    assert "livenessProbe" in _container(deployment)


def test_the_gpu_worker_asks_for_a_gpu_and_serves_the_gpu_queue():
    container = _container(_by_kind("Deployment")["zhijian-worker-asr-gpu"])
    assert container["resources"]["limits"]["nvidia.com/gpu"] == "1"
    assert {"name": "ZHIJIAN_ASR_QUEUE", "value": "asr-gpu"} in container["env"]


def test_the_api_probes_healthz_and_every_worker_probes_celery():
    deployments = _by_kind("Deployment")
    api = _container(deployments["zhijian-api"])
    assert api["readinessProbe"]["httpGet"]["path"] == "/healthz"
    assert api["startupProbe"]["httpGet"]["path"] == "/healthz"
    for name, deployment in deployments.items():
        if name == "zhijian-api":
            continue
        probe = " ".join(_container(deployment)["livenessProbe"]["exec"]["command"])
        assert "inspect ping" in probe and "$HOSTNAME" in probe, name


def test_the_probes_ask_what_the_api_answers(anonymous):
    # The readiness path answers; strict=true is what monitoring asks for, not the probes.
    api = _container(_by_kind("Deployment")["zhijian-api"])
    answer = anonymous.get(api["readinessProbe"]["httpGet"]["path"])
    assert answer.status_code == 200 and answer.json()["database"] == "ok"
    strict = anonymous.get("/healthz?strict=true")
    assert (strict.status_code == 503) == bool(strict.json()["reasons"])


def _compose_config(env_file: Path) -> subprocess.CompletedProcess[str]:
    compose = ROOT / "docker" / "compose.yaml"
    return subprocess.run(
        ["docker-compose", "-f", str(compose), "--env-file", str(env_file), "config", "-q"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_compose_file_still_validates(tmp_path):
    env = tmp_path / ".env"
    env.write_text("POSTGRES_PASSWORD=p\nS3_ACCESS_KEY=a\nS3_SECRET_KEY=s\n")
    result = _compose_config(env)
    assert result.returncode == 0, result.stderr
    (tmp_path / "empty.env").write_text("")
    missing = _compose_config(tmp_path / "empty.env")
    assert missing.returncode != 0 and "POSTGRES_PASSWORD" in missing.stderr
