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
check unknown-env 2 -- env NIGHTJAR_CORPUS_URL=x "$NJ" refresh --corpus "jsonl:$T/good.jsonl" --store "dir:$T/s"
grep -q "NIGHTJAR_CORPUS_URL" "$T/err" || { echo "FAIL unknown env variable not named"; fail=1; }
: > "$T/a-file"
check store-is-a-file 2 -- "$NJ" export --store "dir:$T/a-file" --lexicon spelling

# A corpus too small for phrases or expansions still publishes a version readers can use.
check refresh-small 0 -- "$NJ" refresh --corpus "jsonl:$T/good.jsonl" --store "dir:$T/small" \
  --rejects-dir "$T/rej" --quiet --set spelling.min_frequency=1
check export-empty-phrases 0 -- "$NJ" export --store "dir:$T/small" --lexicon phrases
check lookup-small 0 -- "$NJ" lookup --store "dir:$T/small" "serch"
# Invalid UTF-8 on stdin still gives valid UTF-8 JSON.
printf '\xff\xfe\xc3abc serch\n' > "$T/binary-q"
check lookup-binary-stdin 0 -- sh -c "\"$NJ\" lookup --store dir:$T/small --json < $T/binary-q"
python3 -c 'import json,sys; json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))' "$T/out" ||
  { echo "FAIL lookup --json of invalid UTF-8 is not UTF-8 JSON: $(cat "$T/out")"; fail=1; }
# The summary labels the count stage's rate and the whole run's.
check refresh-rates 0 -- "$NJ" refresh --corpus "jsonl:$T/good.jsonl" --store "dir:$T/small" \
  --rejects-dir "$T/rej" --quiet --set spelling.min_frequency=1
grep -q "count stage .* MB/s), whole run .* MB/s)" "$T/out" || { echo "FAIL rates: $(cat "$T/out")"; fail=1; }
# A password in the store URI is never printed (the connection fails on a closed port).
check redis-password 1 -- "$NJ" refresh --corpus "jsonl:$T/good.jsonl" \
  --store "redis://user:hunter2@127.0.0.1:1/0" --quiet --json
grep -q hunter2 "$T/out" "$T/err" && { echo "FAIL password printed: $(cat "$T/err")"; fail=1; }

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

# Version lifecycle: two more runs, list, diff, rollback, activate, show, audit, prune.
V1=$(head -1 "$T/lx/CURRENT")
check refresh-2 0 -- "$NJ" refresh --corpus "jsonl:$T/lex.jsonl" --store "dir:$T/lx" --quiet
V2=$(head -1 "$T/lx/CURRENT")
[ "$V2" = "$V1.2" ] || { echo "FAIL second same-day version is $V2"; fail=1; }
check versions-list 0 -- "$NJ" versions list --store "dir:$T/lx"
grep -q "^\* $V2 *active" "$T/out" && grep -q "^p $V1 *retired" "$T/out" ||
  { echo "FAIL versions list: $(cat "$T/out")"; fail=1; }
check versions-diff 0 -- "$NJ" versions diff "$V1" "$V2" --store "dir:$T/lx" --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["words_added"]["count"]==0, d' \
  "$T/out" || { echo "FAIL diff of identical corpora: $(cat "$T/out")"; fail=1; }
check versions-rollback 0 -- "$NJ" versions rollback --store "dir:$T/lx"
[ "$(head -1 "$T/lx/CURRENT")" = "$V1" ] || { echo "FAIL rollback did not switch"; fail=1; }
check versions-activate 0 -- "$NJ" versions activate "$V2" --store "dir:$T/lx"
check versions-activate-missing 1 -- "$NJ" versions activate v1.19990101 --store "dir:$T/lx"
check versions-show 0 -- "$NJ" versions show --store "dir:$T/lx"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["status"]["state"] == "active" and d["status"]["activated_by"].startswith("cli@"), d["status"]
assert d["manifest"]["validation"]["passed"] is True
assert {g["name"] for g in d["manifest"]["validation"]["gates"]} >= {"schema", "canaries", "top_overlap"}
' "$T/out" || { echo "FAIL versions show"; fail=1; }
check versions-audit 0 -- "$NJ" versions audit --store "dir:$T/lx"
[ "$(wc -l < "$T/out")" -eq 4 ] || { echo "FAIL audit: $(cat "$T/out")"; fail=1; }
check gate-canary 3 -- "$NJ" refresh --corpus "jsonl:$T/lex.jsonl" --store "dir:$T/lx" --quiet \
  --set validation.canary_words=search,zebra
grep -q "gate canaries: missing from spelling: zebra" "$T/err" || { echo "FAIL gate message: $(cat "$T/err")"; fail=1; }
[ "$(head -1 "$T/lx/CURRENT")" = "$V2" ] || { echo "FAIL a rejected run switched versions"; fail=1; }
check gate-force 0 -- "$NJ" refresh --corpus "jsonl:$T/lex.jsonl" --store "dir:$T/lx" --quiet \
  --set validation.canary_words=zebra --force
