#!/usr/bin/env bash
# Runs the built nightjar binary end to end: exit codes, --json summary, export, config errors.
set -uo pipefail
NJ=${1:?usage: cli_binary_test.sh PATH_TO_NIGHTJAR}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
check() {  # check NAME WANT_RC -- command...
  local name=$1 want=$2
  shift 3
  "$@" >"$T/out" 2>"$T/err"
  local rc=$?
  if [ "$rc" -ne "$want" ]; then
    echo "FAIL $name: exit $rc, want $want"; sed 's/^/  | /' "$T/err" | head -5; fail=1
  else
    echo "ok   $name"
  fi
}

printf '%s\n' '{"id":"1","title":"Search","body":"search engines search"}' \
  '{"id":"2","body":"engines rank pages"}' > "$T/good.jsonl"
printf '%s\n' '{"id":"1","body":"one"}' '{broken' > "$T/bad.jsonl"

check refresh-json 0 -- "$NJ" refresh --corpus "jsonl:$T/good.jsonl" --store "dir:$T/s" \
  --rejects-dir "$T/rej" --quiet --json --set spelling.min_frequency=1
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["corpus"]["documents"]==2, d' \
  "$T/out" || { echo "FAIL json summary"; fail=1; }
V=$(head -1 "$T/s/CURRENT")

check export-spelling 0 -- "$NJ" export --store "dir:$T/s" --lexicon spelling
head -1 "$T/out" | grep -q "\"word\":\"search\",\"frequency\":3,\"doc_frequency\":1,\"variants\":\[\],\"version\":\"$V\"" ||
  { echo "FAIL export record: $(head -1 "$T/out")"; fail=1; }
check export-version 0 -- "$NJ" export --store "dir:$T/s" --version "$V" --lexicon ngrams
check export-unknown-lexicon 2 -- "$NJ" export --store "dir:$T/s" --lexicon nope
check export-missing-version 1 -- "$NJ" export --store "dir:$T/s" --version v1.19990101 --lexicon spelling

check reject-gate 3 -- "$NJ" refresh --corpus "jsonl:$T/bad.jsonl" --store "dir:$T/s" \
  --rejects-dir "$T/rej" --quiet
grep -q "nothing published" "$T/err" || { echo "FAIL reject-gate message"; fail=1; }
[ "$(head -1 "$T/s/CURRENT")" = "$V" ] || { echo "FAIL current changed after a failed run"; fail=1; }

check unknown-setting 2 -- "$NJ" refresh --corpus "jsonl:$T/good.jsonl" --store "dir:$T/s" --set count.nope=1
grep -q "count.nope" "$T/err" || { echo "FAIL config error does not name the field"; fail=1; }
printf '[count]\nthreads = "x"\n' > "$T/bad.toml"
check bad-config-file 2 -- "$NJ" refresh --config "$T/bad.toml" --corpus "jsonl:$T/good.jsonl"
grep -q "count.threads" "$T/err" || { echo "FAIL config file error does not name the field"; fail=1; }
NIGHTJAR_COUNT_NGRAM_MAX=99 check bad-env 2 -- env NIGHTJAR_COUNT_NGRAM_MAX=99 "$NJ" refresh --corpus "jsonl:$T/good.jsonl"
grep -q "NIGHTJAR_COUNT_NGRAM_MAX" "$T/err" || { echo "FAIL env error does not name the variable"; fail=1; }
check missing-corpus 2 -- "$NJ" refresh --corpus "jsonl:$T/none.jsonl" --store "dir:$T/s"
check no-subcommand 2 -- "$NJ"

# Lexicons end to end on a small corpus with a known acronym, phrase and typo.
python3 - "$T/lex.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(60):
        body = ("We study machine learning (ML) for web search. Search engines rank web pages. "
                "Machine learning helps search engines rank pages for every query.")
        if i == 7:
            body = body.replace("web search.", "web serch.")
        f.write(json.dumps({"id": str(i), "body": body}) + "\n")
PY
check refresh-lexicons 0 -- "$NJ" refresh --corpus "jsonl:$T/lex.jsonl" --store "dir:$T/lx" --quiet
for lex in spelling corrections related expansions ngrams phrases acronyms; do
  check "export-$lex" 0 -- "$NJ" export --store "dir:$T/lx" --lexicon "$lex"
  [ -s "$T/out" ] || { echo "FAIL $lex: no records"; fail=1; }
done
"$NJ" export --store "dir:$T/lx" --lexicon acronyms | grep -q '"short_form":"ML","long_form":"machine learning"' \
  || { echo "FAIL acronym ML not mined"; fail=1; }
"$NJ" export --store "dir:$T/lx" --lexicon phrases | grep -q '"phrase":"machine learning"' \
  || { echo "FAIL phrase not mined"; fail=1; }
check export-symspell 0 -- "$NJ" export --store "dir:$T/lx" --lexicon spelling --format symspell
grep -qx "search [0-9]*" "$T/out" || { echo "FAIL symspell line"; fail=1; }
check export-symspell-wrong-lexicon 2 -- "$NJ" export --store "dir:$T/lx" --lexicon related --format symspell
check lookup-json 0 -- "$NJ" lookup --store "dir:$T/lx" --json "serch ML"
python3 -c '
import json, sys
d = json.loads(open(sys.argv[1]).readline())
assert d["corrected"] == "search ml", d
ml = [t for t in d["terms"] if t["term"] == "ml"][0]
assert ml["expansions"][0]["term"] == "machine learning", ml
' "$T/out" || { echo "FAIL lookup answer: $(cat "$T/out")"; fail=1; }
printf 'rank pagse\nengines\n' > "$T/q"
check lookup-stdin 0 -- sh -c "\"$NJ\" lookup --store dir:$T/lx --json < $T/q"
[ "$(wc -l < "$T/out")" -eq 2 ] || { echo "FAIL lookup stdin: one answer per line"; fail=1; }
check lookup-no-store 1 -- "$NJ" lookup --store "dir:$T/empty" x

[ "$fail" -eq 0 ] && echo "cli_binary_test: all passed"
exit "$fail"
