#!/usr/bin/env bash
# Benchmarks the forewarn binary end to end; see scripts/README.md.
#
#   cargo build --release && scripts/bench.sh [CORPUS_DIR]
#
# CORPUS_DIR holds .txt articles (default ../shared/corpus/bbc, relative to the repository).
# Environment:
#   FOREWARN=path   binary to measure (default target/release/forewarn)
#   BENCH_MB=100    size of the directory corpus, in MB (10^6 bytes)
#   BIG_MB=1024     size of the JSONL file for the peak-RSS run, in MB
#   RUNS=3          timed runs per throughput measurement (after one warm-up; median kept)
#   BENCH_TMP=dir   where the temporary corpus goes (default: mktemp -d)
#   RG=path         ripgrep to compare with (default: rg on PATH, else installed into
#                   .bench-tools/ with `cargo install ripgrep`)
#   RG_I_SAMPLE_MB=1  size of the sample `rg -i -w` (case-insensitive) is timed on; 0 skips
#                   it. With ~20,000 literals that search runs at a few tens of KB/s, so it
#                   is not run on the whole corpus; the main rg figure is `rg -w -F` over an
#                   ASCII-lowercased copy (what forewarn itself searches), see README.
set -euo pipefail

die() { echo "bench.sh: $*" >&2; exit 2; }
log() { echo "== $*" >&2; }

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

DEFAULT_CORPUS="../shared/corpus/bbc"
CORPUS="${1:-}"
if [[ -z "$CORPUS" ]]; then
    [[ -d "$DEFAULT_CORPUS" ]] || die "no corpus given and $DEFAULT_CORPUS does not exist; usage: $0 CORPUS_DIR"
    CORPUS="$DEFAULT_CORPUS"
fi
[[ -d "$CORPUS" ]] || die "$CORPUS is not a directory"
CORPUS="$(cd "$CORPUS" && pwd)"

FOREWARN="${FOREWARN:-target/release/forewarn}"
[[ -x "$FOREWARN" ]] || die "$FOREWARN is not an executable; run 'cargo build --release' first (or set FOREWARN=path)"
FOREWARN="$(cd "$(dirname "$FOREWARN")" && pwd)/$(basename "$FOREWARN")"

BENCH_MB="${BENCH_MB:-100}"
BIG_MB="${BIG_MB:-1024}"
RUNS="${RUNS:-3}"
command -v python3 >/dev/null || die "python3 (3.11 or later, for tomllib) is needed"
python3 -c 'import tomllib' 2>/dev/null || die "python3 3.11 or later (tomllib) is needed"

# ---------------------------------------------------------------- ripgrep
RG="${RG:-}"
if [[ -z "$RG" ]]; then
    if command -v rg >/dev/null; then
        RG="$(command -v rg)"
    elif [[ -x "$ROOT/.bench-tools/bin/rg" ]]; then
        RG="$ROOT/.bench-tools/bin/rg"
    else
        log "rg not found: cargo install ripgrep --root $ROOT/.bench-tools"
        cargo install ripgrep --root "$ROOT/.bench-tools"
        RG="$ROOT/.bench-tools/bin/rg"
    fi
fi
[[ -x "$RG" ]] || die "ripgrep not usable at $RG"

# ---------------------------------------------------------------- temp dir
if [[ -n "${BENCH_TMP:-}" ]]; then
    mkdir -p "$BENCH_TMP"
    WORK="$(mktemp -d "$BENCH_TMP/forewarn-bench.XXXXXX")"
else
    WORK="$(mktemp -d "${TMPDIR:-/tmp}/forewarn-bench.XXXXXX")"
