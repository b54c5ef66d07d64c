#!/usr/bin/env bash
# Seeds fuzz/corpus/<target>/ from the shared Hub crawl and the project's own rules, at run
# time: the crawl's cards are not the project's to commit, so the corpus is never committed.
# Usage: fuzz/seed.sh [MIRROR]   (default ../shared/data/hub-mirror beside the project)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
mirror="${1:-$root/../shared/data/hub-mirror}"
corpus="$here/corpus"
[ -d "$mirror" ] || { echo "seed.sh: no mirror at $mirror" >&2; exit 1; }
mkdir -p "$corpus"/{card,licence_expression,rules,config,snapshot_line}

# Cards, as they are.
find "$mirror" -name README.md -size -256k | while read -r card; do
  cp "$card" "$corpus/card/$(sha1sum "$card" | cut -c1-16)"
done
# Licence values and names from the cards' front matter, and the catalogue's own ids.
find "$mirror" -name README.md -size -256k -exec sed -n 's/^\(license\|license_name\): *//p' {} + |
  sort -u | while IFS= read -r value; do
    printf '%s' "$value" > "$corpus/licence_expression/$(printf '%s' "$value" | sha1sum | cut -c1-16)"
  done
for file in "$root"/rules/licenses/*.yml; do
  basename "$file" .yml | tr -d '\n' > "$corpus/licence_expression/id-$(basename "$file" .yml)"
  cp "$file" "$corpus/rules/"
done
cp "$root/rules/findings.yml" "$corpus/rules/"
cp "$root/examples/pedigree.yml" "$corpus/config/"
# Snapshot lines: the mirror as a snapshot, one line per seed.
snapshot="$(mktemp --suffix=.jsonl)"
trap 'rm -f "$snapshot"' EXIT
(cd "$root" && cargo run -q -- snapshot "$mirror" -o "$snapshot")
split -l 1 -a 5 "$snapshot" "$corpus/snapshot_line/line-"
for target in card licence_expression rules config snapshot_line; do
  echo "$target: $(ls "$corpus/$target" | wc -l) seeds"
done
