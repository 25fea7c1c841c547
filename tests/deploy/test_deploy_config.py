"""The Dockerfile, .dockerignore and compose.yaml, checked without Docker (this machine cannot build images).

What is checked: compose.yaml against the Compose Specification's JSON schema (compose-spec.json beside this file,
from github.com/compose-spec/compose-spec, Apache-2.0); every environment variable against the Settings it must
set; the services' wiring (URLs, ports, health checks, start order); the Dockerfile's stages, CMD and HEALTHCHECK
— the health check command is run against the app's real WSGI application, and Chroma's against a real
`chroma run`. What is not: building or running any image (see docs/deploy.md).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import tomllib
from importlib.metadata import version
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

import click
import jsonschema
import pytest
import yaml

from assistant.config import ROOT, Settings
from assistant.knowledge.store import HEARTBEAT_PATH, server_address
from tests.knowledge.chroma_server import ChromaServer, free_port

HERE = Path(__file__).resolve().parent
FAKE_ENV = {"POSTGRES_PASSWORD": "pw-from-env", "SLACK_BOT_TOKEN": "xoxb-from-env",
            "SLACK_SIGNING_SECRET": "secret-from-env"}
# Variables that are not assistant settings but are read by something else in the image.
OTHER_READERS = {
    "PORT": "assistant slack --port",
    "HF_HUB_OFFLINE": "huggingface_hub", "TRANSFORMERS_OFFLINE": "transformers",
    "ANONYMIZED_TELEMETRY": "chromadb", "PIP_NO_CACHE_DIR": "pip", "PIP_DISABLE_PIP_VERSION_CHECK": "pip",
    "VIRTUAL_ENV": "the venv", "PATH": "the shell", "PYTHONUNBUFFERED": "python",
    "PYTHONDONTWRITEBYTECODE": "python",
}


# --- reading the files ---------------------------------------------------------------------------------------------
def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order: continuation lines joined, comments dropped."""
    logical, current = [], ""
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        current += line.rstrip()
        if current.endswith("\\"):
            current = current[:-1] + " "
            continue
        logical.append(current.strip())
        current = ""
    return [(text.split(None, 1)[0].upper(), text.split(None, 1)[1]) for text in logical]


def stages() -> dict[str, list[tuple[str, str]]]:
    """Instructions of each named stage."""
    named: dict[str, list[tuple[str, str]]] = {}
    current = None
    for instruction, args in dockerfile():
        if instruction == "FROM":
            current = named.setdefault(args.split()[-1], [])
        elif current is not None:
            current.append((instruction, args))
    return named


def env_assignments(args: str) -> dict[str, str]:
    """NAME=value pairs of an ENV instruction or a RUN's leading assignments."""
    return dict(re.findall(r"(?:^|\s)([A-Z_][A-Z0-9_]*)=(\S*)", args))


def healthcheck() -> tuple[dict[str, str], list[str]]:
    """(options, exec-form command) of the Dockerfile's HEALTHCHECK."""
    (args,) = [a for i, a in dockerfile() if i == "HEALTHCHECK"]
    options, command = args.split(" CMD ", 1)
    return dict(re.findall(r"--([a-z-]+)=(\S+)", options)), json.loads(command)


def compose(env: dict[str, str] | None = None) -> dict:
    """compose.yaml with ${VAR}, ${VAR:-default} and ${VAR:?error} interpolated as Docker Compose does."""
    env = FAKE_ENV if env is None else env

    def value(match: re.Match) -> str:
        name, op, arg = match.group(1), match.group(2), match.group(3) or ""
        if op == ":?" and not env.get(name):
            raise LookupError(f"compose would refuse to start: {arg}")
        return env.get(name) or (arg if op == ":-" else "")

    text = re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:[-?])([^}]*))?\}", value, (ROOT / "compose.yaml").read_text())
    return yaml.safe_load(text)


def dockerignored(path: str) -> bool:
    """Whether .dockerignore keeps ``path`` (relative to the context) out of the build context (last match wins)."""
    excluded = False
    for raw in (ROOT / ".dockerignore").read_text().splitlines():
        pattern = raw.strip()
        if not pattern or pattern.startswith("#"):
            continue
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        regex = re.escape(pattern).replace(r"\*\*/", "(?:.*/)?").replace(r"\*\*", ".*").replace(r"\*", "[^/]*")
        parts = path.split("/")
        if any(re.fullmatch(regex, "/".join(parts[:n])) for n in range(1, len(parts) + 1)):
            excluded = not negate
    return excluded


