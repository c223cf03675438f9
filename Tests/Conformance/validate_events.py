#!/usr/bin/env python3
"""Validates JSON event files against Schemas/ with Python's jsonschema (an independent validator, format
checking on), for jump-relay's schema conformance test.

  validate_events.py SCHEMAS_DIR FILE...          prints one JSON object per file: {"file", "valid", "errors"}
  validate_events.py SCHEMAS_DIR --jsonl FILE     the same for each line of a JSON Lines file ("file" is the
                                                  line number; a line that is not JSON is reported as such)
  --schema URN before the files validates against another root schema than the event envelope
  (urn:jump:schema:notification-item:v1, urn:jump:schema:digest:v1).
"""
import glob
import copy
import decimal
import json
import os
import re
import sys

import jsonschema
from referencing import Registry, Resource

try:
    import rfc3339_validator  # noqa: F401  (without it, jsonschema does not check "date-time")
except ImportError:
    sys.exit("rfc3339-validator is not installed: date-time would go unchecked")


def registry(schemas_dir):
    resources = []
    for path in sorted(glob.glob(os.path.join(schemas_dir, "**", "*.schema.json"), recursive=True)):
        with open(path, encoding="utf-8") as handle:
            schema = json.load(handle)
        resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)


def format_checker(validator_class):
    """The dialect's format checker, with RFC 3339 leap seconds: rfc3339-validator refuses every :60, but RFC 3339
    section 5.7 allows it where the time in UTC is 23:59:60 (as the JSON Schema test suite expects)."""
    checker = copy.deepcopy(validator_class.FORMAT_CHECKER)
    standard = checker.checkers["date-time"][0]

    @checker.checks("date-time")
    def date_time(instance):
        if not isinstance(instance, str):
            return True
        leap = re.fullmatch(r"(.{17})60((?:\.\d+)?)([Zz]|([+-])(\d\d):(\d\d))", instance)
        if not leap:
            return standard(instance)
        if not standard(leap.group(1) + "59" + leap.group(2) + leap.group(3)):
            return False
        hour, minute = int(instance[11:13]), int(instance[14:16])
        offset = 0 if leap.group(4) is None else (1 if leap.group(4) == "+" else -1) * (
            int(leap.group(5)) * 60 + int(leap.group(6)))
        return (hour * 60 + minute - offset) % 1440 == 23 * 60 + 59

    return checker


def main():
    schemas_dir, files = sys.argv[1], sys.argv[2:]
    root = "urn:jump:schema:event:v1"
    if files[:1] == ["--schema"]:
        root, files = files[1], files[2:]
    jsonl = files[:1] == ["--jsonl"]
    schemas = registry(schemas_dir)
    envelope = schemas.contents(root)
    validator_class = jsonschema.validators.validator_for(envelope)
    validator_class.check_schema(envelope)
    # Numbers are read exactly (Decimal), as the Swift parser decides from the digits: 1.0 and 1E2 are integers,
    # 1e-400 and 99999999.99999999999999 are not, though a float would round them to whole numbers.
    checker = validator_class.TYPE_CHECKER.redefine(
        "integer",
        lambda _, instance: not isinstance(instance, bool) and (
            isinstance(instance, int)
            or (isinstance(instance, decimal.Decimal) and instance.is_finite()
                and instance == instance.to_integral_value())))
    validator_class = jsonschema.validators.extend(validator_class, type_checker=checker)
    # Schemas reached through $ref pick their class by their $schema: register the extended one for it.
    jsonschema.validators.validates(envelope["$schema"])(validator_class)
    validator = validator_class(envelope, registry=schemas, format_checker=format_checker(validator_class))
    if jsonl:
        with open(files[1], encoding="utf-8", errors="surrogateescape") as handle:
            documents = [(str(number), line) for number, line in enumerate(handle, start=1)]
    else:
        documents = []
        for path in files:
            with open(path, encoding="utf-8") as handle:
                documents.append((os.path.basename(path), handle.read()))
    for name, text in documents:
        try:
            instance = json.loads(text, parse_float=decimal.Decimal)
        except ValueError as error:
            print(json.dumps({"file": name, "valid": False, "notJSON": True, "errors": [{"path": "", "message": str(error)}]}))
            continue
        errors = sorted(validator.iter_errors(instance), key=lambda error: list(error.absolute_path))
        print(json.dumps({
            "file": name,
            "valid": not errors,
            "errors": [{"path": "".join(f"/{part}" for part in error.absolute_path), "message": error.message}
                       for error in errors],
        }, ensure_ascii=False))


if __name__ == "__main__":
    main()
