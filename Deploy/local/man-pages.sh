#!/usr/bin/env bash
# Regenerates the manual pages in Deploy/man from the executables' own help (swift-argument-parser's
# generate-manual plugin builds them in release mode first: a few minutes). Run it after changing a command's
# options or help; DeployTests fails while a page misses a command or option the executable has.
#   Deploy/local/man-pages.sh            then: man -l Deploy/man/jump-consumer.1
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
swift package --allow-writing-to-directory "$out" generate-manual --output-directory "$out" >&2
for tool in jump-producer jump-consumer jump-dev-broker; do
    # A blank line in a command's discussion separates paragraphs: mdoc's is .Pp (a blank input line is a warning).
    sed 's/^$/.Pp/' "$out/$tool.1" > "Deploy/man/$tool.1"
done
echo "Deploy/man: $(ls Deploy/man | tr '\n' ' ')"
