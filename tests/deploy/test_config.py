"""Static checks of the deployment files (containers cannot run here) and their shell parts.

compose.yaml must parse and wire each service to its command, role and
secrets; the Dockerfile must run as a non-root user and install from
requirements.lock; the systemd units must pass `systemd-analyze verify` (or,
without it, carry the required keys); the scripts must pass `bash -n` (and
shellcheck where installed); and no file under deploy/ may name a host other
than local and example ones (in particular no package registry's).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from tests.deploy.conftest import DEPLOY

ROOT = DEPLOY.parent
SYSTEMD = DEPLOY / "systemd"
UNITS = {"pingyi-api.service": "serve", "pingyi-projector.service": "project"}
SCRIPTS = [DEPLOY / "backup.sh", DEPLOY / "restore.sh"]


def compose() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return doc


def service(name: str) -> dict[str, Any]:
    svc: dict[str, Any] = compose()["services"][name]
    return svc


def command_text(svc: dict[str, Any]) -> str:
    command = svc["command"]
    return command if isinstance(command, str) else " ".join(command)


def run_entrypoint(env: dict[str, str], probe: str) -> subprocess.CompletedProcess[str]:
    """Run the compose entrypoint wrapper (Compose's $$ unescaped) with sh, then ``probe``."""
    shell, flag, script, name = compose()["x-secrets-entrypoint"]
    return subprocess.run(
        [shell, flag, script.replace("$$", "$"), name, "sh", "-c", probe],
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        check=False,
    )


# -- compose.yaml --------------------------------------------------------------------------


def test_compose_names_the_services_with_their_commands_and_roles() -> None:
    doc = compose()
    assert set(doc["services"]) == {"postgres", "migrate", "api", "projector"}

    postgres = service("postgres")
    assert postgres["image"].startswith("postgres:15")
    assert any(v.endswith(":/var/lib/postgresql/data") for v in postgres["volumes"])
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert postgres["environment"]["POSTGRES_PASSWORD_FILE"].startswith("/run/secrets/")
    assert set(doc["volumes"]) == {"pgdata"}

    migrate = service("migrate")
    script = command_text(migrate)
    assert migrate["restart"] == "no"
    assert "pingyi project --once" in script  # creates the log's and the read model's tables
    assert "-v app_role=pingyi_app" in script and "/opt/pingyi/sql/app_role.sql" in script
    assert "-v projector_role=pingyi_projector" in script
    assert "/opt/pingyi/sql/projector_role.sql" in script
    assert urlsplit(migrate["environment"]["PINGYI_STORE"]).username == "pingyi_owner"
    assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}

    roles = {"api": ("serve", "pingyi_app"), "projector": ("project", "pingyi_projector")}
    for name, (subcommand, role) in roles.items():
        svc = service(name)
        assert svc["command"][:2] == ["pingyi", subcommand]
        url = urlsplit(svc["environment"]["PINGYI_STORE"])
        assert (url.scheme, url.username, url.password) == ("postgresql", role, None)
        assert "create=no" in url.query
        assert svc["user"] == "10001:10001"
        assert svc["read_only"] is True
        assert svc["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    api = service("api")["command"]
    assert api[api.index("--host") + 1] == "0.0.0.0"
    assert "--workers" in api
    assert "--interval" in service("projector")["command"]


def test_compose_keeps_every_secret_in_a_file() -> None:
    doc = compose()
    declared = doc["secrets"]
    for name, svc in doc["services"].items():
        env = svc.get("environment", {})
        for key, value in env.items():
            assert "PASSWORD" not in key or key.endswith("_FILE"), (name, key)
            assert "PASSPHRASE" not in key or key.endswith("_FILE"), (name, key)
            if str(value).startswith("/run/secrets/"):
                assert Path(value).name in svc["secrets"], (name, key)
            if "://" in str(value):
                assert urlsplit(str(value)).password is None, (name, key)
        for secret in svc.get("secrets", []):
            assert set(declared[secret]) == {"file"}, secret
            assert declared[secret]["file"].startswith("./secrets/")
    # Only the API holds the log key and its passphrase.
    holders = {n for n, s in doc["services"].items() if "log_key" in s.get("secrets", [])}
    assert holders == {"api"}


def test_compose_entrypoint_turns_secret_files_into_a_passfile_and_a_passphrase(
    tmp_path: Path,
) -> None:
    """Run the compose entrypoint wrapper (Compose's $$ unescaped) with sh, for real."""
    assert service("api")["entrypoint"] == compose()["x-secrets-entrypoint"]
    (tmp_path / "db_password").write_text("s3cr:t\\pw\n")
    (tmp_path / "passphrase").write_text("correct horse battery\n")
    env = {
        "TMPDIR": str(tmp_path),
        "PINGYI_DB_PASSWORD_FILE": str(tmp_path / "db_password"),
        "PINGYI_KEY_PASSPHRASE_FILE": str(tmp_path / "passphrase"),
    }
    done = run_entrypoint(env, 'printf "%s|%s" "$PGPASSFILE" "$PINGYI_KEY_PASSPHRASE"')
    assert done.returncode == 0, done.stderr
    passfile, passphrase = done.stdout.split("|")
    assert passphrase == "correct horse battery"
    assert Path(passfile).read_text() == "*:*:*:*:s3cr\\:t\\\\pw\n"  # libpq's escapes
    assert stat.S_IMODE(Path(passfile).stat().st_mode) == 0o600  # libpq ignores looser files


def secret_holders(secret: str) -> set[str]:
    return {n for n, s in compose()["services"].items() if secret in s.get("secrets", [])}


def test_compose_gives_the_private_store_to_the_api_only_and_read_only() -> None:
    doc = compose()
    holders = {
        n for n, s in doc["services"].items() if "PINGYI_PRIVATE_STORE" in s.get("environment", {})
    }
    assert holders == {"api"}
    # The API holds the reader's password; the writer's, no long-running service.
    assert secret_holders("private_reader_db_password") == {"api", "migrate"}
    assert secret_holders("private_db_password") == {"migrate"}  # migrate sets its password
    assert set(doc["secrets"]) >= {"private_db_password", "private_reader_db_password"}
    for name, svc in doc["services"].items():  # no service connects as the writer
        for key, value in svc.get("environment", {}).items():
            if "://" in str(value):
                assert urlsplit(str(value)).username != "pingyi_private", (name, key)
    projector = service("projector")
    assert not any("PRIVATE" in key for key in projector["environment"])
    assert "private" not in command_text(projector)

    api = service("api")["environment"]
    url = urlsplit(api["PINGYI_PRIVATE_STORE"])
    assert (url.scheme, url.username, url.password) == ("postgresql", "pingyi_private_reader", None)
    assert (url.hostname, url.path, url.query) == ("postgres", "/pingyi_private", "create=no")
    assert url.path != urlsplit(api["PINGYI_STORE"]).path  # its own database, not the log's
    assert api["PINGYI_PRIVATE_DB_PASSWORD_FILE"] == "/run/secrets/private_reader_db_password"

    # migrate makes that database (closed to PUBLIC), its table as the owner, then the role.
    script = command_text(service("migrate"))
    steps = [
        "SELECT 'CREATE DATABASE pingyi_private'",
        "REVOKE ALL ON DATABASE pingyi_private FROM PUBLIC;",
        "pingyi pool init-store --private-store postgresql://pingyi_owner@postgres:5432/pingyi_private",
        "/opt/pingyi/sql/app_role.sql",
        "/opt/pingyi/sql/projector_role.sql",
        "-d pingyi_private -v private_role=pingyi_private",
        "/opt/pingyi/sql/private_role.sql",
        "ALTER ROLE pingyi_private PASSWORD :'private_pw';",
        "ALTER ROLE pingyi_private_reader PASSWORD :'private_reader_pw';",
    ]
    where = [script.find(step) for step in steps]
    assert -1 not in where and where == sorted(where), dict(zip(steps, where, strict=True))
    call = script[where[5] : where[6]]
    for variable in (
        "reader_role=pingyi_private_reader",
        "schema=pingyi_private",
        "app_role=pingyi_app",
        "projector_role=pingyi_projector",
    ):
        assert f"-v {variable}" in call, variable
    assert "\\set private_pw `cat /run/secrets/private_db_password`" in script
    assert "\\set private_reader_pw `cat /run/secrets/private_reader_db_password`" in script


def test_compose_entrypoint_puts_the_private_roles_password_first(tmp_path: Path) -> None:
    """libpq takes the first matching line: the private store's role, then everyone else."""
    (tmp_path / "app").write_text("app-pw\n")
    (tmp_path / "private").write_text("priv:pw\n")
    env = {
        "TMPDIR": str(tmp_path),
        "PINGYI_DB_PASSWORD_FILE": str(tmp_path / "app"),
        "PINGYI_PRIVATE_DB_PASSWORD_FILE": str(tmp_path / "private"),
        "PINGYI_PRIVATE_STORE": service("api")["environment"]["PINGYI_PRIVATE_STORE"],
    }
    done = run_entrypoint(env, 'printf "%s" "$PGPASSFILE"')
    assert done.returncode == 0, done.stderr
    lines = Path(done.stdout).read_text().splitlines()
    assert lines == ["*:*:*:pingyi_private_reader:priv\\:pw", "*:*:*:*:app-pw"]
    # A password file for a private store it cannot name a role for is refused.
    del env["PINGYI_PRIVATE_STORE"]
    done = run_entrypoint(env, "true")
    assert done.returncode == 2
    assert "needs PINGYI_PRIVATE_STORE" in done.stderr


def test_the_documented_erasure_container_connects_as_the_writer(tmp_path: Path) -> None:
    """deploy/README.md's `docker compose run ... migrate pingyi pool erase`, through the
    compose entrypoint: the writer's URL and its own password, first in the password file."""
    readme = (DEPLOY / "README.md").read_text()
    found = re.search(r"^docker compose run (.*?)\n```", readme, re.MULTILINE | re.DOTALL)
    assert found, "no `docker compose run` example in deploy/README.md"
    words = shlex.split(found.group(1).replace("\\\n", " "))
    options = dict(words[i + 1].split("=", 1) for i, word in enumerate(words) if word == "-e")
    name = next(w for i, w in enumerate(words) if not w.startswith("-") and words[i - 1] != "-e")
    command = words[words.index(name) + 1 :]
    assert words[:2] == ["--rm", "--no-deps"]
    assert command[:3] == ["pingyi", "pool", "erase"]
    url = urlsplit(options["PINGYI_PRIVATE_STORE"])
    assert (url.username, url.hostname, url.path, url.query) == (
        "pingyi_private",
        "postgres",
        "/pingyi_private",
        "create=no",
    )
    secret = Path(options["PINGYI_PRIVATE_DB_PASSWORD_FILE"])
    assert secret.parent == Path("/run/secrets")
    assert secret.name == "private_db_password" and secret.name in service(name)["secrets"]
    assert service(name)["entrypoint"] == compose()["x-secrets-entrypoint"]

    (tmp_path / "owner").write_text("owner-pw\n")
    (tmp_path / "writer").write_text("writer-pw\n")
    env = {k: str(v) for k, v in service(name)["environment"].items()}
    env |= options | {
        "TMPDIR": str(tmp_path),
        "PINGYI_PRIVATE_DB_PASSWORD_FILE": str(tmp_path / "writer"),
    }
    env["PINGYI_DB_PASSWORD_FILE"] = str(tmp_path / "owner")
    done = run_entrypoint(env, 'printf "%s" "$PGPASSFILE"')
    assert done.returncode == 0, done.stderr
    lines = Path(done.stdout).read_text().splitlines()
    assert lines == ["*:*:*:pingyi_private:writer-pw", "*:*:*:*:owner-pw"]


# -- Dockerfile ----------------------------------------------------------------------------


def dockerfile() -> list[str]:
    text = (DEPLOY / "Dockerfile").read_text().replace("\\\n", " ")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def test_dockerfile_runs_as_a_non_root_user_and_installs_from_the_lock() -> None:
    lines = dockerfile()
    args = dict(
        line.split(maxsplit=1)[1].split("=", 1) for line in lines if line.startswith("ARG ")
    )
    bases = [line.split()[1] for line in lines if line.startswith("FROM ")]
    assert bases, "no FROM"
    for base in bases:
        image = args.get(base.strip("${}"), base)
        assert image.startswith("python:3.11-slim"), image
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users, "no USER: the image would run as root"
    assert users[-1].split(":")[0] not in ("root", "0")
    assert any(line.startswith("COPY") and "requirements.lock" in line for line in lines)
    assert any("pip install -r requirements.lock ." in line for line in lines)
    assert lines[-2:] == ['ENTRYPOINT ["pingyi"]', 'CMD ["--help"]']
    for path in ("requirements.lock", "pyproject.toml", "README.md", "src", "deploy/sql"):
        assert (ROOT / path).exists(), path  # every COPY source exists in the build context


# -- systemd -------------------------------------------------------------------------------


def unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """A unit file as section -> key -> values (systemd allows repeated keys)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
        else:
            key, _, value = line.partition("=")
            current.setdefault(key.strip(), []).append(value.strip())
    return sections


@pytest.mark.parametrize("name", sorted(UNITS))
def test_systemd_units_are_hardened(name: str) -> None:
    service_ = unit(SYSTEMD / name)["Service"]
    assert service_.get("DynamicUser") == ["yes"] or service_.get("User")
    for key, value in {
        "ProtectSystem": "strict",
        "NoNewPrivileges": "yes",
        "Restart": "on-failure",
        "PrivateTmp": "yes",
        "ProtectHome": "yes",
    }.items():
        assert service_.get(key) == [value], key
    assert "/etc/pingyi/pingyi.env" in service_["EnvironmentFile"]
    assert service_["CapabilityBoundingSet"] == [""]
    exec_start = service_["ExecStart"][0].split()
    if exec_start[0] == "/usr/bin/env":  # env VAR=VALUE ... pingyi
        exec_start = exec_start[1:]
        while "=" in exec_start[0]:
            exec_start = exec_start[1:]
    assert exec_start[:2] == ["/opt/pingyi/venv/bin/pingyi", UNITS[name]]
    assert all("PASSWORD" not in e and "PASSPHRASE" not in e for e in service_["Environment"])
    # Every ${VAR} the command line uses is set in pingyi.env.example.
    example = (SYSTEMD / "pingyi.env.example").read_text()
    for var in re.findall(r"\$\{(\w+)\}", service_["ExecStart"][0]):
        assert re.search(rf"^{var}=\S", example, re.MULTILINE), var


def test_only_the_api_unit_gets_the_log_key_and_passphrase() -> None:
    api = unit(SYSTEMD / "pingyi-api.service")["Service"]
    projector = unit(SYSTEMD / "pingyi-projector.service")["Service"]
    assert "log.key:/etc/pingyi/log.key" in api["LoadCredential"]
    assert "/etc/pingyi/api.secret.env" in api["EnvironmentFile"]
    assert not any("log.key" in c for c in projector["LoadCredential"])
    assert projector["EnvironmentFile"] == ["/etc/pingyi/pingyi.env"]
    example = (SYSTEMD / "pingyi.env.example").read_text()
    assert not re.search(r"^\s*\w*(PASSPHRASE|PASSWORD)\w*=", example, re.MULTILINE)


def test_only_the_api_unit_gets_the_private_store(tmp_path: Path) -> None:
    """Run each unit's ExecStart as systemd would (${VAR} from pingyi.env.example), with a
    stand-in pingyi that prints the private store it was given."""
    example = (SYSTEMD / "pingyi.env.example").read_text()
    settings = dict(re.findall(r"^(\w+)=(.*)$", example, re.MULTILINE))
    assert "PINGYI_PRIVATE_STORE" not in settings  # pingyi.env is shared with the projector
    url = urlsplit(settings["PINGYI_API_PRIVATE_STORE"])
    assert (url.scheme, url.username, url.password) == ("postgresql", "pingyi_private_reader", None)
    assert (url.path, url.query) == ("/pingyi_private", "create=no")
    assert url.path != urlsplit(settings["PINGYI_API_STORE"]).path
    for key, value in settings.items():  # the writer is the office's, no service's
        assert "://" not in value or urlsplit(value).username != "pingyi_private", key

    stand_in = tmp_path / "pingyi"
    stand_in.write_text('#!/bin/sh\nprintf "%s" "${PINGYI_PRIVATE_STORE-unset}"\n')
    stand_in.chmod(0o755)
    given: dict[str, str] = {}
    for name in UNITS:
        exec_start = unit(SYSTEMD / name)["Service"]["ExecStart"][0]
        expanded = re.sub(r"\$\{(\w+)\}", lambda m: settings[m.group(1)], exec_start)
        args = [str(stand_in) if a.endswith("/bin/pingyi") else a for a in expanded.split()]
        done = subprocess.run(args, env={**settings}, capture_output=True, text=True, check=True)
        given[name] = done.stdout
    assert given == {
        "pingyi-api.service": settings["PINGYI_API_PRIVATE_STORE"],
        "pingyi-projector.service": "unset",
    }
    projector = (SYSTEMD / "pingyi-projector.service").read_text()
    assert "PRIVATE" not in projector and "private_role" not in projector


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_systemd_analyze_verify_accepts_the_units(tmp_path: Path) -> None:
    """Verified as written, but with ExecStart pointing at this venv's pingyi (the unit's
    /opt/pingyi/venv does not exist here and systemd-analyze checks the executable)."""
    for name in UNITS:
        text = (SYSTEMD / name).read_text()
        pingyi = Path(sys.executable).parent / "pingyi"
        (tmp_path / name).write_text(text.replace("/opt/pingyi/venv/bin/pingyi", str(pingyi)))
    done = subprocess.run(
        ["systemd-analyze", "verify", *(str(tmp_path / n) for n in UNITS)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert not re.search(r"Unknown|ignoring|Invalid|Failed", done.stderr), done.stderr


# -- scripts -------------------------------------------------------------------------------


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_scripts_parse_and_pass_shellcheck(script: Path) -> None:
    text = script.read_text()
    assert text.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in text
    assert os.access(script, os.X_OK)
    subprocess.run(["bash", "-n", str(script)], check=True)
    if shutil.which("shellcheck"):
        done = subprocess.run(
            ["shellcheck", str(script)], check=False, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stdout


# -- hosts ---------------------------------------------------------------------------------

ALLOWED_HOSTS = {"", "127.0.0.1", "localhost", "postgres", "db.internal", "host"}
URL = re.compile(r"\b[a-z][a-z0-9+.-]*://(?:[^/\s@'\"]*@)?([^/\s:'\"?#()\[\]]*)", re.IGNORECASE)
DOMAIN = re.compile(r"\b(?:[a-z0-9-]+\.)+[a-z]{2,}\b")
# Dotted words that are not hosts: files, modules and the example log origin.
NOT_HOSTS = re.compile(
    r"\.(?:sh|sql|py|md|yaml|yml|lock|toml|key|pub|env|service|example|dump|checkpoint"
    r"|txt|json|csv|internal|target|pgpass)$|^(?:api|pingyi|projections|ledger|urllib|docs"
    r"|deploy|src|tests|app_role|projector_role|vault|[a-z])\.",
    re.IGNORECASE,
)


def deploy_files() -> list[Path]:
    return [p for p in sorted(DEPLOY.rglob("*")) if p.is_file() and "secrets" not in p.parts]


def test_no_file_under_deploy_names_a_remote_host() -> None:
    """Only loopback, the compose service, example names and placeholders; so no package
    registry or image registry host (those come from each tool's own configuration)."""
    for path in deploy_files():
        text = path.read_text()
        for host in URL.findall(text):
            if not re.fullmatch(r"[\w.-]+", host):
                continue  # a pattern or placeholder (postgresql://*, postgresql://…)
            assert host.lower() in ALLOWED_HOSTS or host.endswith(".example"), (path, host)
        for word in DOMAIN.findall(text):
            if not NOT_HOSTS.search(word) and not re.fullmatch(r"[\d.]+", word):
                pytest.fail(f"{path.relative_to(ROOT)} names {word!r}: is it a host?")
    # Images are named without a registry host (the first path part has no dot or colon).
    images = [service(n)["image"] for n in compose()["services"] if "image" in service(n)]
    images += [line.split()[1] for line in dockerfile() if line.startswith("FROM ")]
    images += [line.split("=", 1)[1] for line in dockerfile() if line.startswith("ARG ")]
    for image in images:
        first = image.split("/")[0]
        assert "/" not in image or not re.search(r"[.:]", first), image
