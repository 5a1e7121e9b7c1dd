"""The production manifests (`deploy/production/k8s/<size>/`), rendered from the platform's own tables.

`python -m localrun manifests` writes them; `--check` fails when the committed files differ from a fresh render.
One source for both sizes: the processes come from `localrun.services.SERVICES` (what the one-machine runner
starts), the topics, their partitions and each service's reads and writes from the contracts' topic registry and
the consumers' own handler maps, the PostgreSQL settings from `deploy/production/postgresql.conf`. The rendered
files are what is applied (`kubectl apply -k`), so what CI validates is exactly what runs: no templating at
apply time.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from contracts.events.cards_issuance_v1 import partner_topic
from contracts.topics import DEADLETTER_TOPIC, TOPICS
from contracts.wellknown import VIETINBANK_PARTNER_CODE

from gateway import revocations, unittree
from localrun import dashboards
from localrun.manifest_checks import settings_class
from localrun.services import BACKENDS, SERVICES_BY_NAME, Service

ROOT = Path(__file__).resolve().parents[4]
OUTPUT = ROOT / "deploy" / "production" / "k8s"
POSTGRESQL_CONF = ROOT / "deploy" / "production" / "postgresql.conf"

NAMESPACE = "congdoan"
IMAGE = "congdoan/platform"
KAFKA_CLUSTER = "congdoan-kafka"
KAFKA_BOOTSTRAP = f"{KAFKA_CLUSTER}-kafka-bootstrap.{NAMESPACE}.svc:9093"
KAFKA_CA_SECRET = f"{KAFKA_CLUSTER}-cluster-ca-cert"  # made by Strimzi
KAFKA_CA_DIR = "/etc/congdoan/kafka-ca"
INTERNAL_TOKEN_SECRET = "platform-internal-token"
PUBLIC_CONFIG = "platform-public"
PHOTO_DIR = "/var/lib/congdoan/photos"
WEB_DIR = "/app/web/dist"
MONITORING_NAMESPACE = "monitoring"
PART_OF = {"app.kubernetes.io/part-of": "congdoan"}

# Which PostgreSQL cluster holds each service's database: the registry on its own, reporting (which scales
# separately) on its own, the small services together.
DATABASE_CLUSTERS = {
    "members": "pg-members",
    "reporting": "pg-reporting",
    "orgtree": "pg-core",
    "identity": "pg-core",
    "dues": "pg-core",
    "cards": "pg-core",
}
# Durability stays as PostgreSQL ships it, and CloudNativePG manages these itself.
OPERATOR_OWNED_PARAMETERS = {"fsync", "full_page_writes", "synchronous_commit"}
# Settings a process must be given in production: each is a field of its settings class (checked by the tests).
SECRET_SETTINGS = {"identity": ("SECRET_ENCRYPTION_KEY", "BOOTSTRAP_ADMIN_PASSWORD")}


@dataclass(frozen=True)
class Resources:
    cpu: str
    memory: str
    memory_limit: str

    def render(self) -> dict[str, Any]:
        return {"requests": {"cpu": self.cpu, "memory": self.memory}, "limits": {"memory": self.memory_limit}}


@dataclass(frozen=True)
class Size:
    """What differs between a province running its own copy and the national centre."""

    name: str
    api_replicas: tuple[int, int]  # HPA min, max
    gateway_replicas: tuple[int, int]
    consume_replicas: int
    reporting_consume_min: int  # reporting's consumers scale out under an HPA up to the partitions they read
    api: Resources
    worker: Resources
    gateway: Resources
    postgres_instances: int
    postgres_storage: dict[str, str]  # cluster -> size
    postgres_memory: str
    postgres_parameters: dict[str, str]  # the memory lines of postgresql.conf, scaled to the instance
    kafka_brokers: int
    kafka_storage: str
    photo_storage: str


SIZES = (
    Size(
        name="province",
        api_replicas=(2, 4),
        gateway_replicas=(2, 6),
        consume_replicas=1,
        reporting_consume_min=1,
        api=Resources("250m", "384Mi", "768Mi"),
        worker=Resources("200m", "384Mi", "1Gi"),
        gateway=Resources("250m", "256Mi", "512Mi"),
        postgres_instances=2,
        postgres_storage={"pg-members": "50Gi", "pg-reporting": "20Gi", "pg-core": "10Gi"},
        postgres_memory="4Gi",
        postgres_parameters={
            "shared_buffers": "1GB",
            "effective_cache_size": "3GB",
            "maintenance_work_mem": "256MB",
            "max_wal_size": "4GB",
        },
        kafka_brokers=3,
        kafka_storage="50Gi",
        photo_storage="100Gi",
    ),
    Size(
        name="national",
        api_replicas=(3, 12),
        gateway_replicas=(4, 20),
        consume_replicas=2,
        reporting_consume_min=2,
        api=Resources("500m", "512Mi", "1Gi"),
        worker=Resources("500m", "512Mi", "2Gi"),
        gateway=Resources("500m", "384Mi", "768Mi"),
        postgres_instances=3,
        postgres_storage={"pg-members": "500Gi", "pg-reporting": "200Gi", "pg-core": "50Gi"},
        postgres_memory="32Gi",
        postgres_parameters={},  # postgresql.conf as written: it is sized for the national registry
        kafka_brokers=3,
        kafka_storage="500Gi",
        photo_storage="2Ti",
    ),
)


def postgresql_parameters(size: Size) -> dict[str, str]:
    parameters = {}
    for line in POSTGRESQL_CONF.read_text().splitlines():
        setting = line.split("#", 1)[0].strip()
        if setting:
            name, value = (part.strip() for part in setting.split("=", 1))
            if name not in OPERATOR_OWNED_PARAMETERS:
                parameters[name] = value
    return parameters | size.postgres_parameters


# --- what each service reads and writes on Kafka -------------------------------------------------------------


def topics_read(service: Service) -> list[str]:
    """The topics a service's consumers subscribe to: the topics of the events in its handler map."""
    consumers = importlib.import_module(f"{service.module}.entrypoints.consumers")
    return sorted({event.topic_name for event in consumers.handlers(settings_class(service.module)())})