V4=$(head -1 "$T/lx/CURRENT")
check prune-dry 0 -- "$NJ" versions prune --dry-run --store "dir:$T/lx" --set retention.days=0 --json
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["deleted"] == [sys.argv[2], sys.argv[3]], d  # V1 and the rejected run; not V2 nor V4
' "$T/out" "$V1" "$V1.3" || { echo "FAIL prune dry run: $(cat "$T/out")"; fail=1; }
check prune 0 -- "$NJ" versions prune --store "dir:$T/lx" --set retention.days=0
check versions-after-prune 0 -- "$NJ" versions list --store "dir:$T/lx" --json
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert [v["version"] for v in d["versions"]] == [sys.argv[2], sys.argv[3]], d
' "$T/out" "$V2" "$V4" || { echo "FAIL prune kept: $(cat "$T/out")"; fail=1; }

# Interchange formats.
check export-solr 0 -- "$NJ" export --store "dir:$T/lx" --lexicon expansions --format solr-synonyms
grep -qx "ml => ml, machine learning.*" "$T/out" || { echo "FAIL solr rule: $(head -3 "$T/out")"; fail=1; }
check export-es 0 -- "$NJ" export --store "dir:$T/lx" --lexicon expansions --format es-synonyms
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert any(r["synonyms"].startswith("ml => ml, machine learning") for r in d["synonyms_set"]), d
' "$T/out" || { echo "FAIL es synonyms: $(head -c 300 "$T/out")"; fail=1; }
check export-solr-wrong-lexicon 2 -- "$NJ" export --store "dir:$T/lx" --lexicon spelling --format solr-synonyms

# serve: start on a free port, query, stop with SIGTERM.
"$NJ" serve --store "dir:$T/lx" --listen 127.0.0.1:0 >"$T/serve.out" 2>"$T/serve.err" &
SERVE=$!
for _ in $(seq 100); do grep -q "^serving" "$T/serve.out" 2>/dev/null && break; sleep 0.05; done
ADDR=$(sed -n 's/^serving .* on //p' "$T/serve.out")
python3 - "$ADDR" "$V4" <<'PY' || { echo "FAIL serve answers"; fail=1; }
import json, sys, urllib.request
addr, version = sys.argv[1], sys.argv[2]
d = json.load(urllib.request.urlopen(addr + "/v1/correct?q=serch%20engines"))
assert d["version"] == version and d["corrected"] == "search engines", d
assert json.load(urllib.request.urlopen(addr + "/v1/version"))["version"] == version
assert urllib.request.urlopen(addr + "/healthz").read() == b"ok\n"
PY
kill -TERM "$SERVE"; wait "$SERVE" && echo "ok   serve" || { echo "FAIL serve exit"; fail=1; }

# Incremental state: a first run adds, a second finds nothing changed and publishes nothing,
# --full and --reconcile need a state, a second holder is refused while one runs.
check state-first 0 -- "$NJ" refresh --corpus "jsonl:$T/lex.jsonl" --store "dir:$T/st" --state auto --quiet
grep -q "added" "$T/out" || { echo "FAIL state first run: $(cat "$T/out")"; fail=1; }
[ -d "$T/st/state" ] || { echo "FAIL state auto is not inside the dir store"; fail=1; }
check state-unchanged 0 -- "$NJ" refresh --corpus "jsonl:$T/lex.jsonl" --store "dir:$T/st" --state auto --quiet --json
grep -q '"unchanged_since":"v1\.' "$T/out" || { echo "FAIL state unchanged: $(cat "$T/out")"; fail=1; }
check state-full-needs-state 2 -- "$NJ" refresh --corpus "jsonl:$T/lex.jsonl" --store "dir:$T/st" --full
check state-reconcile-needs-state 2 -- "$NJ" refresh --corpus "jsonl:$T/lex.jsonl" --store "dir:$T/st" --reconcile
check state-full 0 -- "$NJ" refresh --corpus "jsonl:$T/lex.jsonl" --store "dir:$T/st" --state auto --full --quiet
grep -q "added" "$T/out" || { echo "FAIL state --full: $(cat "$T/out")"; fail=1; }

# The same job against Redis: scripts/test's server, or one started here.
REDIS_BASE=${NIGHTJAR_TEST_REDIS_URL:-}
if [ -z "$REDIS_BASE" ]; then
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  redis-server --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$T" >/dev/null &
  OWN_REDIS=$!
  for _ in $(seq 50); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  REDIS_BASE="redis://127.0.0.1:$PORT"
fi
R="$REDIS_BASE/0?namespace=cli$$"
check redis-refresh 0 -- "$NJ" refresh --corpus "jsonl:$T/lex.jsonl" --store "$R" --quiet
check redis-export 0 -- "$NJ" export --store "$R" --lexicon acronyms
grep -q '"short_form":"ML"' "$T/out" || { echo "FAIL redis export"; fail=1; }
check redis-lookup 0 -- "$NJ" lookup --store "$R" --json "serch"
grep -q '"corrected":"search"' "$T/out" || { echo "FAIL redis lookup: $(cat "$T/out")"; fail=1; }
check redis-list 0 -- "$NJ" versions list --store "$R"
grep -q "active" "$T/out" || { echo "FAIL redis versions list"; fail=1; }
check redis-bad-uri 2 -- "$NJ" versions list --store "redis://h?colour=red"
[ -n "${OWN_REDIS:-}" ] && kill "$OWN_REDIS"

[ "$fail" -eq 0 ] && echo "cli_binary_test: all passed"
exit "$fail"
