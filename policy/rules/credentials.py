"""Credentials in configuration values, recognized by the value, not the name.

A value is a credential when it has a known token format (AWS access key ids, GitHub,
Slack, Stripe, Google, OpenAI, GitLab, npm, SendGrid tokens, JSON web tokens, private
keys), carries a password (``scheme://user:password@host``, ``Password=…;``), or is a long,
high-entropy string of mixed characters. A name ending in PASSWORD, SECRET, TOKEN or
API_KEY counts only with a literal value that could be one: configuration about a
credential (``SESSION_TOKEN_TTL=3600``, ``AUTH_TOKEN_HEADER=X-Auth-Token``, ``DB_SECRET_ARN``)
and configuration-shaped values (a URL, an ARN, a number) are not flagged.
"""

from __future__ import annotations

import math
import re
from collections import Counter

TOKEN_FORMATS = {
    "an AWS access key id": r"\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b",
    "a GitHub token": r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})",
    "a Slack token": r"\bxox[abposr]-[A-Za-z0-9-]{10,}|hooks\.slack\.com/services/T[A-Z0-9]+/",
    "a Stripe key": r"\b[rs]k_live_[A-Za-z0-9]{16,}",
    "a Google API key": r"\bAIza[0-9A-Za-z_-]{35}\b",
    "an OpenAI or Anthropic key": r"\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}",
    "a GitLab token": r"\bglpat-[A-Za-z0-9_-]{20,}",
    "an npm token": r"\bnpm_[A-Za-z0-9]{36}\b",
    "a SendGrid key": r"\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b",
    "a JSON web token": r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}",
    "a private key": r"-----BEGIN [A-Z ]*PRIVATE KEY",
    "a password in a URL": r"[a-z][a-z0-9+.-]*://[^:/@\s]*:(?![$%{])[^@/\s]+@",
    "a password in a connection string":
        r"(?i)(?:^|;)\s*(?:password|pwd|accountkey|sharedaccesskey)\s*=\s*(?![$%{])[^;\s]+",
    "a password in a JSON value": r'(?i)"(?:password|passwd|secret|client_secret|token|api_?key)"\s*:\s*"[^"$%{]{4,}"',
}
_FORMATS = [(what, re.compile(pattern)) for what, pattern in TOKEN_FORMATS.items()]
# Names whose last word says the value is a secret (DB_PASSWORD, CLIENT_SECRET, AUTH_TOKEN, SIGNING_KEY); a name
# that goes on (DB_SECRET_ARN, SESSION_TOKEN_TTL, API_KEY_HEADER) holds configuration about a secret.
SECRET_NAME = re.compile(r"(PASSWORD|PASSWD|PASSPHRASE|PWD|SECRET|TOKEN|CREDENTIALS?|"
                         r"(API|ACCESS|SECRET|PRIVATE|SIGNING|ENCRYPTION|MASTER|CLIENT)_?KEY)$", re.I)
# Names of values that are random-looking and public: keys that verify, certificates, hashes.
PUBLIC_NAME = re.compile(r"(PUBLIC_?KEY|CERT|CERTIFICATE|FINGERPRINT|HASH|SHA\d*|DIGEST|CHECKSUM|ETAG)S?$", re.I)
# Values that are configuration whatever the name: numbers, switches, durations, URLs, ARNs, paths, hosts, ids.
CONFIG_VALUE = re.compile(
    r"^(-?\d+(\.\d+)?|true|false|yes|no|on|off|enabled|disabled|\d+\s*[smhd]|(https?|wss?)://[^@\s]*|"
    r"arn:[^\s]+|/[^\s]*|"
    r"\{\{resolve:[^}]+\}\}|[a-z0-9-]+(\.[a-z0-9-]+)+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$",
    re.I)


def entropy(text: str) -> float:
    """Shannon entropy in bits per character."""
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def _classes(text: str) -> int:
    return sum(bool(re.search(pattern, text)) for pattern in (r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9]"))


def high_entropy(value: str) -> bool:
    """A random-looking credential: 20+ characters of base64's alphabet with upper and lower case and digits,
    and 4 bits of entropy per character (hex digests, UUIDs, lower-case names and ids do not qualify)."""
    return (len(value) >= 20 and re.fullmatch(r"[A-Za-z0-9+/=_-]+", value) is not None
            and all(re.search(c, value) for c in ("[a-z]", "[A-Z]", r"\d")) and entropy(value) >= 4.0)


def credential(name: str, value: object) -> str | None:
    """What kind of credential ``value`` is (named ``name``), or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    for what, pattern in _FORMATS:
        if pattern.search(value):
            return what
    if high_entropy(value) and not PUBLIC_NAME.search(name):
        return "a high-entropy value"
    if SECRET_NAME.search(name) and not CONFIG_VALUE.match(value.strip()) and len(value) >= 8 \
            and _classes(value) >= 2:
        return f"a literal value under a name that says it is secret ({name})"
    return None
