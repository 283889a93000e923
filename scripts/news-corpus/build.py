#!/usr/bin/env python3
"""Rebuilds the news corpus the labels in eval/news/ refer to, into one folder:

    scripts/news-corpus/build.py OUT [--fakehealth DIR] [--pages DIR]

* cnn/         from ../shared/corpus/cnn-dailymail/ (copied as they are);
* fakehealth/  from a checkout of https://github.com/EnyanDai/FakeHealth (commit
               ec9379de8f8f13af8c436dd6dd9bfaddacd2df30): each HealthStory JSON becomes its
               title, a blank line, and its text's paragraphs separated by blank lines;
* pages/       the web pages were saved from the search tool's stored copies and may not
               be redistributed; their addresses are in eval/news/sources.csv. Pass --pages
               with a folder holding them (as `A-001.txt` …) to include them.

The texts are not in the repository (their licences do not allow it). Every file the
labels name is checked: the script says how many it built and which are missing.
"""
import argparse
import csv
import json
import os
import re
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))


def fakehealth_text(path):
    d = json.load(open(path, encoding="utf-8"))
    title = (d.get("title") or "").strip()
    paras = [p.strip() for p in re.split(r"\n\s*\n", (d.get("text") or "").strip()) if p.strip()]
    return title + "\n\n" + "\n\n".join(paras) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--shared", default=os.path.join(REPO, "..", "shared", "corpus"))
    ap.add_argument("--fakehealth", help="a checkout of EnyanDai/FakeHealth")
    ap.add_argument("--pages", help="a folder holding the saved pages")
    a = ap.parse_args()
    wanted = [r["path"] for r in csv.DictReader(open(os.path.join(REPO, "eval/news/labels.csv")))]
    built, missing = 0, []
    for rel in wanted:
        source, name = rel.split("/", 1)
        dest = os.path.join(a.out, rel)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        if source == "cnn":
            src = os.path.join(a.shared, "cnn-dailymail", name)
            if os.path.exists(src):
                shutil.copyfile(src, dest)
                built += 1
                continue
        elif source == "fakehealth" and a.fakehealth:
            src = os.path.join(a.fakehealth, "dataset/content/HealthStory", name[:-4] + ".json")
            if os.path.exists(src):
                open(dest, "w", encoding="utf-8").write(fakehealth_text(src))
                built += 1
                continue
        elif source == "pages" and a.pages:
            src = os.path.join(a.pages, name)
            if os.path.exists(src):
                shutil.copyfile(src, dest)
                built += 1
                continue
        missing.append(rel)
    print(f"{built} of {len(wanted)} texts built in {a.out}")
    by_source = {}
    for m in missing:
        by_source.setdefault(m.split("/")[0], []).append(m)
    for s, ms in sorted(by_source.items()):
        print(f"missing {len(ms)} from {s}/ (see the options above)", file=sys.stderr)


if __name__ == "__main__":
    main()
