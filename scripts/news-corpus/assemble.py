#!/usr/bin/env python3
"""Assembles eval/news/labels.csv and eval/news/second-rater.csv from the raters' files.

    scripts/news-corpus/assemble.py RATINGS_DIR POOL_DIR

RATINGS_DIR holds one CSV per rater batch (`*.r1.csv` first ratings, `*.r2.csv` second
ratings; columns id,topics,borderline,note). POOL_DIR is the corpus as `build.py` lays it
out (for the pages' and health stories' URLs). Writes the two files next to this script's
eval/news/ directory, sorted by id.
"""
import csv
import glob
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from outlet import outlet, split  # noqa: E402

ORDER = ["pregnancy-loss", "infertility", "abortion", "suicide", "self-harm", "eating-disorders",
         "sexual-violence", "child-abuse", "domestic-violence", "substance-use",
         "mental-health-crisis", "bereavement", "violence"]


def main(ratings, pool):
    here = os.path.dirname(os.path.abspath(__file__))
    out_dir = os.path.join(here, "..", "..", "eval", "news")
    urls = {}
    with open(os.path.join(out_dir, "sources.csv"), newline="") as f:
        for r in csv.DictReader(f):
            urls[r["path"]] = r["url"]

    def source_of(i):
        return i.split("/")[0]

    def outlet_of(i):
        return "cnn.com" if i.startswith("cnn/") else outlet(urls[i])

    def clean(topics):
        ts = [t.strip() for t in topics.split(";") if t.strip()]
        bad = [t for t in ts if t not in ORDER]
        if bad:
            raise SystemExit(f"unknown topic {bad}")
        return ";".join(sorted(set(ts), key=ORDER.index))

    for kind, name in (("r1", "labels.csv"), ("r2", "second-rater.csv")):
        rows = {}
        for path in sorted(glob.glob(os.path.join(ratings, f"*.{kind}.csv"))):
            with open(path, newline="") as f:
                for r in csv.DictReader(f):
                    if r["id"] in rows:
                        raise SystemExit(f"{r['id']} rated twice in {kind}")
                    rows[r["id"]] = r
        with open(os.path.join(out_dir, name), "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["path", "topics", "split", "source", "outlet", "borderline", "note"])
            for i in sorted(rows):
                r = rows[i]
                o = outlet_of(i)
                w.writerow([i, clean(r["topics"]), "dev" if i.startswith("cnn/") else split(o),
                            source_of(i), o, r.get("borderline", "0").strip() or "0",
                            " ".join(r.get("note", "").split())])
        print(f"{name}: {len(rows)} rows")


if __name__ == "__main__":
    main(*sys.argv[1:3])
