"""Production refuses to start with a secret still at the repository's default; the local demo may."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from chassis.settings import ServiceSettings, ensure_deployable, production_problems
from gateway.config import GatewaySettings
from identity.config import IdentitySettings
from pydantic import ValidationError


def test_production_names_every_secret_still_at_its_default():
    assert production_problems(IdentitySettings(environment="production"))[0].startswith(
        "IDENTITY_INTERNAL_TOKEN_SECRET"
    )
    named = [p.split()[0] for p in production_problems(IdentitySettings(environment="production"))]
    assert named == [
        "IDENTITY_INTERNAL_TOKEN_SECRET",
        "IDENTITY_SECRET_ENCRYPTION_KEY",
        "IDENTITY_BOOTSTRAP_ADMIN_PASSWORD",
    ]
    assert [p.split()[0] for p in production_problems(GatewaySettings(environment="production"))] == [
        "GATEWAY_INTERNAL_TOKEN_SECRET"
    ]
    own = IdentitySettings(
        environment="production",
        internal_token_secret="s" * 48,
        secret_encryption_key="k" * 48,
        bootstrap_admin_password="Mat-khau-rieng-2026",
    )
    assert production_problems(own) == []
    ensure_deployable(own)
    # The one-machine demo keeps the repository's values.
    assert production_problems(ServiceSettings(environment="local")) == []
    with pytest.raises(SystemExit, match="INTERNAL_TOKEN_SECRET"):
        ensure_deployable(ServiceSettings(environment="production"))
    # Production is what a process is unless told otherwise (the tests and the runner say `local`).
    assert ServiceSettings.model_fields["environment"].default == "production"
    assert GatewaySettings.model_fields["environment"].default == "production"


def test_cors_never_allows_every_origin_with_credentials_and_production_names_its_origins():
    with pytest.raises(ValidationError, match="CORS"):
        GatewaySettings(cors_allow_origins=["*"], cors_allow_credentials=True)
    assert GatewaySettings().cors_allow_origins == []  # the web app is served by the gateway: same origin
    assert GatewaySettings(cors_allow_origins=["*"], environment="production").production_problems()
    assert GatewaySettings(cors_allow_origins=["*"], environment="local").production_problems() == []
    assert (
        GatewaySettings(cors_allow_origins=["https://app.congdoan.vn"], environment="production").production_problems()
        == []
    )


@pytest.mark.parametrize("module, prefix", [("identity", "IDENTITY_"), ("gateway", "GATEWAY_")])
def test_a_production_process_with_repository_secrets_does_not_start(module, prefix):
    """The real command line, as a deployment starts it: it stops before serving anything."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefix)}
    env[f"{prefix}ENVIRONMENT"] = "production"
    env[f"{prefix}HTTP_PORT"] = "1"  # nothing may get as far as binding it
    command = [sys.executable, "-m", module] + (["api"] if module != "gateway" else [])
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert f"{prefix}INTERNAL_TOKEN_SECRET" in done.stderr and "production" in done.stderr


def test_the_production_example_names_every_secret_of_every_process():
    import importlib
    from pathlib import Path

    example = (Path(__file__).resolve().parents[2] / "deploy" / "production" / "platform.env.example").read_text()
    classes = [
        GatewaySettings,
        *(
            getattr(importlib.import_module(f"{service}.config"), name)
            for service, name in {
                "orgtree": "OrgtreeSettings",
                "members": "MembersSettings",
                "identity": "IdentitySettings",
                "reporting": "ReportingSettings",
                "dues": "DuesSettings",
                "cards": "CardsSettings",
            }.items()
        ),
    ]
    for settings in classes:
        prefix = settings.model_config["env_prefix"]
        for name in (*settings.secret_fields, "kafka_sasl_password"):
            assert f"{prefix}{name.upper()}" in example, f"{prefix}{name.upper()} is not in platform.env.example"
