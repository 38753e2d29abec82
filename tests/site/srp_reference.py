"""Independent reference for Cognito's USER_SRP_AUTH client maths.

Written from the published algorithm (amazon-cognito-identity-js
AuthenticationHelper / pycognito aws_srp.py) using only the standard library,
so the browser implementation in site/js/srp.js can be checked against it.

It also plays the *server* side of SRP-6a (verifier v = g^x, B = k*v + g^b,
S = (A * v^u)^b) to show that the client-side derivation agrees with what a
server holding the verifier computes -- a check that doesn't depend on either
implementation being right about the client formula.

Usage: python srp_reference.py > fixtures/srp_vectors.json
"""

import base64
import hashlib
import hmac
import json
import sys
from datetime import datetime, timezone

N_HEX = (
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
    "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
    "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05"
    "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB"
    "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718"
    "3995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33"
    "A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864"
    "D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2"
    "08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
)
N = int(N_HEX, 16)
G = 2
INFO = b"Caldera Derived Key"
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun",
          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def long_to_hex(n):
    return "%x" % n


def pad_hex(value):
    """Cognito hashes big integers as *signed* big-endian bytes: odd-length hex
    gets a leading 0, and a leading high nibble gets 00 so it stays positive."""
    h = value if isinstance(value, str) else long_to_hex(value)
    if len(h) % 2 == 1:
        return "0" + h
    if h[0].lower() in "89abcdef":
        return "00" + h
    return h


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


def hex_hash(hex_str):
    return sha256_hex(bytes.fromhex(hex_str))


K = int(hex_hash(pad_hex(N) + pad_hex(G)), 16)


def calc_u(big_a, big_b):
    return int(hex_hash(pad_hex(big_a) + pad_hex(big_b)), 16)


def calc_x(pool_name, user_id, password, salt_hex):
    inner = sha256_hex(f"{pool_name}{user_id}:{password}".encode("utf-8"))
    return int(hex_hash(pad_hex(salt_hex) + inner), 16)


def hkdf16(ikm, salt):
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    return hmac.new(prk, INFO + b"\x01", hashlib.sha256).digest()[:16]


def timestamp(dt):
    # Day of month is *not* zero padded; Cognito rejects "Mar 05".
    return "%s %s %d %02d:%02d:%02d UTC %d" % (
        DAYS[dt.weekday()], MONTHS[dt.month - 1], dt.day,
        dt.hour, dt.minute, dt.second, dt.year)


def det_bytes(seed, n):
    out = b""
    counter = 0
    while len(out) < n:
        out += hashlib.sha512(f"{seed}:{counter}".encode()).digest()
        counter += 1
    return out[:n]


def vector(name, pool_id, user_id, password, salt_hex, when):
    pool_name = pool_id.split("_", 1)[1]
    random_a = det_bytes(name + ":a", 128)
    small_a = int.from_bytes(random_a, "big") % N
    big_a = pow(G, small_a, N)

    # Server side: verifier from the password, random b, B = k*v + g^b.
    x = calc_x(pool_name, user_id, password, salt_hex)
    v = pow(G, x, N)
    small_b = int.from_bytes(det_bytes(name + ":b", 128), "big") % N
    big_b = (K * v + pow(G, small_b, N)) % N

    u = calc_u(big_a, big_b)
    # Python's pow reduces a negative base correctly.
    s_client = pow(big_b - K * v, small_a + u * x, N)
    s_server = pow(big_a * pow(v, u, N), small_b, N)
    assert s_client == s_server, "client and server disagree on S"

    key = hkdf16(bytes.fromhex(pad_hex(s_client)), bytes.fromhex(pad_hex(u)))
    secret_block = base64.b64encode(det_bytes(name + ":secret", 301)).decode()
    ts = timestamp(when)
    msg = (pool_name.encode() + user_id.encode()
           + base64.b64decode(secret_block) + ts.encode())
    signature = base64.b64encode(hmac.new(key, msg, hashlib.sha256).digest()).decode()
    return {
        "name": name,
        "poolId": pool_id,
        "userIdForSrp": user_id,
        "password": password,
        "saltHex": salt_hex,
        "randomAHex": random_a.hex(),
        "smallAHex": long_to_hex(small_a),
        "srpAHex": long_to_hex(big_a),
        "srpBHex": long_to_hex(big_b),
        "uHex": long_to_hex(u),
        "xHex": long_to_hex(x),
        "sHex": long_to_hex(s_client),
        "hkdfHex": key.hex(),
        "secretBlock": secret_block,
        "nowIso": when.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "timestamp": ts,
        "signature": signature,
    }


def main():
    utc = timezone.utc
    vectors = [
        vector("basic", "us-east-1_Abc123", "6f1c2a3b-0000-4d5e-8f90-123456789abc",
               "Correct-Horse-1", "8f3a9c7d5e1b2a4c6d8e0f1a2b3c4d5e",
               datetime(2024, 3, 5, 7, 8, 9, tzinfo=utc)),
        vector("odd-salt-unicode", "eu-west-2_ZZ9plural", "user-with-ümlaut",
               "pässwörd-✓-Ω", "abc", datetime(2023, 12, 31, 23, 59, 59, tzinfo=utc)),
        vector("low-salt", "ap-southeast-2_x", "admin", "p", "0102030405",
               datetime(2025, 1, 1, 0, 0, 0, tzinfo=utc)),
        vector("leap-day", "us-west-2_Q", "a@example.com", "S3cret!!",
               "ffffffffffffffffffffffffffffffff",
               datetime(2024, 2, 29, 12, 30, 5, tzinfo=utc)),
    ]
    json.dump({"N": N_HEX.lower(), "g": G, "kHex": long_to_hex(K), "vectors": vectors},
              sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
