#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# .ci/check-potfiles.sh: po/POTFILES.in must list every file in src/, ui/ and
# data/ that carries translatable strings, and every file it lists must exist.
#
#   src/**/*.{c,h}   uses _(), N_(), C_(), NC_(), Q_() or a *gettext() call
#   ui/**/*.ui       (and src/**/*.ui) has translatable="yes"
#   data/**          desktop entries with Name/GenericName/Comment/Keywords,
#                    metainfo files, GSettings schemas with a summary or
#                    description
#
# Files listed in po/POTFILES.skip (if it exists) are exempt. Prints what is
# wrong and exits 1; no network, no build needed. Run from anywhere:
#
#   bash .ci/check-potfiles.sh

set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
export LC_ALL=C

potfiles=po/POTFILES.in
skipfile=po/POTFILES.skip

[ -f "$potfiles" ] || { echo "error: $potfiles not found" >&2; exit 1; }

# Entries of a POTFILES-style list: no comments, no "[type: …]" prefixes,
# no surrounding blanks, no empty lines.
entries() {
  [ -f "$1" ] || return 0
  sed -e '/^[[:space:]]*#/d' \
      -e 's/^[[:space:]]*\[[^]]*\][[:space:]]*//' \
      -e 's/^[[:space:]]*//' \
      -e 's/[[:space:]]*$//' \
      -e '/^$/d' \
      "$1"
}

# grep -l over the files find(1) selects; no match is not an error.
find_grep() {
  local pattern="$1"
  shift
  find "$@" -type f -print0 2>/dev/null |
    xargs -0 -r grep -lE -- "$pattern" 2>/dev/null || true
}

candidates() {
  local gettext_call='(^|[^[:alnum:]_])(_|N_|C_|NC_|Q_|[[:lower:]_]*gettext2?)[[:space:]]*\('
  local translatable_attr='translatable="([Yy][Ee][Ss]|[Tt][Rr][Uu][Ee]|1)"'

  if [ -d src ]; then
    find_grep "$gettext_call" src \( -name '*.c' -o -name '*.h' \)
    find_grep "$translatable_attr" src -name '*.ui'
  fi

  if [ -d ui ]; then
    find_grep "$translatable_attr" ui -name '*.ui'
  fi

  if [ -d data ]; then
    find_grep '^(Name|GenericName|Comment|Keywords)=' \
      data \( -name '*.desktop' -o -name '*.desktop.in' -o -name '*.desktop.in.in' \)
    find_grep '<(name|summary|description|caption)([[:space:]/>]|$)' \
      data \( -name '*.metainfo.xml*' -o -name '*.appdata.xml*' \)
    find_grep '<(summary|description)([[:space:]/>]|$)' \
      data -name '*.gschema.xml*'
  fi
}

listed="$(entries "$potfiles" | sort -u)"
skipped="$(entries "$skipfile" | sort -u)"
wanted="$(candidates | sed 's|^\./||' | sort -u)"

# Wanted files that are neither listed nor skipped.
missing="$(comm -23 <(printf '%s\n' "$wanted" | sed '/^$/d') \
                    <(printf '%s\n%s\n' "$listed" "$skipped" | sed '/^$/d' | sort -u))"

# Listed files that are not there.
absent=""
while IFS= read -r f; do
  [ -n "$f" ] || continue
  [ -f "$f" ] || absent="$absent$f"$'\n'
done <<< "$listed"

status=0

if [ -n "$missing" ]; then
  echo "These files have translatable strings but are missing from $potfiles:" >&2
  printf '%s\n' "$missing" | sed 's/^/  /' >&2
  status=1
fi

if [ -n "$absent" ]; then
  [ "$status" -eq 0 ] || echo >&2
  echo "These files are listed in $potfiles but do not exist:" >&2
  printf '%s' "$absent" | sed 's/^/  /' >&2
  status=1
fi

# Advisory only: house style keeps the list sorted (LC_ALL=C sort).
if ! entries "$potfiles" | sort -c 2>/dev/null; then
  echo "note: $potfiles is not sorted; expected order:" >&2
  entries "$potfiles" | sort | sed 's/^/  /' >&2
fi
if [ -n "$(entries "$potfiles" | sort | uniq -d)" ]; then
  echo "note: $potfiles lists some files twice:" >&2
  entries "$potfiles" | sort | uniq -d | sed 's/^/  /' >&2
fi

if [ "$status" -eq 0 ]; then
  echo "$potfiles: $(printf '%s\n' "$listed" | sed '/^$/d' | wc -l | tr -d ' ') files listed, none missing"
fi

exit "$status"
