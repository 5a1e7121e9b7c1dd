"""Checks of the production manifests as files, independent of how they were rendered.

Each check takes the parsed documents of one size and returns what is wrong, in words an operator can act on:
a document Kubernetes or its operator (Strimzi, CloudNativePG) would refuse, a topic whose partitions differ from
the registry, an environment variable no process reads (a typo, or a setting renamed in code), a setting a
process needs in production that its manifest does not give, a secret written as a plain value.
"""

from __future__ import annotations

import copy
import importlib
import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import yaml
from contracts.topics import TOPICS
from pydantic_settings import BaseSettings

from localrun.services import SERVICES

ROOT = Path(__file__).resolve().parents[4]
SCHEMAS = ROOT / "deploy" / "production" / "schemas"
KUBERNETES_VERSION = "1.33.0"
# Custom resources and the vendored schema of their CRD (deploy/production/schemas/README.md).
CUSTOM_RESOURCES = {
    ("kafka.strimzi.io/v1", "Kafka"): "kafka-kafka-v1.json",
    ("kafka.strimzi.io/v1", "KafkaNodePool"): "kafkanodepool-kafka-v1.json",
    ("kafka.strimzi.io/v1", "KafkaTopic"): "kafkatopic-kafka-v1.json",
    ("kafka.strimzi.io/v1", "KafkaUser"): "kafkauser-kafka-v1.json",
    ("postgresql.cnpg.io/v1", "Cluster"): "cluster-postgresql-v1.json",
    ("postgresql.cnpg.io/v1", "Database"): "database-postgresql-v1.json",
    ("postgresql.cnpg.io/v1", "ScheduledBackup"): "scheduledbackup-postgresql-v1.json",
}
# Every process needs these; what carries a secret must come from a Secret, never a plain value.
REQUIRED = ("KAFKA_BOOTSTRAP_SERVERS", "INTERNAL_TOKEN_SECRET")
REQUIRED_BY_BACKENDS = ("DATABASE_URL",)
SECRET_MARKERS = ("SECRET", "PASSWORD", "DATABASE_URL", "KEY")


def load(directory: Path) -> list[dict[str, Any]]:
    return [
        document
        for path in sorted(directory.rglob("*.yaml"))
        if path.name != "kustomization.yaml"
        for document in yaml.safe_load_all(path.read_text())
        if document
    ]


def problems(documents: list[dict[str, Any]]) -> list[str]:
    return [*schema_problems(documents), *topic_problems(documents), *environment_problems(documents)]


def schema_problems(documents: Iterable[dict[str, Any]]) -> list[str]:
    found = []
    for document in documents:
        where = f"{document.get('kind')} {document.get('metadata', {}).get('name')}"
        crd = CUSTOM_RESOURCES.get((document.get("apiVersion"), document.get("kind")))
        try:
            if crd:
                body = {key: value for key, value in document.items() if key not in ("apiVersion", "kind", "metadata")}
                jsonschema.validate(body, _strict_schema(crd))
            else:
                kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)
        except (jsonschema.ValidationError, kubernetes_validate.ValidationError) as error:
            found.append(f"{where}: {error.message} at {'/'.join(str(p) for p in error.path)}")
        except kubernetes_validate.SchemaNotFoundError:
            found.append(f"{where}: unknown kind {document.get('apiVersion')}/{document.get('kind')}")
    return found


@cache
def _strict_schema(file_name: str) -> dict[str, Any]:
    """The CRD's schema without its metadata part, refusing fields the CRD does not declare (the API server
    would drop them silently: a misspelt setting would vanish)."""
    schema = json.loads((SCHEMAS / file_name).read_text())
    schema = copy.deepcopy(schema)
    schema["properties"].pop("apiVersion", None)
    schema["properties"].pop("kind", None)
    schema["properties"].pop("metadata", None)
    schema["required"] = [name for name in schema.get("required", []) if name not in ("apiVersion", "kind", "metadata")]

    def close(node: Any) -> None:
        if isinstance(node, dict):
            if (
                "properties" in node
                and "additionalProperties" not in node
                and not node.get("x-kubernetes-preserve-unknown-fields")
            ):
                node["additionalProperties"] = False
            for value in node.values():
                close(value)
        elif isinstance(node, list):
            for value in node:
                close(value)

    close(schema)
    return schema


def topic_problems(documents: Iterable[dict[str, Any]]) -> list[str]:
    declared = {
        spec["topicName"]: spec
        for document in documents
        if document.get("kind") == "KafkaTopic"
        for spec in [document["spec"]]
    }
    found = []
    for topic in TOPICS:
        spec = declared.pop(topic.name, None)
        if spec is None:
            found.append(f"topic {topic.name} of the registry has no KafkaTopic")
        elif spec["partitions"] != topic.partitions:
            found.append(f"topic {topic.name}: {spec['partitions']} partitions, the registry says {topic.partitions}")
        elif spec.get("replicas") != 3 or spec.get("config", {}).get("min.insync.replicas") != 2:
            found.append(f"topic {topic.name}: replication 3 and min.insync.replicas 2 expected")
    from localrun.manifests import BANK_TOPICS  # the banks' own topics: one partition each, not in the registry

    for name in BANK_TOPICS.values():
        spec = declared.pop(name, None)
        if spec is None or spec["partitions"] != 1:
            found.append(f"bank topic {name}: one KafkaTopic of one partition expected")
    found += [f"KafkaTopic {name} is not in the registry" for name in declared]
    return found


def environment_problems(documents: Iterable[dict[str, Any]]) -> list[str]:
    found = []
    for document in documents:
        if document.get("kind") not in ("Deployment", "Job"):
            continue
        for container in document["spec"]["template"]["spec"]["containers"]:
            service = container["args"][2]  # python -m <service> [command]
            settings = settings_class(service)
            prefix = settings.model_config.get("env_prefix", "")
            where = f"{document['kind']} {document['metadata']['name']}"
            names = set()
            for variable in container.get("env", []):
                name = variable["name"]
                names.add(name)
                if not name.startswith(prefix) or name[len(prefix) :].lower() not in settings.model_fields:
                    found.append(f"{where}: {name} is not a setting of {settings.__name__}")
                if any(marker in name for marker in SECRET_MARKERS) and "value" in variable:
                    found.append(f"{where}: {name} is a secret given as a plain value; reference a Secret")
            needed = (
                ("DATABASE_URL",)
                if document["kind"] == "Job"
                else (REQUIRED + (REQUIRED_BY_BACKENDS if service != "gateway" else ()))
            )
            found += [f"{where}: {prefix}{setting} is missing" for setting in needed if prefix + setting not in names]
    return found


@cache
def settings_class(module: str) -> type[BaseSettings]:
    service = next(s for s in SERVICES if s.module == module)
    config = importlib.import_module(f"{service.module}.config")
    return next(
        value
        for name, value in vars(config).items()
        if name.endswith("Settings") and getattr(value, "__module__", None) == config.__name__
    )
