#!/usr/bin/env python3
"""Writes tests/fixtures/signing/vectors.json: signatures computed by independent implementations.

Standard Webhooks signatures come from the `standardwebhooks` package on PyPI (the specification's
own Python library); hmac-sha256 signatures from Python's standard `hmac` module. The Rust tests
read the JSON, so Python is only needed to regenerate:

    pip install standardwebhooks
    python3 scripts/gen-signing-vectors.py > tests/fixtures/signing/vectors.json
"""

import hashlib
import hmac
import json
import sys
from datetime import datetime, timezone
from importlib.metadata import version

from standardwebhooks.webhooks import Webhook

# Bodies that tend to break signatures: each is signed byte for byte as UTF-8.
BODIES = [
    ("compact-json", '{"event":"app.deploy","target":"checkout-api","ok":true}'),
    ("pretty-json", '{\n  "event": "app.deploy",\n  "target": "checkout-api",\n  "ok": true\n}'),
    ("unicode", '{"app":"café ☕ 日本語 🚀","user":"zoë@example.com"}'),
    ("line-separators", '{"text":"a\u2028b\u2029c"}'),
    ("html-chars-raw", '{"html":"<b>a & b</b>"}'),
    ("html-chars-go-escaped", '{"html":"\\u003cb\\u003ea \\u0026 b\\u003c/b\\u003e"}'),
    ("empty", ""),
    ("whitespace-only", " \t\n  \r\n"),
    ("trailing-newline", '{"ok":true}\n'),
    ("slashes-plain", '{"url":"https://hooks.example.com/a/b"}'),
    ("slashes-escaped", '{"url":"https:\\/\\/hooks.example.com\\/a\\/b"}'),
    ("crlf", "line one\r\nline two\r\n"),
    ("form", 'payload={"text": "[app.deploy]: app checkout-api"}'),
    ("dots-in-body", "msg_x.1614265330.{}"),
]

SECRETS = [
    "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
]

HMAC_SECRETS = ["s3cret", "a longer secret with spaces & ünïcode"]


def main() -> None:
    standard = []
    for secret in SECRETS:
        webhook = Webhook(secret)
        for i, (name, body) in enumerate(BODIES):
            msg_id = f"msg_vector{i:02d}"
            timestamp = 1614265330 + i * 1000
            when = datetime.fromtimestamp(timestamp, tz=timezone.utc)
            standard.append(
                {
                    "name": name,
                    "secret": secret,
                    "id": msg_id,
                    "timestamp": timestamp,
                    "body": body,
                    "signature": webhook.sign(msg_id, when, body),
                }
            )
    plain = []
    for secret in HMAC_SECRETS:
        for name, body in BODIES:
            digest = hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()
            plain.append({"name": name, "secret": secret, "body": body, "hex": digest})
    out = {
        "generator": "scripts/gen-signing-vectors.py",
        "standardwebhooks_version": version("standardwebhooks"),
        "standard_webhooks": standard,
        "hmac_sha256": plain,
    }
    json.dump(out, sys.stdout, indent=2, ensure_ascii=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