def topics_written(service: Service) -> list[str]:
    partner_topics = list(BANK_TOPICS.values()) if service.name == "cards" else []
    return sorted([topic.name for topic in TOPICS if topic.name.split(".")[0] == service.name] + partner_topics)


# Banks that take their linked cards from their own topic (`cards.issuance.<partner>.v1`, written by cards): each gets
# a KafkaTopic and a KafkaUser of its own (read its topic, its own group). A bank added later is added here.
BANK_TOPIC_PARTNERS = (VIETINBANK_PARTNER_CODE,)
BANK_TOPICS = {code: partner_topic(code) for code in BANK_TOPIC_PARTNERS}


# Read by the gateway's feeds without a consumer group: the token revocations and the unit tree.
GATEWAY_TOPICS = tuple(sorted({revocations.TOPIC, unittree.TOPIC}))


# --- the pieces ----------------------------------------------------------------------------------------------


def labels(name: str, component: str, service: str) -> dict[str, str]:
    return {
        "app.kubernetes.io/name": name,
        "app.kubernetes.io/component": component,
        "congdoan.vn/service": service,
        **PART_OF,
    }


def metadata(name: str, component: str, service: str) -> dict[str, Any]:
    return {"name": name, "namespace": NAMESPACE, "labels": labels(name, component, service)}


def secret_env(name: str, secret: str, key: str) -> dict[str, Any]:
    return {"name": name, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}}


def service_env(service: Service, command: str) -> list[dict[str, Any]]:
    """The environment of one process: plain values for configuration, Secret references for secrets."""
    p = service.prefix
    env: list[dict[str, Any]] = [
        secret_env(f"{p}DATABASE_URL", f"{service.name}-database", "url"),
        secret_env(f"{p}INTERNAL_TOKEN_SECRET", INTERNAL_TOKEN_SECRET, "secret"),
        *kafka_env(p, service.name),
        {"name": f"{p}KAFKA_ENABLE_IDEMPOTENCE", "value": "true"},
        {"name": f"{p}KAFKA_REPLICATION_FACTOR", "value": "3"},
        {"name": f"{p}KAFKA_FETCH_MAX_WAIT_MS", "value": "500"},
        {"name": f"{p}HTTP_HOST", "value": "0.0.0.0"},
        {"name": f"{p}LOG_JSON", "value": "true"},
    ]
    if command in ("consume", "relay"):
        env.append({"name": f"{p}METRICS_PORT", "value": str(worker_port(service, command))})
    env += [
        secret_env(f"{p}{name}", f"{service.name}-secrets", name.lower().replace("_", "-"))
        for name in SECRET_SETTINGS.get(service.name, ())
    ]
    if service.name == "members":
        env.append({"name": f"{p}PHOTO_DIR", "value": PHOTO_DIR})
    if service.name == "cards":
        env.append(
            {
                "name": f"{p}PUBLIC_VERIFY_BASE_URL",
                "valueFrom": {"configMapKeyRef": {"name": PUBLIC_CONFIG, "key": "card-verify-base-url"}},
            }
        )
    return env


