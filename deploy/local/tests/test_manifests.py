"""The production manifests: committed as rendered, valid for Kubernetes and its operators, and in step with the
code (topics with the registry, environment with the settings classes). Each check is also shown to catch the
mistake it exists for."""

from __future__ import annotations

import copy

import pytest
from contracts.topics import TOPICS
from localrun import manifest_checks, manifests

SIZES = [size.name for size in manifests.SIZES]


@pytest.fixture(scope="module", params=SIZES)
def documents(request):
    return manifest_checks.load(manifests.OUTPUT / request.param)


def test_the_committed_manifests_are_what_the_tables_render():
    assert manifests.stale() == []


def test_every_document_is_valid_and_in_step_with_the_code(documents):
    assert manifest_checks.problems(documents) == []


def test_every_process_of_every_service_runs_with_probes_and_limits(documents):
    deployments = {d["metadata"]["name"]: d for d in documents if d["kind"] == "Deployment"}
    jobs = {d["metadata"]["name"] for d in documents if d["kind"] == "Job"}
    for service in manifests.BACKENDS:
        assert {f"{service.name}-api", f"{service.name}-relay"} <= set(deployments)
    assert {"gateway", "reporting-consume", "members-consume", "orgtree-consume"} <= set(deployments)
    assert jobs == {f"{service.name}-migrate" for service in manifests.BACKENDS}
    for deployment in deployments.values():
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
        assert container["livenessProbe"]["httpGet"]["path"] == "/health"
        assert container["resources"]["limits"]["memory"]


def test_reporting_consumers_scale_out_no_further_than_their_partitions(documents):
    scaler = next(
        d for d in documents if d["kind"] == "HorizontalPodAutoscaler" and d["metadata"]["name"] == "reporting-consume"
    )
    members_topic = next(topic for topic in TOPICS if topic.name == "members.member.v1")
    assert scaler["spec"]["maxReplicas"] == members_topic.partitions


def test_each_service_may_write_only_its_own_topics(documents):
    users = {d["metadata"]["name"]: d["spec"]["authorization"]["acls"] for d in documents if d["kind"] == "KafkaUser"}
    writes = {
        name: {acl["resource"]["name"] for acl in acls if "Write" in acl["operations"]} for name, acls in users.items()
    }
    assert writes["members"] == {
        "members.member.v1",
        "members.bank_identity.v1",
        "members.photo.v1",
        "platform.deadletter.v1",
    }
    assert writes["gateway"] == set()
    reads = {
        name: {acl["resource"]["name"] for acl in acls if "Read" in acl["operations"]} for name, acls in users.items()
    }
    assert reads["gateway"] == {"identity.user.v1", "orgtree.unit.v1"}
    # Consented members' ID numbers reach cards alone; a bank reads its own topic alone, which cards writes.
    assert {name for name, topics in reads.items() if "members.bank_identity.v1" in topics} == {"cards"}
    # Members' photos, likewise: only cards draws them.
    assert {name for name, topics in reads.items() if "members.photo.v1" in topics} == {"cards"}
    assert "cards.issuance.ctg.v1" in writes["cards"] and writes["bank-ctg"] == set()
    assert reads["bank-ctg"] == {"cards.issuance.ctg.v1", "bank-ctg"}


def test_a_database_accepts_only_its_own_services(documents):
    policies = {d["metadata"]["name"]: d for d in documents if d["kind"] == "NetworkPolicy"}
    peers = policies["pg-members-from-its-services"]["spec"]["ingress"][0]["from"]
    assert {"congdoan.vn/database": "pg-members"} in [peer.get("podSelector", {}).get("matchLabels") for peer in peers]
    pods = {
        d["metadata"]["name"]: d["spec"]["template"]["metadata"]["labels"]
        for d in documents
        if d["kind"] == "Deployment"
    }
    assert pods["members-api"]["congdoan.vn/database"] == "pg-members"
    assert pods["cards-api"]["congdoan.vn/database"] == "pg-core"
    assert "congdoan.vn/database" not in pods["gateway"]


def _tampered(documents, change):
    copied = copy.deepcopy(documents)
    for document in copied:
        change(document)
    return manifest_checks.problems(copied)


def test_a_topic_with_other_partitions_than_the_registry_is_caught(documents):
    def fewer_partitions(document):
        if document["kind"] == "KafkaTopic" and document["spec"]["topicName"] == "members.member.v1":
            document["spec"]["partitions"] = 6

    assert _tampered(documents, fewer_partitions) == ["topic members.member.v1: 6 partitions, the registry says 12"]


def test_a_missing_or_misspelt_or_plain_secret_is_caught(documents):
    def break_members_api(document):
        if document["kind"] == "Deployment" and document["metadata"]["name"] == "members-api":
            env = document["spec"]["template"]["spec"]["containers"][0]["env"]
            env[:] = [variable for variable in env if variable["name"] != "MEMBERS_DATABASE_URL"]
            for variable in env:
                if variable["name"] == "MEMBERS_INTERNAL_TOKEN_SECRET":
                    variable.pop("valueFrom")
                    variable["value"] = "written-into-the-manifest"
            env.append({"name": "MEMBERS_PHOTO_DIRECTORY", "value": "/photos"})

    assert sorted(_tampered(documents, break_members_api)) == sorted(
        [
            "Deployment members-api: MEMBERS_INTERNAL_TOKEN_SECRET is a secret given as a plain value; "
            "reference a Secret",
            "Deployment members-api: MEMBERS_PHOTO_DIRECTORY is not a setting of MembersSettings",
            "Deployment members-api: MEMBERS_DATABASE_URL is missing",
        ]
    )


def test_a_field_kubernetes_or_an_operator_does_not_know_is_caught(documents):
    def misspell(document):
        if document["kind"] == "Deployment" and document["metadata"]["name"] == "gateway":
            document["spec"]["replica"] = 2
        if document["kind"] == "Cluster" and document["metadata"]["name"] == "pg-members":
            document["spec"]["postgresql"]["paramters"] = {}

    found = _tampered(documents, misspell)
    assert len(found) == 2
    assert found[0].startswith("Deployment gateway:") and "replica" in found[0]
    assert found[1].startswith("Cluster pg-members:") and "paramters" in found[1]