def command_context(argv: list[str]) -> click.Context:
    """Parse an `assistant …` command line as the CLI would, without running it; fails if a name is unknown."""
    from assistant.cli import cli

    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts[argv[0]] == "assistant.cli:main"
    command, args, parent = cli, argv[1:], None
    while isinstance(command, click.Group):
        parent = click.Context(command, info_name=command.name, parent=parent)
        name, args = args[0], args[1:]
        command = command.get_command(parent, name)
        assert command is not None, f"no command {name!r} in {argv}"
    return command.make_context(command.name, list(args), parent=parent)


def is_setting(name: str) -> bool:
    """Whether Settings reads this environment variable."""
    for field_name, field in Settings.model_fields.items():
        aliases = getattr(field.validation_alias, "choices", None) or []
        if name == f"ASSISTANT_{field_name.upper()}" and not aliases or name in aliases:
            return True
    return False


# --- compose.yaml --------------------------------------------------------------------------------------------------
def test_compose_file_follows_the_compose_specification():
    schema = json.loads((HERE / "compose-spec.json").read_text())
    errors = [f"{'/'.join(map(str, e.path))}: {e.message}"
              for e in jsonschema.Draft7Validator(schema).iter_errors(compose())]
    assert errors == []


def test_compose_refuses_to_start_without_its_secrets_and_hard_codes_none():
    for missing in FAKE_ENV:
        with pytest.raises(LookupError, match=f"set {missing} in .env"):
            compose({k: v for k, v in FAKE_ENV.items() if k != missing})
    text = (ROOT / "compose.yaml").read_text()
    for line in text.splitlines():
        if re.search(r"(PASSWORD|TOKEN|SECRET)\s*:", line):
            assert "${" in line, line


def test_every_environment_variable_is_a_setting_or_has_a_reader():
    config = compose()
    names = set()
    for service in ("app", "index"):
        names |= set(config["services"][service]["environment"])
    for stage in stages().values():
        for instruction, args in stage:
            if instruction in ("ENV", "RUN"):
                leading = args if instruction == "ENV" else args.split(" assistant ")[0]  # RUN A=1 B=2 cmd
                names |= set(env_assignments(leading))
    unknown = sorted(n for n in names if not is_setting(n) and n not in OTHER_READERS)
    assert unknown == []
    assert {"ASSISTANT_DATABASE_URL", "ASSISTANT_CHROMA_URL"} <= names


def test_the_app_uses_the_postgres_service_as_its_database():
    from sqlalchemy.engine import make_url

    from assistant.incidents.db import Database

    config = compose()
    postgres = config["services"]["postgres"]["environment"]
    for service in ("app", "index"):
        url = make_url(config["services"][service]["environment"]["ASSISTANT_DATABASE_URL"])
        assert (url.host, url.port or 5432) == ("postgres", 5432)
        assert (url.username, url.password, url.database) == (
            postgres["POSTGRES_USER"], FAKE_ENV["POSTGRES_PASSWORD"], postgres["POSTGRES_DB"])
        Database(url.render_as_string(hide_password=False)).dispose()  # the URL and its driver are usable here
    check = config["services"]["postgres"]["healthcheck"]["test"]
    assert check[:2] == ["CMD", "pg_isready"]
    assert check[check.index("-U") + 1] == postgres["POSTGRES_USER"]
    assert check[check.index("-d") + 1] == postgres["POSTGRES_DB"]


def test_the_app_uses_the_chroma_service_as_its_index():
    config = compose()
    chroma = config["services"]["chroma"]
    command = chroma["command"]
    assert command[0] == "run" and set(command[1::2]) == {"--path", "--host", "--port"}
    port = int(command[command.index("--port") + 1])
    assert command[command.index("--host") + 1] == "0.0.0.0"  # reachable from the app's container
    for service in ("app", "index"):
        host, url_port, https = server_address(config["services"][service]["environment"]["ASSISTANT_CHROMA_URL"])
        assert (host, url_port, https) == ("chroma", port, False)
    assert chroma["healthcheck"]["test"] == ["CMD", "curl", "-fsS", f"http://127.0.0.1:{port}{HEARTBEAT_PATH}"]
    volume = command[command.index("--path") + 1]
    assert any(v.endswith(f":{volume}") for v in chroma["volumes"])  # the index survives a restart
    assert chroma["image"] == f"chromadb/chroma:{version('chromadb')}"  # server and client of one release


