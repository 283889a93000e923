#!/usr/bin/env bash
# Cross-validated precision and recall of one topic on the development sets, with a lexicon
# file under edit loaded over the embedded defaults, and every mistake listed:
#
#   scripts/topic-dev.sh TOPIC [TOPIC_FILE]
#
# TOPIC_FILE defaults to lexicons/topics/TOPIC.toml (so an edit there is measured without
# rebuilding). The development sets are the news corpus (split dev; built into
# $NEWS_CORPUS, default target/news-corpus, by scripts/news-corpus/build.py), the BBC labels
# (../shared/corpus/bbc) and eval/extra. The held-out split is never read.
set -euo pipefail
cd "$(dirname "$0")/.."
topic=${1:?usage: scripts/topic-dev.sh TOPIC [TOPIC_FILE]}
file=${2:-lexicons/topics/$topic.toml}
bin=${FOREWARN:-target/release/forewarn}
news=${NEWS_CORPUS:-target/news-corpus}
bbc=${BBC_CORPUS:-../shared/corpus/bbc}
"$bin" lexicons test "$file" | tail -n 1
"$bin" train -q --lexicons "$file" --split dev --errors \
  "eval/news/labels.csv=$news" "eval/bbc-labels.csv=$bbc" eval/extra-labels.csv=eval/extra \
  2>&1 >/dev/null | grep -E "^(topic |overall|$topic |F[NP] $topic )" | sed "s|$news/||; s|$bbc/|bbc/|"