def kafka_env(prefix: str, user: str) -> list[dict[str, Any]]:
    return [
        {"name": f"{prefix}KAFKA_BOOTSTRAP_SERVERS", "value": KAFKA_BOOTSTRAP},
        {"name": f"{prefix}KAFKA_SECURITY_PROTOCOL", "value": "SASL_SSL"},
        {"name": f"{prefix}KAFKA_SASL_MECHANISM", "value": "SCRAM-SHA-512"},
        {"name": f"{prefix}KAFKA_SASL_USERNAME", "value": user},
        secret_env(f"{prefix}KAFKA_SASL_PASSWORD", user, "password"),  # the KafkaUser's Secret, made by Strimzi
        {"name": f"{prefix}KAFKA_SSL_CAFILE", "value": f"{KAFKA_CA_DIR}/ca.crt"},
    ]


GATEWAY_METRICS_PORT = 8200


def worker_port(service: Service, command: str) -> int:
    return 8000 + service.port_offset + {"consume": 100, "relay": 200}[command]


def http_port(service: Service) -> int:
    return 8000 + service.port_offset


def container(service: Service, command: str, size: Size) -> dict[str, Any]:
    gateway = service.name == "gateway"
    port = http_port(service) if command == "api" else worker_port(service, command)
    port_name = "http" if command == "api" else "metrics"
    resources = size.gateway if gateway else size.api if command == "api" else size.worker
    return {
        "name": command,
        "image": IMAGE,
        "args": ["python", "-m", service.module, *([] if gateway else [command])],
        "env": gateway_env() if gateway else service_env(service, command),
        "ports": [
            {"name": port_name, "containerPort": port},
            # The gateway's /metrics has a port of its own: its http port faces the internet.
            *([{"name": "metrics", "containerPort": GATEWAY_METRICS_PORT}] if gateway else []),
        ],
        "readinessProbe": {"httpGet": {"path": "/ready", "port": port_name}, "periodSeconds": 5},
        "livenessProbe": {
            "httpGet": {"path": "/health", "port": port_name},
            "periodSeconds": 10,
            "failureThreshold": 6,
        },
        "resources": resources.render(),
        "securityContext": {
            "runAsNonRoot": True,
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        },
        "volumeMounts": [
            {"name": "kafka-ca", "mountPath": KAFKA_CA_DIR, "readOnly": True},
            {"name": "tmp", "mountPath": "/tmp"},
            *([{"name": "photos", "mountPath": PHOTO_DIR}] if service.name == "members" else []),
        ],
    }


def gateway_env() -> list[dict[str, Any]]:
    env = [
        {
            "name": f"GATEWAY_{backend.name.upper()}_URL",
            "value": f"http://{backend.name}-api.{NAMESPACE}.svc:{http_port(backend)}",
        }
        for backend in BACKENDS
    ]
    return env + [
        secret_env("GATEWAY_INTERNAL_TOKEN_SECRET", INTERNAL_TOKEN_SECRET, "secret"),
        *kafka_env("GATEWAY_", "gateway"),
        {"name": "GATEWAY_HTTP_HOST", "value": "0.0.0.0"},
        {"name": "GATEWAY_METRICS_PORT", "value": str(GATEWAY_METRICS_PORT)},
        {"name": "GATEWAY_WEB_DIR", "value": WEB_DIR},
        {"name": "GATEWAY_LOG_JSON", "value": "true"},
    ]


