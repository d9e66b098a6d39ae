"""deploy/k8s/<app>/: per app a Deployment with probes and resources, a Service, a migration
Job, an HPA, a worker Deployment, ConfigMap/Secret references, one kustomization each; and the
Prometheus scrape configuration. No cluster here: structure and cross-references are checked."""

import importlib.util
from urllib.parse import urlsplit

import pytest

from dkbuza_kit.apps import APPS, GATEWAY, SERVICES, AppSpec

APP_PARAMS = [pytest.param(app, id=app.name) for app in APPS]
WORKER_APPS = [pytest.param(app, id=app.name) for app in APPS
               if importlib.util.find_spec(f"{app.package}.worker") is not None]

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


def manifests(repo, app: AppSpec) -> dict[tuple[str, str], dict]:
    """(kind, name) -> document, for every resource the app's kustomization lists."""
    base = f"deploy/k8s/{app.name}"
    kustomization = repo.load_yaml(f"{base}/kustomization.yaml")
    assert kustomization["kind"] == "Kustomization"
    docs: dict[tuple[str, str], dict] = {}
    for resource in kustomization["resources"]:
        for doc in repo.load_yaml_documents(f"{base}/{resource}"):
            key = (doc["kind"], doc["metadata"]["name"])
            assert key not in docs, f"{key} defined twice"
            assert doc["apiVersion"] == API_VERSIONS[doc["kind"]], key
            docs[key] = doc
    return docs


def get(docs, kind: str, name: str) -> dict:
    assert (kind, name) in docs, f"no {kind} {name} in the kustomization"
    return docs[(kind, name)]


def pod_spec(workload: dict) -> dict:
    return workload["spec"]["template"]["spec"]


def only_container(workload: dict) -> dict:
    containers = pod_spec(workload)["containers"]
    assert len(containers) == 1
    return containers[0]


def check_hardened(workload: dict) -> None:
    pod = pod_spec(workload)
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"].get("runAsUser", 1) != 0
    container = only_container(workload)
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert "ALL" in container["securityContext"]["capabilities"]["drop"]


def check_resources(container: dict) -> None:
    for bound in ("requests", "limits"):
        assert {"cpu", "memory"} <= set(container["resources"][bound]), bound


def check_env_sources(repo, app: AppSpec, docs, workload: dict) -> None:
    """The container takes its settings from the app's ConfigMap and Secret only."""
    container = only_container(workload)
    refs = {(kind, source[key]["name"]) for source in container.get("envFrom", [])
            for kind, key in (("ConfigMap", "configMapRef"), ("Secret", "secretRef"))
            if key in source}
    assert refs == {("ConfigMap", f"{app.name}-config"), ("Secret", f"{app.name}-secrets")}
    assert all("prefix" not in source for source in container["envFrom"])
    get(docs, "ConfigMap", f"{app.name}-config")
    inline = {item["name"] for item in container.get("env", [])}
    repo.check_env_names(app, inline, f"{workload['metadata']['name']} env")


def image_name(repo, app: AppSpec) -> str:
    kustomization = repo.load_yaml(f"deploy/k8s/{app.name}/kustomization.yaml")
    names = [image["name"] for image in kustomization.get("images", [])]
    assert len(names) == 1
    return names[0]


def secret_example(repo, app: AppSpec) -> dict[str, str]:
    docs = repo.load_yaml_documents(f"deploy/k8s/{app.name}/secret.example.yaml")
    secret = next(d for d in docs if d["kind"] == "Secret")
    assert secret["metadata"]["name"] == f"{app.name}-secrets"
    return secret["stringData"]


def configured_env(repo, app: AppSpec) -> dict[str, str]:
    config = get(manifests(repo, app), "ConfigMap", f"{app.name}-config")["data"]
    return {**{k: str(v) for k, v in config.items()}, **secret_example(repo, app)}


@pytest.mark.parametrize("app", APP_PARAMS)
def test_api_deployment_has_probes_resources_and_runs_as_non_root(repo, app):
    docs = manifests(repo, app)
    deployment = get(docs, "Deployment", app.name)
    container = only_container(deployment)
    assert container["image"].split(":")[0] == image_name(repo, app)
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports.get("http") == app.port
    for probe, path in (("livenessProbe", "/livez"), ("readinessProbe", "/readyz")):
        assert probe in container, f"no {probe}"
        http = container[probe]["httpGet"]
        assert http["path"] == path
        assert http["port"] in ("http", app.port)
    check_resources(container)
    check_hardened(deployment)
    check_env_sources(repo, app, docs, deployment)
    selector = deployment["spec"]["selector"]["matchLabels"]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert selector.items() <= labels.items()
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/port"] == str(app.port)


@pytest.mark.parametrize("app", APP_PARAMS)
def test_service_selects_the_api_pods_on_the_app_port(repo, app):
    docs = manifests(repo, app)
    svc = get(docs, "Service", app.name)
    pod_labels = get(docs, "Deployment", app.name)["spec"]["template"]["metadata"]["labels"]
    assert svc["spec"]["selector"].items() <= pod_labels.items()
    ports = svc["spec"]["ports"]
    assert [(p["port"], p["targetPort"]) for p in ports] == [(app.port, "http")]
    worker = docs.get(("Deployment", f"{app.name}-worker"))
    if worker:  # the Service must not send traffic to worker pods
        worker_labels = worker["spec"]["template"]["metadata"]["labels"]
        assert not svc["spec"]["selector"].items() <= worker_labels.items()


