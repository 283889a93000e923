#!/usr/bin/env python3
"""Checks that verdicts do not depend on layout, over whole corpora (by hand; the tests
check the texts in the repository the same way, in tests/layout.rs):

    scripts/layout-check.py [--bin target/release/forewarn] DIR...

Every .txt under each DIR is scanned as it is, with its body joined into one paragraph,
and with one sentence a line (the first line kept as the headline). Prints how many
documents change their warn topics (and their full topic levels) between layouts, and the
first few that do. Exit 1 when any does.
"""
import argparse, json, os, re, subprocess, sys, tempfile


def layouts(text):
    text = text.lstrip("\ufeff")
    head, _, body = text.partition("\n")
    paras = [" ".join(p.split()) for p in body.split("\n\n") if p.strip()]
    joined = " ".join(paras)
    sents, cur = [], []
    for w in joined.split():
        cur.append(w)
        if w.rstrip("\"')\u201d\u2019").endswith((".", "!", "?")):
            sents.append(" ".join(cur))
            cur = []
    if cur:
        sents.append(" ".join(cur))
    return {
        "paragraphs": head.strip() + "\n\n" + "\n\n".join(paras) + "\n",
        "one paragraph": head.strip() + "\n\n" + joined + "\n",
        "a sentence a line": head.strip() + "\n" + "\n".join(sents) + "\n",
    }


def verdicts(bin, root):
    out = subprocess.run([bin, "scan", "--format", "jsonl", "-q", "--region", "UK", root],
                         capture_output=True, text=True).stdout
    res = {}
    for line in out.splitlines():
        d = json.loads(line)
        res[os.path.relpath(d["path"], root)] = {t["id"]: t["level"] for t in d["topics"]}
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release/forewarn")
    ap.add_argument("dirs", nargs="+")
    a = ap.parse_args()
    files = []
    for d in a.dirs:
        for base, _, names in os.walk(d):
            files += [os.path.join(base, n) for n in names if n.endswith(".txt")]
    with tempfile.TemporaryDirectory() as tmp:
        roots = {}
        for name in ["paragraphs", "one paragraph", "a sentence a line"]:
            roots[name] = os.path.join(tmp, name.replace(" ", "-"))
        for i, f in enumerate(sorted(files)):
            for name, text in layouts(open(f, encoding="utf-8", errors="replace").read()).items():
                dest = os.path.join(roots[name], f"{i:06d}.txt")
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                open(dest, "w", encoding="utf-8").write(text)
        got = {name: verdicts(a.bin, root) for name, root in roots.items()}
    base = got["paragraphs"]
    warned = [k for k in base if any("warn" in (got[n].get(k) or {}).values() for n in got)]
    changed_warn = [k for k in base if len({tuple(sorted(t for t, l in got[n].get(k, {}).items() if l == "warn")) for n in got}) > 1]
    changed_any = [k for k in base if len({tuple(sorted(got[n].get(k, {}).items())) for n in got}) > 1]
    print(f"{len(base)} documents, {len(warned)} warned in some layout: "
          f"{len(changed_warn)} change their warn topics, {len(changed_any)} any topic's level")
    for k in changed_warn[:5]:
        print(" ", sorted(files)[int(k[:6])], {n: sorted(t for t, l in got[n].get(k, {}).items() if l == "warn") for n in got})
    sys.exit(1 if changed_warn else 0)


if __name__ == "__main__":
    main()
