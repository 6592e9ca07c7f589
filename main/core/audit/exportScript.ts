// The script every export package carries (verify.py): checks every link and every signed head with
// python3 (standard library only) and the openssl command line, without SecureDesk. docs/audit.md
// explains the format it checks. Kept here as text so the package is written the same way by the
// app and the CLI; it must not contain a backtick or a dollar-brace.
export const VERIFY_SCRIPT = String.raw`#!/usr/bin/env python3
"""Checks a SecureDesk audit export package without SecureDesk.

Usage: python3 verify.py [PACKAGE_DIR] [--CAfile CA.pem]

Needs python3 (standard library) and the openssl command line. Checks every signed head
(heads/*.txt with heads/*.p7s, signer certificate in certificates/) with
  openssl cms -verify -binary -inform DER -content HEAD.txt -in HEAD.p7s -certfile CERT.pem -nointern -noverify
(or -CAfile CA.pem instead of -noverify), then every entry of entries.jsonl: its seq follows the
previous one, it chains to the previous entry's hash, and at the seq of each head the hash is the one
the head states. Exit status 0 when all verifies; 1 with the first broken line named.
"""
import base64
import hashlib
import json
import os
import re
import subprocess
import sys

GENESIS = "0" * 64
HEAD_RE = re.compile(rb"SecureDesk audit head v1\nworkstation: (\S+)\nseq: (\d+)\nhash: ([0-9a-f]{64})\ntime: (\S+)\nsigner: ([0-9a-f]{64})\n")


def fail(message):
    print("BROKEN: " + message)
    sys.exit(1)


def pem_der(path):
    lines = [l.strip() for l in open(path, encoding="ascii").read().splitlines()]
    return base64.b64decode("".join(l for l in lines if l and not l.startswith("-----")))


def check_heads(root, cafile):
    heads = {}
    head_dir = os.path.join(root, "heads")
    names = sorted(n for n in os.listdir(head_dir) if n.endswith(".txt")) if os.path.isdir(head_dir) else []
    for name in names:
        txt = os.path.join(head_dir, name)
        p7s = txt[:-4] + ".p7s"
        m = HEAD_RE.fullmatch(open(txt, "rb").read())
        if not m:
            fail("heads/%s: not a head statement" % name)
        seq, digest, signer = int(m.group(2)), m.group(3).decode(), m.group(5).decode()
        cert = os.path.join(root, "certificates", signer + ".pem")
        if not os.path.exists(cert):
            fail("heads/%s: signed by %s, which is not among the bound certificates" % (name, signer))
        if hashlib.sha256(pem_der(cert)).hexdigest() != signer:
            fail("certificates/%s.pem: not the certificate of that fingerprint" % signer)
        if not os.path.exists(p7s):
            fail("heads/%s: its signature %s is missing" % (name, os.path.basename(p7s)))
        cmd = ["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-content", txt, "-in", p7s,
               "-certfile", cert, "-nointern", "-out", os.devnull]
        cmd += ["-CAfile", cafile, "-purpose", "any"] if cafile else ["-noverify"]
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if r.returncode != 0:
            err = r.stderr.decode("utf-8", "replace").strip().splitlines()
            fail("heads/%s: the signature does not verify (%s)" % (name, err[0] if err else "openssl failed"))
        heads.setdefault(seq, []).append((name, digest))
    return heads


def v1_hash(e):
    parts = [e["prev"], e["at"], "" if e["actor"] is None else str(e["actor"]), e["action"],
             e["entity"] or "", "" if e["entityId"] is None else str(e["entityId"]), e["details"]]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def check_entries(root, heads):
    expected = None
    prev = None
    line_no = 0
    with open(os.path.join(root, "entries.jsonl"), "rb") as f:
        for raw in f:
            line_no += 1
            if not raw.endswith(b"\n"):
                fail("line %d: truncated" % line_no)
            line = raw[:-1]
            try:
                e = json.loads(line.decode("utf-8"))
                seq, v, e_prev = e["seq"], e["v"], e["prev"]
            except (ValueError, KeyError, TypeError):
                fail("line %d: not a readable entry (changed)" % line_no)
            if expected is None:
                expected, prev = seq, e_prev
                if seq == 1 and e_prev != GENESIS:
                    fail("line 1: the first entry does not start the chain")
            if seq != expected:
                if seq > expected:
                    fail("line %d: seq %d where %d was expected: entry %d is missing (deleted)" % (line_no, seq, expected, expected))
                fail("line %d: seq %d where %d was expected (reordered)" % (line_no, seq, expected))
            if e_prev != prev:
                fail("line %d: entry seq %d was changed (its hash is not the one line %d chains to)" % (line_no - 1, seq - 1, line_no))
            if v == 2:
                digest = hashlib.sha256(prev.encode("ascii") + line).hexdigest()
            elif v == 1:
                digest = v1_hash(e)
                if digest != e["hash"]:
                    fail("line %d: entry seq %d was changed (v1 hash)" % (line_no, seq))
            else:
                fail("line %d: unknown entry version %r" % (line_no, v))
            for name, stated in heads.get(seq, []):
                if stated != digest:
                    fail("line %d: entry seq %d does not match the signed head heads/%s (changed)" % (line_no, seq, name))
            prev = digest
            expected = seq + 1
    if expected is None:
        fail("entries.jsonl: no entries")
    beyond = [s for s in heads if s >= expected]
    if beyond:
        fail("line %d: entries after seq %d are missing (head at seq %d)" % (line_no + 1, expected - 1, min(beyond)))
    return line_no, expected - 1


def main(argv):
    root, cafile = None, None
    i = 0
    while i < len(argv):
        if argv[i] == "--CAfile" and i + 1 < len(argv):
            cafile = argv[i + 1]
            i += 2
        elif root is None:
            root = argv[i]
            i += 1
        else:
            print(__doc__)
            return 2
    root = root or os.path.dirname(os.path.abspath(__file__))
    heads = check_heads(root, cafile)
    count, last = check_entries(root, heads)
    signed = sum(len(v) for v in heads.values())
    print("OK: %d entries (through seq %d), %d signed heads verified" % (count, last, signed))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
`;
