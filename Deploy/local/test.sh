#!/usr/bin/env bash
# The README's test command: installs what is missing, builds everything with warnings as errors (set in
# Package.swift), checks formatting, and runs every test (unit, integration against the in-process mock
# cluster, and interoperability with kcat and kafka-python against a jump-dev-broker process).
set -euo pipefail
cd "$(dirname "$0")/../.."

Deploy/local/install-dependencies.sh
swift build --build-tests
swift format lint --strict --recursive Sources Tests Benchmarks Package.swift
swift test --skip-build --disable-xctest