def deployment(service: Service, command: str, size: Size, replicas: int | None) -> dict[str, Any]:
    name = service.name if service.name == "gateway" else f"{service.name}-{command}"
    pod_labels = labels(name, command, service.name) | {"congdoan.vn/kafka-client": "true"}
    if service.name in DATABASE_CLUSTERS:
        pod_labels["congdoan.vn/database"] = DATABASE_CLUSTERS[service.name]
    volumes: list[dict[str, Any]] = [
        {"name": "kafka-ca", "secret": {"secretName": KAFKA_CA_SECRET, "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
        {"name": "tmp", "emptyDir": {}},
    ]
    if service.name == "members":
        volumes.append({"name": "photos", "persistentVolumeClaim": {"claimName": "members-photos"}})
    spec: dict[str, Any] = {
        "selector": {"matchLabels": {"app.kubernetes.io/name": name}},
        "template": {
            "metadata": {"labels": pod_labels},
            "spec": {
                # A consumer leaves its group and a relay its advisory lock cleanly within this time.
                "terminationGracePeriodSeconds": 30,
                "automountServiceAccountToken": False,
                "securityContext": {
                    "runAsNonRoot": True,
                    "runAsUser": 10001,
                    "fsGroup": 10001,
                    "seccompProfile": {"type": "RuntimeDefault"},
                },
                "containers": [container(service, command, size)],
                "volumes": volumes,
            },
        },
    }
    if replicas is not None:  # otherwise its HorizontalPodAutoscaler sets it
        spec = {"replicas": replicas, **spec}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": metadata(name, command, service.name),
        "spec": spec,
    }


def autoscaler(name: str, service: str, component: str, bounds: tuple[int, int]) -> dict[str, Any]:
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": metadata(name, component, service),
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
            "minReplicas": bounds[0],
            "maxReplicas": bounds[1],
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}},
                }
            ],
        },
    }


def disruption_budget(name: str, service: str, component: str) -> dict[str, Any]:
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": metadata(name, component, service),
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": {"app.kubernetes.io/name": name}}},
    }


def cluster_service(name: str, service: str, port: int) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata(name, "api", service),
        "spec": {
            "selector": {"app.kubernetes.io/name": name},
            "ports": [{"name": "http", "port": port, "targetPort": "http"}],
        },
    }


def migration_job(service: Service) -> dict[str, Any]:
    name = f"{service.name}-migrate"
    job_container = {
        "name": "migrate",
        "image": IMAGE,
        "args": ["python", "-m", service.module, "migrate"],
        "env": [secret_env(f"{service.prefix}DATABASE_URL", f"{service.name}-database", "url")],
        "resources": Resources("100m", "256Mi", "512Mi").render(),
        "securityContext": {
            "runAsNonRoot": True,
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        },
    }
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": metadata(name, "migrate", service.name),
        "spec": {
            "backoffLimit": 2,
            "ttlSecondsAfterFinished": 3600,  # gone before the next release applies a Job of the same name
            "template": {
                "metadata": {
                    "labels": labels(name, "migrate", service.name)
                    | {"congdoan.vn/database": DATABASE_CLUSTERS[service.name]}
                },
                "spec": {
                    "restartPolicy": "Never",
                    "automountServiceAccountToken": False,
                    "securityContext": {
                        "runAsNonRoot": True,
                        "runAsUser": 10001,
                        "seccompProfile": {"type": "RuntimeDefault"},
                    },
                    "containers": [job_container],
                },
            },
        },
    }


def backend_documents(service: Service, size: Size) -> list[dict[str, Any]]:
    api = f"{service.name}-api"
    documents = [
        deployment(service, "api", size, None),
        cluster_service(api, service.name, http_port(service)),
        autoscaler(api, service.name, "api", size.api_replicas),
        disruption_budget(api, service.name, "api"),
    ]
    if service.consume and topics_read(service):
        name = f"{service.name}-consume"
        if service.name == "reporting":
            # Scaled out on its own, up to one consumer per partition of the busiest topic it reads.
            partitions = max(t.partitions for t in TOPICS if t.name in topics_read(service))
            documents += [
                deployment(service, "consume", size, None),
                autoscaler(name, service.name, "consume", (size.reporting_consume_min, partitions)),
            ]
        else:
            documents.append(deployment(service, "consume", size, size.consume_replicas))
        documents.append(disruption_budget(name, service.name, "consume"))
    # Two relays: one publishes, the other waits on the PostgreSQL advisory lock and takes over.
    documents += [
        deployment(service, "relay", size, 2),
        disruption_budget(f"{service.name}-relay", service.name, "relay"),
    ]
    if service.name == "members":
        documents.append(
            {
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "metadata": metadata("members-photos", "api", "members"),
                # Every members API replica reads and writes the same photos: a shared (ReadWriteMany) volume.
                "spec": {"accessModes": ["ReadWriteMany"], "resources": {"requests": {"storage": size.photo_storage}}},
            }
        )
    return documents