@pytest.mark.parametrize("app", APP_PARAMS)
def test_migration_job_runs_alembic_with_the_app_settings(repo, app):
    docs = manifests(repo, app)
    job = get(docs, "Job", f"{app.name}-migrate")
    container = only_container(job)
    ini = f"{app.directory}/alembic.ini"
    assert container["command"] == ["alembic", "-c", ini, "upgrade", "head"]
    assert repo.path(ini).is_file()
    assert container["image"].split(":")[0] == image_name(repo, app)
    assert pod_spec(job)["restartPolicy"] in ("OnFailure", "Never")
    check_resources(container)
    check_hardened(job)
    check_env_sources(repo, app, docs, job)


@pytest.mark.parametrize("app", APP_PARAMS)
def test_hpa_scales_the_api_deployment_on_cpu(repo, app):
    docs = manifests(repo, app)
    hpa = get(docs, "HorizontalPodAutoscaler", app.name)
    target = hpa["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", app.name)
    assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
    assert any(m["type"] == "Resource" and m["resource"]["name"] == "cpu"
               for m in hpa["spec"]["metrics"])
    deployment = get(docs, "Deployment", app.name)
    assert "replicas" not in deployment["spec"], "the HPA owns the replica count"
    assert "cpu" in only_container(deployment)["resources"]["requests"]


@pytest.mark.parametrize("app", WORKER_APPS)
def test_worker_deployment_runs_the_worker_module(repo, app):
    docs = manifests(repo, app)
    worker = get(docs, "Deployment", f"{app.name}-worker")
    container = only_container(worker)
    assert container["command"] == ["python", "-m", f"{app.package}.worker"]
    assert container["image"].split(":")[0] == image_name(repo, app)
    check_resources(container)
    check_hardened(worker)
    check_env_sources(repo, app, docs, worker)


@pytest.mark.parametrize("app", APP_PARAMS)
def test_config_and_secret_carry_every_setting_the_app_needs(repo, app):
    env = configured_env(repo, app)
    repo.check_env_names(app, set(env), f"deploy/k8s/{app.name} ConfigMap/Secret")
    url = urlsplit(env.get(f"{app.env_prefix}DATABASE_URL", ""))
    assert url.scheme == "postgresql+asyncpg" and url.path == f"/{app.database}"
    config = get(manifests(repo, app), "ConfigMap", f"{app.name}-config")["data"]
    assert f"{app.env_prefix}DATABASE_URL" not in config, "the database URL belongs in the Secret"
    assert config.get(f"{app.env_prefix}JWKS_PATH") or config.get(f"{app.env_prefix}JWKS_URL")
    for setting in repo.loopback_settings(app):
        assert env.get(setting), f"{setting} is not set"
        assert "127.0.0.1" not in env[setting] and "localhost" not in env[setting], setting


def test_gateway_upstreams_are_the_services_in_cluster_addresses(repo):
    env = configured_env(repo, GATEWAY)
    for target in SERVICES:
        setting = f"GATEWAY_UPSTREAM_{target.name.upper().replace('-', '_')}"
        assert setting in repo.env_settings(GATEWAY), setting
        url = urlsplit(env[setting])
        svc = get(manifests(repo, target), "Service", target.name)
        assert (url.hostname, url.port) == (svc["metadata"]["name"], svc["spec"]["ports"][0]["port"])


def test_kustomizations_cover_every_app_and_every_shipped_file(repo):
    top = repo.load_yaml("deploy/k8s/kustomization.yaml")
    assert sorted(top["resources"]) == sorted(app.name for app in APPS)
    for app in APPS:
        listed = set(repo.load_yaml(f"deploy/k8s/{app.name}/kustomization.yaml")["resources"])
        present = {p.name for p in repo.path(f"deploy/k8s/{app.name}").glob("*.yaml")}
        assert listed == present - {"kustomization.yaml", "secret.example.yaml"}, app.name
        expected_kinds = {"Deployment", "Service", "Job", "HorizontalPodAutoscaler", "ConfigMap"}
        assert expected_kinds <= {kind for kind, _ in manifests(repo, app)}


def test_shared_examples_parse_and_name_what_the_apps_reference(repo):
    secrets = repo.load_yaml_documents("deploy/k8s/shared/secrets.example.yaml")
    assert {d["metadata"]["name"] for d in secrets} == {f"{a.name}-secrets" for a in APPS}
    jwks = repo.load_yaml_documents("deploy/k8s/shared/jwks.example.yaml")
    assert [d["metadata"]["name"] for d in jwks] == ["dkbuza-jwks"]
    for app in APPS:
        volumes = pod_spec(get(manifests(repo, app), "Deployment", app.name))["volumes"]
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
    assert settings.database_url == env[f"{app.env_prefix}DATABASE_URL"]
    assert settings.jwks_path == "/etc/dkbuza/jwks/jwks.json" or settings.jwks_url


KUBERNETES_VERSIONS = ("1.29", "1.33")


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_manifest_is_valid_against_the_kubernetes_schemas(repo, version):
    """Strict validation against the published OpenAPI schemas (bundled in kubernetes-validate)."""
    import kubernetes_validate

    checked, failures = 0, []
    for path in sorted(repo.path("deploy/k8s").rglob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue  # kustomize's own format, not a cluster resource
        for document in repo.load_yaml_documents(str(path.relative_to(repo.path(".")))):
            if not document:
                continue
            checked += 1
            try:
                kubernetes_validate.validate(document, version, strict=True)
            except kubernetes_validate.ValidationError as exc:
                failures.append(f"{path.name} {document.get('kind')}: {exc.message}")
    assert checked >= 40
    assert failures == []