fi
cleanup() { rm -rf -- "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# Seconds (with decimals) since the epoch.
now() { date +%s.%N; }

# median_time CMD...: one warm-up run, then RUNS timed runs; prints the median in seconds.
# Output of CMD goes to /dev/null; its exit status must be 0 (or 1 for `rg -c`, see below).
median_time() {
    local times=() t0 t1 rc i
    for ((i = 0; i <= RUNS; i++)); do
        t0="$(now)"
        rc=0
        "$@" >/dev/null || rc=$?
        t1="$(now)"
        # rg exits 1 when nothing matched: not an error for a benchmark.
        if ((rc != 0)) && ! { [[ "$1" == "$RG" ]] && ((rc == 1)); }; then
            die "command failed with status $rc: $*"
        fi
        ((i == 0)) || times+=("$(python3 -c "print($t1 - $t0)")")
    done
    printf '%s\n' "${times[@]}" | python3 -c 'import sys, statistics; print(f"{statistics.median(float(l) for l in sys.stdin):.3f}")'
}

mbps() { python3 -c "v = $1 / 1e6 / $2; print(f'{v:.1f}' if v >= 10 else f'{v:.3g}')"; }

LOAD_AT_START="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"

# ---------------------------------------------------------------- inputs
mapfile -d '' TXT < <(cd "$CORPUS" && find . -type f -name '*.txt' -print0 | sort -z)
((${#TXT[@]} > 0)) || die "no .txt files under $CORPUS"
# (xargs: a large corpus would overflow one command line)
ONE_BYTES="$(cd "$CORPUS" && printf '%s\0' "${TXT[@]}" | xargs -0 cat -- | wc -c)"
COPIES="$(python3 -c "import math; print(max(1, math.ceil($BENCH_MB * 1e6 / $ONE_BYTES)))")"
log "corpus: ${#TXT[@]} .txt files, $ONE_BYTES bytes; $COPIES copies -> $WORK/corpus"

mkdir -p "$WORK/corpus/copy-0000"
(cd "$CORPUS" && printf '%s\0' "${TXT[@]}" | xargs -0 cp --parents -t "$WORK/corpus/copy-0000/" --)
for ((c = 1; c < COPIES; c++)); do
    cp -r "$WORK/corpus/copy-0000" "$WORK/corpus/$(printf 'copy-%04d' "$c")"
done
DIR_BYTES=$((ONE_BYTES * COPIES))
DIR_FILES=$((${#TXT[@]} * COPIES))

# The same files ASCII-lowercased (same byte lengths): ripgrep searches these case-
# sensitively, as forewarn searches its lowercased normalised text.
python3 - "$WORK/corpus/copy-0000" "$WORK/lower/copy-0000" <<'PY'
import pathlib, sys
src, dst = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
for f in src.rglob("*.txt"):
    out = dst / f.relative_to(src)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(f.read_bytes().lower())
PY
for ((c = 1; c < COPIES; c++)); do
    cp -r "$WORK/lower/copy-0000" "$WORK/lower/$(printf 'copy-%04d' "$c")"
done

# A small sample for the case-insensitive rg search: whole articles up to RG_I_SAMPLE_MB.
RG_I_SAMPLE_MB="${RG_I_SAMPLE_MB:-1}"
mkdir -p "$WORK/sample"
SAMPLE_LIMIT="$(python3 -c "print(int($RG_I_SAMPLE_MB * 1e6))")"
SAMPLE_BYTES=0
SAMPLE_FILES=0
for f in "${TXT[@]}"; do
    ((SAMPLE_BYTES < SAMPLE_LIMIT)) || break
    (cd "$CORPUS" && cp --parents -- "$f" "$WORK/sample/")
    SAMPLE_BYTES=$((SAMPLE_BYTES + $(wc -c <"$CORPUS/$f")))
    SAMPLE_FILES=$((SAMPLE_FILES + 1))
done

# forewarn's literal terms, expanded the way src/lexicon/expand.rs does: brace
# alternatives, then NFKC + lower case + straight quotes + single spaces, then every mix of
# space and hyphen at the joints of a term of up to three words (a longer phrase mixes only
# its written hyphens; only all-space / all-hyphen past 4 joints).
PATTERNS="$WORK/patterns.txt"
python3 - "$ROOT/lexicons/topics" "$PATTERNS" <<'PY'
import pathlib, re, sys, tomllib, unicodedata

topics, out = pathlib.Path(sys.argv[1]), sys.argv[2]
MIXED_JOINTS = 2
MAX_MIXED_JOINTS = 4
QUOTES = str.maketrans({c: "'" for c in "\u2018\u2019\u201a\u201b\u2032\u00b4\u02bc"}
                       | {c: '"' for c in "\u201c\u201d\u201e\u201f\u2033"}
                       | {c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"}
                       | {c: None for c in "\u00ad\u200b\u200c\u200d\u2060\ufeff\u180e"})

def braces(term):
    out = [""]
    for part in re.split(r"(\{[^{}]*\})", term):
        alts = part[1:-1].split(",") if part.startswith("{") else [part]
        out = [o + a for o in out for a in alts]
    return out

def normalize(s):
    s = unicodedata.normalize("NFKC", s).lower().translate(QUOTES)
    return " ".join(s.split())

def joints(term):
    js = [i for i, ch in enumerate(term) if ch in " -" and 0 < i < len(term) - 1
          and term[i - 1].isascii() and term[i - 1].isalnum()
          and term[i + 1].isascii() and term[i + 1].isalnum()]
    if len(js) > MIXED_JOINTS:
        js = [j for j in js if term[j] == "-"]
    if not js:
        return [term]
    def with_(hyphen):
        b = list(term)
        for n, j in enumerate(js):
            b[j] = "-" if hyphen(n) else " "
        return "".join(b)
    if len(js) > MAX_MIXED_JOINTS:
        return [term, with_(lambda n: False), with_(lambda n: True)]
    return [with_(lambda n, m=m: m & (1 << n)) for m in range(1 << len(js))]

literals = set()
for f in sorted(topics.glob("*.toml")):
    data = tomllib.loads(f.read_text(encoding="utf-8"))
    for group in data.get("cues", []) + data.get("exclusions", []):
        for term in group.get("terms", []):
            for alt in braces(term):
                n = normalize(alt)
                if n:
                    literals.update(joints(n))
with open(out, "w", encoding="utf-8") as fh:
    fh.writelines(l + "\n" for l in sorted(literals))
PY
N_PATTERNS="$(wc -l <"$PATTERNS")"
log "$N_PATTERNS literal terms from lexicons/topics/*.toml -> $PATTERNS"

# A 10 KB draft: the first articles of the corpus, cut at a line end after 10,240 bytes.
DRAFT="$WORK/draft.txt"
(cd "$CORPUS" && printf '%s\0' "${TXT[@]:0:200}" | xargs -0 cat --) | python3 -c '
import sys
data = sys.stdin.buffer.read()
cut = data.find(b"\n", 10240)
sys.stdout.buffer.write(data[: cut + 1 if cut >= 0 else len(data)])' >"$DRAFT"
DRAFT_BYTES="$(wc -c <"$DRAFT")"

# ---------------------------------------------------------------- (a) forewarn, (b) rg
log "timing: forewarn scan --format jsonl -q over $DIR_FILES files, $DIR_BYTES bytes ($RUNS runs)"
FW_S="$(median_time "$FOREWARN" scan --format jsonl -q "$WORK/corpus")"
FW_MBPS="$(mbps "$DIR_BYTES" "$FW_S")"
log "  ${FW_S}s, $FW_MBPS MB/s"

log "timing: rg -w -c -F -f patterns ($N_PATTERNS literals) over the lowercased copy ($RUNS runs)"
RG_S="$(median_time "$RG" -w -c -F -f "$PATTERNS" "$WORK/lower")"
RG_MBPS="$(mbps "$DIR_BYTES" "$RG_S")"
log "  ${RG_S}s, $RG_MBPS MB/s"
RATIO="$(python3 -c "print(f'{$FW_S / $RG_S:.2f}')")"

RGI="skipped (RG_I_SAMPLE_MB=0)"
if ((SAMPLE_BYTES > 0)); then
    log "timing: rg -i -w -c -F -f patterns over a $SAMPLE_BYTES-byte sample ($SAMPLE_FILES files, 1 run)"
    RGI_S="$(RUNS=1 median_time "$RG" -i -w -c -F -f "$PATTERNS" "$WORK/sample")"
    FWS_S="$(RUNS=1 median_time "$FOREWARN" scan --format jsonl -q "$WORK/sample")"
    RGI="$(mbps "$SAMPLE_BYTES" "$RGI_S") MB/s (${RGI_S}s); forewarn on it: $(mbps "$SAMPLE_BYTES" "$FWS_S") MB/s (${FWS_S}s)"
    log "  $RGI"
fi

# ---------------------------------------------------------------- start-up + 10 KB draft
log "timing: start-up + one ${DRAFT_BYTES}-byte draft"
if command -v hyperfine >/dev/null; then
    hyperfine -N --warmup 3 --runs 20 --export-json "$WORK/startup.json" \
        "$(printf '%q ' "$FOREWARN" scan --format jsonl -q "$DRAFT")" >&2
    STARTUP="$(python3 - "$WORK/startup.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
mean, sd = r["mean"] * 1000, r["stddev"] * 1000
print(f"{mean:.1f} ms ± {sd:.1f} (hyperfine, 20 runs)")
PY
    )"
else
    "$FOREWARN" scan --format jsonl -q "$DRAFT" >/dev/null
    t0="$(now)"
    for ((i = 0; i < 20; i++)); do
        "$FOREWARN" scan --format jsonl -q "$DRAFT" >/dev/null
    done
    t1="$(now)"
    STARTUP="$(python3 -c "print(f'{($t1 - $t0) / 20 * 1000:.1f} ms (mean of 20 runs)')")"
fi
log "  $STARTUP"

# ---------------------------------------------------------------- lexicon compile time
log "timing: cargo run --release --example startup (5 runs, median)"
COMPILE="n/a (examples/startup did not build or run)"
if cargo build --release --quiet --example startup &&
    (for ((i = 0; i < 5; i++)); do cargo run --release --quiet --example startup || exit 1; done) \
        >"$WORK/startup-example.txt"; then
    cat "$WORK/startup-example.txt" >&2
    # Median of every "<name> <duration>" the example prints (load, compile/matcher, ...).
    COMPILE="$(python3 - "$WORK/startup-example.txt" <<'PY'
import re, statistics, sys
UNITS = {"ns": 1e-6, "µs": 1e-3, "us": 1e-3, "ms": 1.0, "s": 1e3}
lines = [l.strip() for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
found = {}
for line in lines:
    for name, value, unit in re.findall(r"([A-Za-z]+)[ ~]+([\d.]+)(ns|µs|us|ms|s)\b", line):
        found.setdefault(name, []).append(float(value) * UNITS[unit])
counts = re.findall(r"\d+ (?:literals|patterns|regexes)", lines[-1]) if lines else []
if found:
    parts = [f"{k} {statistics.median(v):.1f} ms" for k, v in found.items()]
    print(", ".join(parts) + (f" ({', '.join(counts)})" if counts else "") + ", median of 5")
else:
    print(lines[-1] if lines else "no output")
PY
    )"
else
    echo "bench.sh: warning: examples/startup did not build or run; compile time not measured" >&2
fi

# ---------------------------------------------------------------- peak RSS over big JSONL
BIG="$WORK/big.jsonl"
log "writing a ${BIG_MB} MB JSONL file (fields id, text) from the corpus"
python3 - "$CORPUS" "$BIG" "$BIG_MB" "${TXT[@]}" <<'PY'
import json, pathlib, sys
corpus, out, mb, files = pathlib.Path(sys.argv[1]), sys.argv[2], float(sys.argv[3]), sys.argv[4:]
lines = [(f, corpus.joinpath(f).read_text(encoding="utf-8", errors="replace")) for f in files]
target, written, copy = mb * 1e6, 0, 0
with open(out, "w", encoding="utf-8") as fh:
    while written < target:
        for name, text in lines:
            line = json.dumps({"id": f"{copy}/{name[2:]}", "text": text}, ensure_ascii=False) + "\n"
            fh.write(line)
            written += len(line.encode("utf-8"))
        copy += 1
PY
BIG_BYTES="$(wc -c <"$BIG")"
BIG_DOCS="$(wc -l <"$BIG")"
log "timing + peak RSS: forewarn scan --input big.jsonl ($BIG_BYTES bytes, $BIG_DOCS records)"
t0="$(now)"
if [[ -x /usr/bin/time ]]; then
    /usr/bin/time -f %M -o "$WORK/rss.txt" \
        "$FOREWARN" scan --input "$BIG" --format jsonl -q >/dev/null
    RSS_KB="$(tail -n 1 "$WORK/rss.txt")"
else
    # No GNU time: ask the kernel for the child's peak RSS through Python.
    RSS_KB="$(python3 -c '
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' \
        "$FOREWARN" scan --input "$BIG" --format jsonl -q)"
fi
t1="$(now)"
BIG_S="$(python3 -c "print(f'{$t1 - $t0:.2f}')")"
BIG_MBPS="$(mbps "$BIG_BYTES" "$BIG_S")"
RSS_MB="$(python3 -c "print(f'{$RSS_KB / 1024:.1f}')")"

# ---------------------------------------------------------------- summary
CPU="$(nproc 2>/dev/null || echo '?') cores, load average at start $LOAD_AT_START"
FW_VERSION="$("$FOREWARN" --version 2>/dev/null || echo forewarn)"
RG_VERSION="$("$RG" --version | head -n 1)"
echo
echo "forewarn benchmark: $FW_VERSION vs $RG_VERSION, $CPU, MB = 10^6 bytes"
echo "corpus: $CORPUS x $COPIES = $DIR_FILES files, $DIR_BYTES bytes; $N_PATTERNS literal terms"
printf '%-50s %s\n' "measure" "result"
printf '%-50s %s\n' "--------------------------------------------------" "------------------------------"
printf '%-50s %s\n' "forewarn scan --format jsonl (dir)" "$FW_MBPS MB/s (${FW_S}s, median of $RUNS)"
printf '%-50s %s\n' "rg -w -c -F -f terms (lowercased dir)" "$RG_MBPS MB/s (${RG_S}s, median of $RUNS)"
printf '%-50s %s\n' "ratio (rg MB/s / forewarn MB/s)" "${RATIO}x (forewarn takes ${RATIO} times rg's time)"
printf '%-50s %s\n' "rg -i -w -c -F -f terms ($SAMPLE_BYTES-byte sample)" "$RGI"
printf '%-50s %s\n' "start-up + ${DRAFT_BYTES}-byte draft" "$STARTUP"
printf '%-50s %s\n' "lexicon load + compile (examples/startup)" "$COMPILE"
printf '%-50s %s\n' "scan --input big.jsonl ($BIG_DOCS records)" "$BIG_MBPS MB/s (${BIG_S}s, $BIG_BYTES bytes)"
printf '%-50s %s\n' "peak RSS, scan --input big.jsonl" "$RSS_MB MiB ($RSS_KB KB)"
