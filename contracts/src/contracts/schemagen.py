"""Generates the JSON Schema of every event into `contracts/schemas/`, and the AsyncAPI document of the bank-facing
channels into `contracts/asyncapi/`.

`python -m contracts.schemagen` writes them; `--check` fails when the committed
files are stale or when a change would break consumers of a published version
(the bank-facing messages of `cards.issuance.v1` included).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from contracts.asyncapi import bank_document
from contracts.compatibility import breaking_changes
from contracts.events import cards_issuance_v1
from contracts.topics import TOPICS

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"
ASYNCAPI_FILE = Path(__file__).resolve().parents[2] / "asyncapi" / "banks.json"


def generated_schemas() -> dict[str, dict]:
    schemas: dict[str, dict] = {}
    for topic in TOPICS:
        for event in topic.events:
            schema = event.model_json_schema()
            schema["$id"] = f"urn:congdoan:event:{topic.name}:{event.event_type}"
            schema["x-topic"] = topic.name
            schema["x-event-type"] = event.event_type
            schema["x-key"] = topic.key
            schemas[f"{topic.name}/{event.event_type}.json"] = schema
    # The bank-facing messages: not on a shared topic, but published all the same (webhooks, the pull feed).
    for message in cards_issuance_v1.MESSAGES:
        schema = message.model_json_schema()
        schema["$id"] = f"urn:congdoan:bank:{cards_issuance_v1.CHANNEL}:{message.event_type}"
        schema["x-channel"] = cards_issuance_v1.CHANNEL
        schema["x-event-type"] = message.event_type
        schemas[f"{cards_issuance_v1.CHANNEL}/{message.event_type}.json"] = schema
    return schemas


def render(schema: dict) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def problems(schema_dir: Path = SCHEMA_DIR) -> list[str]:
    found: list[str] = []
    for relative, schema in generated_schemas().items():
        committed = schema_dir / relative
        if not committed.exists():
            found.append(f"{relative}: not generated; run python -m contracts.schemagen")
            continue
        published = json.loads(committed.read_text())
        found += [f"{relative}: BREAKING {p}" for p in breaking_changes(published, schema)]
        if committed.read_text() != render(schema):
            found.append(f"{relative}: stale; run python -m contracts.schemagen")
    if not ASYNCAPI_FILE.exists() or ASYNCAPI_FILE.read_text() != render(bank_document()):
        found.append(f"{ASYNCAPI_FILE.name}: AsyncAPI document stale; run python -m contracts.schemagen")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail instead of writing")
    args = parser.parse_args()
    if args.check:
        found = problems()
        print("\n".join(found) or "contracts: schemas up to date and compatible")
        sys.exit(1 if found else 0)
    breaking = [p for p in problems() if "BREAKING" in p]
    if breaking:
        print("\n".join(breaking) + "\nA breaking change needs a new major version (a new topic).")
        sys.exit(1)
    for relative, schema in generated_schemas().items():
        target = SCHEMA_DIR / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render(schema))
    ASYNCAPI_FILE.parent.mkdir(parents=True, exist_ok=True)
    ASYNCAPI_FILE.write_text(render(bank_document()))
    print(f"wrote {len(generated_schemas())} schemas to {SCHEMA_DIR} and the AsyncAPI document to {ASYNCAPI_FILE}")


if __name__ == "__main__":
    main()
