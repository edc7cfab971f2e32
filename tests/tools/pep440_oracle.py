"""Test oracle for aigate's PEP 440 ordering (tests/unit/test_version_oracle.c).

Reads lines "A<TAB>B" and prints, for each, "VA VB CMP NORM_A": whether
each side is a valid version for packaging.version.Version (1/0), their
comparison (-1/0/1, or 2 when one is invalid) and A's normalized form
("-" when invalid). Run with Debian's python3 and python3-packaging.
"""
import sys

from packaging.version import InvalidVersion, Version


def parse(s):
    try:
        return Version(s)
    except InvalidVersion:
        return None


for line in sys.stdin.buffer.read().decode("ascii").split("\n"):
    if not line:
        continue
    a, b = line.split("\t")
    va, vb = parse(a), parse(b)
    c = 2
    if va is not None and vb is not None:
        c = (va > vb) - (va < vb)
    print(int(va is not None), int(vb is not None), c, str(va) if va else "-")