def gateway_documents(size: Size) -> list[dict[str, Any]]:
    gateway = SERVICES_BY_NAME["gateway"]
    return [
        deployment(gateway, "api", size, None),
        cluster_service("gateway", "gateway", http_port(gateway)),
        autoscaler("gateway", "gateway", "api", size.gateway_replicas),
        disruption_budget("gateway", "gateway", "api"),
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": metadata(PUBLIC_CONFIG, "config", "gateway"),
            "data": {"card-verify-base-url": "https://doanvien.example.vn/api/v1/public/cards/verify/"},
        },
    ]


def network_policies() -> list[dict[str, Any]]:
    def policy(name: str, selector: dict[str, str], sources: list[dict[str, Any]], ports: list[Any]) -> dict:
        return {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": {"name": name, "namespace": NAMESPACE, "labels": PART_OF},
            "spec": {
                "podSelector": {"matchLabels": selector},
                "policyTypes": ["Ingress"],
                "ingress": [{"from": sources, "ports": [{"port": port} for port in ports]}],
            },
        }

    monitoring = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": MONITORING_NAMESPACE}}}
    documents = [
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": {"name": "default-deny-ingress", "namespace": NAMESPACE, "labels": PART_OF},
            "spec": {"podSelector": {}, "policyTypes": ["Ingress"]},
        },
        # The gateway is the one process reachable from outside (through the cluster's ingress).
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": {"name": "gateway-from-anywhere", "namespace": NAMESPACE, "labels": PART_OF},
            "spec": {
                "podSelector": {"matchLabels": {"app.kubernetes.io/name": "gateway"}},
                "policyTypes": ["Ingress"],
                "ingress": [{"ports": [{"port": "http"}]}],
            },
        },
    ]
    for service in BACKENDS:
        documents.append(
            policy(
                f"{service.name}-api-from-gateway",
                {"app.kubernetes.io/name": f"{service.name}-api"},
                [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "gateway"}}}],
                ["http"],
            )
        )
    documents.append(
        policy("metrics-from-monitoring", {"app.kubernetes.io/part-of": "congdoan"}, [monitoring], ["http", "metrics"])
    )
    for cluster in sorted(set(DATABASE_CLUSTERS.values())):
        # A database accepts only its services (and its own instances and the operator, for replication and status).
        documents.append(
            policy(
                f"{cluster}-from-its-services",
                {"cnpg.io/cluster": cluster},
                [
                    {"podSelector": {"matchLabels": {"congdoan.vn/database": cluster}}},
                    {"podSelector": {"matchLabels": {"cnpg.io/cluster": cluster}}},
                    {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "cnpg-system"}}},
                ],
                [5432, 8000],
            )
        )
    return documents