def test_services_start_in_order_and_only_the_app_is_published():
    config = compose()
    services = config["services"]
    assert set(services) == {"app", "index", "postgres", "chroma"}
    assert services["app"]["depends_on"] == {"postgres": {"condition": "service_healthy"},
                                             "chroma": {"condition": "service_healthy"},
                                             "index": {"condition": "service_completed_successfully"}}
    assert services["index"]["depends_on"] == {"chroma": {"condition": "service_healthy"}}
    assert services["index"]["restart"] == "no"
    for name in ("app", "postgres", "chroma"):
        assert set(services[name]["healthcheck"]) >= {"test", "interval", "timeout", "retries", "start_period"}
    assert [n for n, s in services.items() if "ports" in s] == ["app"]
    (mapping,) = services["app"]["ports"]
    env_port = services["app"]["environment"]["PORT"]
    assert mapping.split(":")[-1] == env_port == dict(stages()["runtime"])["EXPOSE"]
    assert services["app"]["build"] == "." and services["index"]["image"] == services["app"]["image"]
    used = {v.split(":")[0] for s in services.values() for v in s.get("volumes", [])}
    assert used == set(config["volumes"])


def test_compose_commands_are_commands_of_the_assistant():
    services = compose()["services"]
    slack = command_context(services["app"]["command"])
    assert slack.command.name == "slack" and slack.params["socket_mode"] is False
    port_option = next(p for p in slack.command.params if p.name == "port")
    assert port_option.envvar == "PORT"  # the app listens on $PORT, which compose sets and the healthcheck reads
    build = command_context(services["index"]["command"])
    assert build.command.name == "build" and build.params["quiet"] is True


def test_compose_app_healthcheck_is_the_images():
    _, command = healthcheck()
    assert compose()["services"]["app"]["healthcheck"]["test"] == ["CMD", *command]


# --- Dockerfile and .dockerignore ----------------------------------------------------------------------------------
def test_dockerfile_builds_in_one_stage_and_runs_in_another():
    named = stages()
    assert list(named) == ["builder", "runtime"]
    froms = [args for i, args in dockerfile() if i == "FROM"]
    assert froms == ["${PYTHON_IMAGE} AS builder", "${PYTHON_IMAGE} AS runtime"]  # one Python for both
    args = {k: v for i, a in dockerfile() if i == "ARG" and "=" in a for k, v in [a.split("=", 1)]}
    assert args["PYTHON_IMAGE"] == "python:3.11-slim"
    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"] == ">=3.11"

    runs = [a for i, a in named["builder"] if i == "RUN"]
    torch_at = next(n for n, r in enumerate(runs) if '"$TORCH"' in r)
    package_at = next(n for n, r in enumerate(runs) if re.search(r"pip install \.$", r))
    assert torch_at < package_at  # CPU torch first, so the package's dependencies do not pull the CUDA build
    assert args["TORCH"] == "torch==2.13.0" and args["TORCH_INDEX_URL"].endswith("/whl/cpu")
    assert '--index-url "$TORCH_INDEX_URL"' in runs[torch_at]
    assert any("assistant index build" in r for r in runs[package_at:])

    runtime = named["runtime"]
    assert ("COPY", "--from=builder /opt/venv /opt/venv") in runtime
    assert not any(i == "RUN" and "pip install" in a for i, a in runtime)  # nothing is built at run time
    builder_env, runtime_env = (env_assignments(" ".join(a for i, a in s if i == "ENV")) for s in named.values())
    assert builder_env["VIRTUAL_ENV"] == runtime_env["VIRTUAL_ENV"] == "/opt/venv"
    assert runtime_env["PATH"].startswith("/opt/venv/bin:")


