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
    entrypoint = compose()["x-secrets-entrypoint"]
    assert service("api")["entrypoint"] == entrypoint
    shell, flag, script, name = entrypoint
    (tmp_path / "db_password").write_text("s3cr:t\\pw\n")
    (tmp_path / "passphrase").write_text("correct horse battery\n")
    env = {
        "PATH": os.environ["PATH"],
        "TMPDIR": str(tmp_path),
        "PINGYI_DB_PASSWORD_FILE": str(tmp_path / "db_password"),
        "PINGYI_KEY_PASSPHRASE_FILE": str(tmp_path / "passphrase"),
    }
    probe = 'printf "%s|%s" "$PGPASSFILE" "$PINGYI_KEY_PASSPHRASE"'
    done = subprocess.run(
        [shell, flag, script.replace("$$", "$"), name, "sh", "-c", probe],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    passfile, passphrase = done.stdout.split("|")
    assert passphrase == "correct horse battery"
    assert Path(passfile).read_text() == "*:*:*:*:s3cr\\:t\\\\pw\n"  # libpq's escapes
    assert stat.S_IMODE(Path(passfile).stat().st_mode) == 0o600  # libpq ignores looser files


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
    r"|txt|json|internal|target|pgpass)$|^(?:api|pingyi|projections|ledger|urllib|docs"
    r"|deploy|src|tests|app_role|projector_role|[a-z])\.",
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