def kafka_documents(size: Size) -> list[dict[str, Any]]:
    cluster_label = {"strimzi.io/cluster": KAFKA_CLUSTER}
    documents: list[dict[str, Any]] = [
        {
            "apiVersion": "kafka.strimzi.io/v1",
            "kind": "KafkaNodePool",
            "metadata": {"name": role, "namespace": NAMESPACE, "labels": cluster_label | PART_OF},
            "spec": {
                "replicas": 3 if role == "controller" else size.kafka_brokers,
                "roles": [role],
                "storage": {
                    "type": "jbod",
                    "volumes": [
                        {
                            "id": 0,
                            "type": "persistent-claim",
                            "kraftMetadata": "shared",
                            "deleteClaim": False,
                            "size": "10Gi" if role == "controller" else size.kafka_storage,
                        }
                    ],
                },
            },
        }
        for role in ("controller", "broker")
    ]
    documents.append(
        {
            "apiVersion": "kafka.strimzi.io/v1",
            "kind": "Kafka",
            "metadata": {"name": KAFKA_CLUSTER, "namespace": NAMESPACE, "labels": PART_OF},
            "spec": {
                "kafka": {
                    "version": "4.3.1",
                    "metadataVersion": "4.3-IV0",
                    "listeners": [
                        {
                            "name": "tls",
                            "port": 9093,
                            "type": "internal",
                            "tls": True,
                            "authentication": {"type": "scram-sha-512"},
                            "networkPolicyPeers": [
                                {"podSelector": {"matchLabels": {"congdoan.vn/kafka-client": "true"}}}
                            ],
                        }
                    ],
                    "authorization": {"type": "simple"},
                    "config": {
                        "default.replication.factor": 3,
                        "min.insync.replicas": 2,
                        "offsets.topic.replication.factor": 3,
                        "transaction.state.log.replication.factor": 3,
                        "transaction.state.log.min.isr": 2,
                        # A producer must never create a topic with the wrong partition count.
                        "auto.create.topics.enable": False,
                    },
                },
                "entityOperator": {"topicOperator": {}, "userOperator": {}},
                "kafkaExporter": {"topicRegex": ".*", "groupRegex": ".*"},  # consumer lag for the alerts
            },
        }
    )
    for topic in TOPICS:
        documents.append(
            {
                "apiVersion": "kafka.strimzi.io/v1",
                "kind": "KafkaTopic",
                "metadata": {
                    "name": topic.name.replace(".", "-").replace("_", "-"),
                    "namespace": NAMESPACE,
                    "labels": cluster_label | PART_OF,
                },
                "spec": {
                    "topicName": topic.name,
                    "partitions": topic.partitions,
                    "replicas": 3,
                    "config": {"min.insync.replicas": 2, "retention.ms": -1},
                },
            }
        )
    for topic_name in BANK_TOPICS.values():
        documents.append(
            {
                "apiVersion": "kafka.strimzi.io/v1",
                "kind": "KafkaTopic",
                "metadata": {
                    "name": topic_name.replace(".", "-").replace("_", "-"),
                    "namespace": NAMESPACE,
                    "labels": cluster_label | PART_OF,
                },
                # One partition: the bank reads its steps in the feed's order.
                "spec": {
                    "topicName": topic_name,
                    "partitions": 1,
                    "replicas": 3,
                    "config": {"min.insync.replicas": 2, "retention.ms": -1},
                },
            }
        )
    for service in BACKENDS:
        reads = topics_read(service)
        # A consumer parks what it cannot handle on the dead-letter topic.
        writes = topics_written(service) + ([DEADLETTER_TOPIC] if reads else [])
        documents.append(kafka_user(service.name, writes, reads, group=service.name if reads else None))
    documents.append(kafka_user("gateway", [], list(GATEWAY_TOPICS), group=None))
    for code, topic_name in BANK_TOPICS.items():
        documents.append(kafka_user(f"bank-{code.lower()}", [], [topic_name], group=f"bank-{code.lower()}"))
    return documents


def kafka_user(name: str, writes: list[str], reads: list[str], group: str | None) -> dict[str, Any]:
    """Least privilege: a service writes its own topics, reads what it consumes, and uses its own group."""

    def acl(kind: str, resource: str, operations: list[str]) -> dict[str, Any]:
        return {"resource": {"type": kind, "name": resource, "patternType": "literal"}, "operations": operations}

    acls = [acl("topic", topic, ["Describe", "Write"]) for topic in writes]
    acls += [acl("topic", topic, ["Describe", "Read"]) for topic in reads]
    if group:
        acls.append(acl("group", group, ["Read"]))
    # Idempotent producers need this on Kafka < 3.0 brokers only; stated for clients that ask for it.
    acls.append(acl("cluster", "kafka-cluster", ["IdempotentWrite"]))
    return {
        "apiVersion": "kafka.strimzi.io/v1",
        "kind": "KafkaUser",
        "metadata": {"name": name, "namespace": NAMESPACE, "labels": {"strimzi.io/cluster": KAFKA_CLUSTER} | PART_OF},
        "spec": {"authentication": {"type": "scram-sha-512"}, "authorization": {"type": "simple", "acls": acls}},
    }


