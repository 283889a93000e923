"""The outlet (registrable domain) of a URL, and the corpus split it belongs to.

The split is by outlet, so that no outlet's house style is both tuned on and scored:
an outlet is held out when the first byte of the SHA-1 of its name is below 0x50
(about 31% of outlets). CNN articles (the ../shared/corpus/cnn-dailymail folder, which
carries no URLs) are the outlet cnn.com.
"""
import hashlib
import re
import urllib.parse

SECOND_LEVEL = {"co", "com", "org", "net", "gov", "ac", "edu", "nhs", "ltd", "plc", "sch", "govt", "mil"}


def outlet(url: str) -> str:
    """cnn.com for https://edition.cnn.com/..., bbc.co.uk for https://www.bbc.co.uk/..."""
    host = urllib.parse.urlparse(url).netloc.lower().split("@")[-1].split(":")[0]
    if host == "web.archive.org":
        m = re.search(r"web\.archive\.org/web/\d+[a-z_]*/(?:https?://)?([^/:]+)", url)
        host = m.group(1).lower() if m else host
    labels = [l for l in host.split(".") if l]
    if len(labels) >= 3 and labels[-2] in SECOND_LEVEL and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def split(outlet_name: str) -> str:
    """`holdout` or `dev`."""
    return "holdout" if hashlib.sha1(outlet_name.encode()).digest()[0] < 0x50 else "dev"