def test_dockerfile_runs_as_a_user_without_privileges():
    runtime = stages()["runtime"]
    (user,) = [a for i, a in runtime if i == "USER"]
    assert user not in ("root", "0") and not user.startswith("0:")
    assert any(i == "RUN" and "useradd --system --uid 10001 --user-group" in a and a.split("&&")[0].split()[-1]
               == user for i, a in runtime)
    assert [i for i, _ in runtime].index("USER") > max(n for n, (i, _) in enumerate(runtime) if i in ("RUN", "COPY"))
    data_dir = env_assignments(" ".join(a for i, a in runtime if i == "ENV"))["ASSISTANT_DATA_DIR"]
    assert ("VOLUME", f'["{data_dir}"]') in runtime
    assert any(i == "RUN" and f"chown {user}:{user} {data_dir}" in a and f"chmod 0700 {data_dir}" in a
               for i, a in runtime)


def test_dockerfile_cmd_is_the_slack_app_on_the_exposed_port():
    runtime = stages()["runtime"]
    (cmd,) = [json.loads(a) for i, a in runtime if i == "CMD"]
    context = command_context(cmd)
    assert context.command.name == "slack" and context.params["socket_mode"] is False
    env = env_assignments(" ".join(a for i, a in runtime if i == "ENV"))
    assert env["PORT"] == dict(runtime)["EXPOSE"]
    build_run = next(a for i, a in stages()["builder"] if i == "RUN" and "assistant index build" in a)
    index_argv = build_run[build_run.index("assistant index build"):].split()
    assert command_context(index_argv).params["quiet"] is True


def test_dockerfile_copies_exist_and_reach_the_build_context():
    builder = stages()["builder"]
    sources = [src for i, a in builder if i == "COPY" and not a.startswith("--from") for src in a.split()[:-1]]
    assert sources == ["pyproject.toml", "README.md", "assistant", "corpus"]
    for source in sources:
        assert (ROOT / source).exists(), source
        assert not dockerignored(source), source
    for kept in ("assistant/cli.py", "assistant/incidents/form.yml", "assistant/models/retrieval",
                 "corpus/000_0ac35471cb74cf03.txt"):
        assert not dockerignored(kept), kept


def test_dockerignore_keeps_local_state_secrets_and_caches_out():
    for path in (".venv", ".venv/bin/python", "index", "index/chroma.sqlite3", "data", "data/incidents.db", ".git",
                 ".git/HEAD", ".env", ".env.production", "assistant/__pycache__/cli.cpython-311.pyc",
                 ".pytest_cache", "councillor_assistant.egg-info", "tests/conftest.py"):
        assert dockerignored(path), path


# --- the health checks, run for real -------------------------------------------------------------------------------
@pytest.fixture
def running_app():
    """The app's real WSGI application (assistant.channels.slack.server) on a local port."""
    from slack_bolt import App

    from assistant.channels.slack.server import wsgi_app

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args) -> None:
            pass

    bolt = App(token="xoxb-test", signing_secret="test-secret", token_verification_enabled=False)
    server = make_server("127.0.0.1", 0, wsgi_app(bolt, "test-secret"), handler_class=Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    server.server_close()


def run_healthcheck(command: list[str], port: int) -> subprocess.CompletedProcess:
    executable = {"python": sys.executable}.get(command[0], command[0])
    return subprocess.run([executable, *command[1:]], env={**os.environ, "PORT": str(port)},
                          capture_output=True, text=True, timeout=60)


def test_the_image_healthcheck_passes_against_the_app_and_fails_without_it(running_app):
    from assistant.channels.slack.server import HEALTH_PATH

    options, command = healthcheck()
    assert command[0] == "python" and f"/{HEALTH_PATH.strip('/')}'" in command[-1]
    assert set(options) == {"interval", "timeout", "start-period", "retries"}
    assert run_healthcheck(command, running_app).returncode == 0
    assert run_healthcheck(command, free_port()).returncode != 0  # nothing listening: unhealthy


@pytest.mark.real
def test_the_chroma_healthcheck_passes_against_a_real_chroma_server(tmp_path):
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed here (the chroma image has it)")
    service = compose()["services"]["chroma"]
    check = service["healthcheck"]["test"]
    port = service["command"][service["command"].index("--port") + 1]
    server = ChromaServer(tmp_path / "chroma")
    assert [a for a in server.args if a.startswith("--")] == [a for a in service["command"] if a.startswith("--")]
    server.start()
    try:
        local = [part.replace(f":{port}/", f":{server.port}/") for part in check[1:]]
        assert subprocess.run(local, capture_output=True, timeout=60).returncode == 0
    finally:
        server.stop()
    assert subprocess.run(local, capture_output=True, timeout=60).returncode != 0  # stopped: unhealthy