def postgres_documents(size: Size) -> list[dict[str, Any]]:
    documents: list[dict[str, Any]] = []
    for cluster in sorted(set(DATABASE_CLUSTERS.values())):
        services = sorted(name for name, held_by in DATABASE_CLUSTERS.items() if held_by == cluster)
        documents.append(
            {
                "apiVersion": "postgresql.cnpg.io/v1",
                "kind": "Cluster",
                "metadata": {"name": cluster, "namespace": NAMESPACE, "labels": PART_OF},
                "spec": {
                    "instances": size.postgres_instances,
                    "imageName": "ghcr.io/cloudnative-pg/postgresql:17",
                    "primaryUpdateStrategy": "unsupervised",
                    "storage": {"size": size.postgres_storage[cluster]},
                    "walStorage": {"size": size.postgres_storage[cluster]},
                    "resources": {
                        "requests": {"memory": size.postgres_memory},
                        "limits": {"memory": size.postgres_memory},
                    },
                    "postgresql": {"parameters": postgresql_parameters(size)},
                    "managed": {
                        "roles": [
                            {
                                "name": f"{service}_app",
                                "ensure": "present",
                                "login": True,
                                "passwordSecret": {"name": f"{service}-database-role"},
                            }
                            for service in services
                        ]
                    },
                    # Continuous WAL archiving plus daily base backups: restore to any point in time (runbook).
                    "backup": {
                        "retentionPolicy": "30d",
                        "barmanObjectStore": {
                            "destinationPath": f"s3://congdoan-backups/{cluster}",
                            "endpointURL": "https://s3.example.vn",
                            "s3Credentials": {
                                "accessKeyId": {"name": "backup-s3", "key": "access-key-id"},
                                "secretAccessKey": {"name": "backup-s3", "key": "secret-access-key"},
                            },
                            "wal": {"compression": "gzip", "maxParallel": 4},
                            "data": {"compression": "gzip"},
                        },
                    },
                },
            }
        )
        documents.append(
            {
                "apiVersion": "postgresql.cnpg.io/v1",
                "kind": "ScheduledBackup",
                "metadata": {"name": f"{cluster}-daily", "namespace": NAMESPACE, "labels": PART_OF},
                "spec": {"schedule": "0 0 2 * * *", "backupOwnerReference": "self", "cluster": {"name": cluster}},
            }
        )
        documents += [
            {
                "apiVersion": "postgresql.cnpg.io/v1",
                "kind": "Database",
                "metadata": {"name": f"congdoan-{service}", "namespace": NAMESPACE, "labels": PART_OF},
                "spec": {
                    "name": f"congdoan_{service}",
                    "owner": f"{service}_app",
                    "cluster": {"name": cluster},
                    "databaseReclaimPolicy": "retain",
                },
            }
            for service in services
        ]
    return documents


# --- files ---------------------------------------------------------------------------------------------------

HEADER = (
    "# Rendered by `python -m localrun manifests` from the platform's tables (deploy/local/src/localrun/"
    "manifests.py); do not edit by hand.\n"
)


def render(size: Size) -> dict[str, str]:
    """File name -> content for one size, in the three steps of a release (deploy/production/README.md): the
    infrastructure (once, then when it changes), the migrations (each release, to completion), the processes."""
    steps: dict[str, dict[str, list[dict[str, Any]]]] = {
        "infra": {
            "namespace.yaml": [
                {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE, "labels": PART_OF}}
            ],
            "network-policies.yaml": network_policies(),
            "kafka.yaml": kafka_documents(size),
            "postgres.yaml": postgres_documents(size),
        },
        "migrate": {"jobs.yaml": [migration_job(service) for service in BACKENDS]},
        "apps": {
            "gateway.yaml": gateway_documents(size),
            **{f"{service.name}.yaml": backend_documents(service, size) for service in BACKENDS},
        },
    }
    rendered = {}
    for step, files in steps.items():
        rendered |= {f"{step}/{name}": dump(documents) for name, documents in files.items()}
        kustomization: dict[str, Any] = {
            "apiVersion": "kustomize.config.k8s.io/v1beta1",
            "kind": "Kustomization",
            "resources": sorted(files),
        }
        if step != "infra":
            kustomization["images"] = [{"name": IMAGE, "newName": f"registry.example.vn/{IMAGE}", "newTag": "0.1.0"}]
        rendered[f"{step}/kustomization.yaml"] = HEADER + yaml.safe_dump(kustomization, sort_keys=False)
    return rendered


def dump(documents: list[dict[str, Any]]) -> str:
    return HEADER + "---\n".join(yaml.safe_dump(document, sort_keys=False, width=120) for document in documents)


def rendered_files() -> dict[Path, str]:
    files = {OUTPUT / size.name / name: content for size in SIZES for name, content in render(size).items()}
    return files | dashboards.rendered_files()


def write() -> list[Path]:
    files = rendered_files()
    for path, content in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return sorted(files)


def stale() -> list[Path]:
    """Files that differ from a fresh render (or are missing, or are left over)."""
    files = rendered_files()
    present = {path for size in SIZES for path in (OUTPUT / size.name).rglob("*.yaml")}
    present |= set(dashboards.OUTPUT.glob("*.json"))
    return sorted(
        {path for path, content in files.items() if not path.exists() or path.read_text() != content}
        | (present - set(files))
    )
