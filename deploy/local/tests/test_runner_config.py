"""The generated supervisord configuration and environment, without starting anything."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

import pytest
from localrun.platform import Platform
from localrun.services import (
    SERVICES,
    SERVICES_BY_NAME,
    Layout,
    environment,
    http_port,
    internal_token_secret,
    metrics_port,
    parse_scale,
    process_environment,
    processes,
)
from localrun.supervision import Paths, render_config

LAYOUT = Layout("postgresql://postgres@127.0.0.1:5432/postgres", "127.0.0.1:9092", 8000, Path("/data"), "s3cret")


def config_for(tmp_path: Path, **options) -> configparser.RawConfigParser:
    platform = Platform(tmp_path, services=[s.name for s in SERVICES], **options)
    parser = configparser.RawConfigParser(inline_comment_prefixes=(";", "#"))
    parser.read_string(render_config(platform.paths, platform.programs()))
    return parser


@pytest.fixture(autouse=True)
def installed(monkeypatch):
    # Services are written concurrently: the configuration must not depend on which exist yet.
    monkeypatch.setattr("localrun.platform._not_runnable", lambda service: None)


def test_config_has_the_broker_and_every_process(tmp_path):
    parser = config_for(tmp_path)
    programs = {section.removeprefix("program:") for section in parser.sections() if section.startswith("program:")}
    expected = {"broker", "gateway"} | {
        f"{s.name}-{command}" for s in SERVICES if s.name != "gateway" for command in s.commands
    }
    assert programs == expected
    assert {"members-api", "members-consume", "members-relay", "orgtree-api", "orgtree-relay"} <= programs
    assert parser.getboolean("program:broker", "autostart")
    assert parser.getint("program:broker", "priority") < parser.getint("program:members-api", "priority")
    for section in parser.sections():
        if section.startswith("program:"):
            # The broker comes back empty: the runner restarts it itself, refilled, before any Kafka client.
            assert parser.get(section, "autorestart") == ("false" if section == "program:broker" else "true")
            assert parser.get(section, "stopasgroup") == parser.get(section, "killasgroup") == "true"
            if section != "program:broker":
                assert not parser.getboolean(section, "autostart"), "services start only after provisioning"
    assert parser.get("unix_http_server", "file").startswith(str(tmp_path))
    # Logs and spans hold who did what: owner-only files.
    assert parser.get("supervisord", "umask") == "077"


def test_the_runner_is_the_local_demo_and_the_gateways_metrics_are_off_its_public_port():
    env = environment(LAYOUT, inherited={})
    assert {env[f"{s.prefix}ENVIRONMENT"] for s in SERVICES} == {"local"}
    assert env["GATEWAY_METRICS_PORT"] == "8200" and env["GATEWAY_HTTP_PORT"] == "8000"
    assert "GATEWAY_TRUSTED_PROXIES" not in env  # no proxy in front of the one-machine platform


def test_external_kafka_runs_no_broker(tmp_path):
    parser = config_for(tmp_path, bootstrap_servers="kafka-1:9093")
    assert "program:broker" not in parser.sections()


def test_ports_do_not_collide_and_keep_their_last_two_digits():
    ports = {}
    for process in processes():
        if process.command == "api":
            port = http_port(process.service, 8000)
        else:
            port = metrics_port(process.service, process.command, 8000)
            assert port % 100 == http_port(process.service, 8000) % 100
        assert port not in ports, f"{process.program} and {ports.get(port)} share {port}"
        ports[port] = process.program
    assert 9092 not in ports
    assert http_port(SERVICES_BY_NAME["gateway"], 8000) == 8000
    assert http_port(SERVICES_BY_NAME["orgtree"], 8000) == 8101
    assert metrics_port(SERVICES_BY_NAME["cards"], "relay", 8000) == 8306


def test_environment_wires_every_service_under_its_prefix():
    env = environment(LAYOUT, inherited={})
    for service in SERVICES:
        assert env[f"{service.prefix}HTTP_PORT"] == str(http_port(service, 8000))
        assert env[f"{service.prefix}KAFKA_BOOTSTRAP_SERVERS"] == "127.0.0.1:9092"
        assert env[f"{service.prefix}INTERNAL_TOKEN_SECRET"] == "s3cret"
        assert env[f"{service.prefix}SPAN_LOG_PATH"] == "/data/spans.jsonl"
        if service.migrate:
            assert env[f"{service.prefix}DATABASE_URL"] == (
                f"postgresql+asyncpg://postgres@127.0.0.1:5432/congdoan_{service.name}"
            )
        if service.consume:
            assert env[f"{service.prefix}KAFKA_SESSION_TIMEOUT_MS"] == "3000"
    assert env["GATEWAY_MEMBERS_URL"] == "http://127.0.0.1:8102"
    assert env["IDENTITY_BOOTSTRAP_ADMIN_USERNAME"] == "admin"
    assert env["IDENTITY_REQUIRE_TOTP_FOR_ADMINS"] == "false"


def test_caller_environment_overrides_defaults_but_not_wiring():
    inherited = {
        "MEMBERS_KAFKA_SESSION_TIMEOUT_MS": "6000",
        "MEMBERS_HTTP_PORT": "1",
        "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
        "IDENTITY_BOOTSTRAP_ADMIN_PASSWORD": "other",
    }
    env = environment(LAYOUT, inherited=inherited)
    assert env["MEMBERS_KAFKA_SESSION_TIMEOUT_MS"] == "6000"
    assert env["MEMBERS_HTTP_PORT"] == "8102"
    assert env["CARDS_KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
    assert env["IDENTITY_BOOTSTRAP_ADMIN_PASSWORD"] == "other"


def test_embedded_postgres_socket_url_is_kept():
    layout = Layout("postgresql://postgres:@/postgres?host=/tmp/pg", "b:1", 8000, Path("/d"), "s")
    url = environment(layout, inherited={})["DUES_DATABASE_URL"]
    assert url.startswith("postgresql+asyncpg://postgres:@/congdoan_dues?host=")


def test_secret_is_generated_once(tmp_path):
    first = internal_token_secret(tmp_path)
    assert len(first) >= 32
    assert internal_token_secret(tmp_path) == first
    assert (tmp_path / "internal-token-secret").stat().st_mode & 0o077 == 0


def test_long_data_dir_gets_a_short_socket(tmp_path):
    paths = Paths(tmp_path / ("x" * 120))
    assert len(str(paths.socket)) <= 100


def test_test_helpers_point_at_the_prefixed_databases_and_worker_ports(tmp_path):
    platform = Platform(tmp_path, base_port=12000, services=["members"], database_prefix="e2e1234_")
    platform.server_url = "postgresql://postgres@127.0.0.1:5432/postgres"  # what start() finds out
    assert platform.database_dsn("members") == "postgresql://postgres@127.0.0.1:5432/e2e1234_members"
    assert platform.environment["MEMBERS_DATABASE_URL"].endswith("/e2e1234_members")
    assert platform.metrics_url("members", "consume") == "http://127.0.0.1:12202/metrics"
    assert platform.urls == {"members": "http://127.0.0.1:12102"}


def test_scaled_workers_get_their_own_programs_and_ports(tmp_path):
    scale = parse_scale("reporting.consume=2, members.relay=3")
    assert scale == {"reporting.consume": 2, "members.relay": 3}
    scaled = [p for p in processes(scale=scale) if p.service.name in ("reporting", "members") and p.command != "api"]
    assert [(p.program, p.instance) for p in scaled] == [
        ("members-consume", 1),
        ("members-relay", 1),
        ("members-relay-2", 2),
        ("members-relay-3", 3),
        ("reporting-consume", 1),
        ("reporting-consume-2", 2),
        ("reporting-relay", 1),
    ]
    ports = [process_environment(p, 8000)[p.service.prefix + "METRICS_PORT"] for p in scaled]
    assert ports == ["8202", "8302", "8312", "8322", "8204", "8214", "8304"]
    parser = config_for(tmp_path, scale=scale)
    assert "program:reporting-consume-2" in parser.sections()


def test_a_scale_that_names_no_worker_is_refused():
    for wrong in (
        "reporting.api=2",
        "nosuch.consume=2",
        "reporting.consume=0",
        "reporting.consume=10",
        "reporting.consume",
    ):
        with pytest.raises(ValueError, match=re.escape("expected <service>.<consume|relay>=<count of 1 to 9>")):
            parse_scale(wrong)
