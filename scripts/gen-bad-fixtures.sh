#!/bin/sh
# Writes the bad inputs too large to commit into DIR (default: ./bad-fixtures), for trying
# forewarn on them by hand. tests/bad_input.rs generates the same kinds of file itself in
# its #[ignore]d tests:  cargo test --release --test bad_input -- --ignored
#
#   huge-single-line.txt        200 MB on one line, a stillbirth sentence every ~1 MB
#   dense-single-line.txt       4 MB on one line, terms in every sentence
#   million-lines.txt           1,000,000 tiny lines, ten of them with a term
#   million-matching-lines.txt  1,000,000 lines, each with a term
#   million-records.jsonl       a JSON Lines batch of 1,000,000 tiny records
#   deeply-nested.html          100,000 nested <div><span>
#   late-nul.txt                a NUL byte after the first 8 KiB
#
# Try, for example:
#   forewarn scan DIR/huge-single-line.txt                       # refused: over 64 MiB
#   forewarn scan --max-bytes 300000000 DIR/huge-single-line.txt
#   forewarn scan --input DIR/million-records.jsonl --format jsonl --quiet | wc -l
set -eu

dir=${1:-bad-fixtures}
mkdir -p "$dir"

filler='The council said the report on the new library would be ready in spring. '

# Repeats a string N times, to stdout, without holding it in memory.
repeat() {
    awk -v s="$1" -v n="$2" 'BEGIN { for (i = 0; i < n; i++) printf "%s", s }'
}

# 200 MB, one line: each unit is 14,000 filler sentences and one stillbirth sentence.
unit_file="$dir/.unit"
{ repeat "$filler" 14000; printf 'The family said their baby was stillborn. '; } > "$unit_file"
unit_size=$(wc -c < "$unit_file")
units=$((200000000 / unit_size))
: > "$dir/huge-single-line.txt"
i=0
while [ "$i" -lt "$units" ]; do
    cat "$unit_file" >> "$dir/huge-single-line.txt"
    i=$((i + 1))
done
rm -f "$unit_file"

repeat 'She had a miscarriage and later a stillbirth in the ward. ' 68965 > "$dir/dense-single-line.txt"

awk 'BEGIN {
    print "Headline about a library"
    for (i = 0; i < 1000000; i++) print (i % 100000 == 50000 ? "a stillbirth" : "ok")
}' > "$dir/million-lines.txt"

{ echo "Headline"; repeat 'She had a miscarriage.
' 1000000; } > "$dir/million-matching-lines.txt"

awk 'BEGIN {
    for (i = 0; i < 1000000; i++)
        printf "{\"id\":\"r%d\",\"text\":\"%s\"}\n", i, (i % 1000 == 0 ? "She had a miscarriage." : "ok")
}' > "$dir/million-records.jsonl"

{
    printf '<html><body><h1>Stillbirth research</h1>'
    repeat '<div><span>' 100000
    printf '<p>Parents whose babies were stillborn ask for stillbirth research.</p>'
    repeat '</span></div>' 100000
    printf '</body></html>\n'
} > "$dir/deeply-nested.html"

{
    printf 'Headline\n\n'
    repeat x 9000
    printf ' \000 She had a miscarriage and then a stillbirth.\n'
} > "$dir/late-nul.txt"

ls -l "$dir"
