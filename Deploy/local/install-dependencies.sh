#!/usr/bin/env bash
# Installs what jump-relay needs on a Debian or Ubuntu machine. Uses sudo when not root. Safe to run again: it
# installs only what is missing. The Swift toolchain (6.2 or newer) must already be on PATH.
#
#   install-dependencies.sh          what the main job needs (the quick start): librdkafka, kcat, SQLite
#   install-dependencies.sh --tests  that and what the tests need besides: the independent Kafka clients and the
#                                    schema validator from PyPI, a headless browser for the console, an SMTP
#                                    client, systemd and docker-compose for the deployment checks
set -euo pipefail

MAIN_PACKAGES=(librdkafka-dev kcat libsqlite3-dev pkg-config)
TEST_PACKAGES=(python3-pip msmtp curl openssl prometheus systemd docker-compose time chromium chromium-driver python3-selenium)
PIP_PACKAGES=("kafka-python==2.0.2" "confluent-kafka" "jsonschema" "rfc3339-validator" "aiosmtpd" "kubernetes-validate" "dockerfile-parse"
    "cloudevents" "requests" "openapi-spec-validator")

case "${1:-}" in
    "") packages=("${MAIN_PACKAGES[@]}"); tests=false ;;
    --tests) packages=("${MAIN_PACKAGES[@]}" "${TEST_PACKAGES[@]}"); tests=true ;;
    *) echo "install-dependencies: unknown argument '$1' (none for the main job, --tests for the tests)" >&2; exit 64 ;;
esac

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "install-dependencies: apt-get install ${missing[*]}" >&2
    sudo_if_needed apt-get update -qq
    sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if $tests && { ! python3 -c 'import kafka, confluent_kafka, jsonschema, rfc3339_validator, aiosmtpd, kubernetes_validate, dockerfile_parse, cloudevents, requests, openapi_spec_validator' 2>/dev/null \
    || [ "$(python3 -c 'import kafka; print(kafka.__version__)')" != "2.0.2" ]; }; then
    echo "install-dependencies: pip install ${PIP_PACKAGES[*]}" >&2
    # A Debian-managed Python refuses plain pip installs (PEP 668); a user or pyenv Python accepts them.
    python3 -m pip install -q "${PIP_PACKAGES[@]}" 2>/dev/null \
        || python3 -m pip install -q --break-system-packages "${PIP_PACKAGES[@]}"
fi

if ! command -v swift >/dev/null; then
    echo "install-dependencies: no 'swift' on PATH; install a Swift 6.2+ toolchain from swift.org first" >&2
    exit 1
fi
