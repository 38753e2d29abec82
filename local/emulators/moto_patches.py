"""Faster equivalents of moto's hottest paths, for local mode's emulator (``moto_app``).

Profiled under ``bench/local_mode.py``'s load (a list read through an API), moto spent
most of its CPU on things that do not depend on what the request asks; each is replaced
by an equivalent that gives the same answers:

1. DynamoDB response serialization (about a third): moto's generic serializer walks the
   output shape and, for each of ``AttributeValue``'s ten members in every attribute of
   every item, asks six alias providers where the value might be. ``DynamoDBSerializer``
   writes an attribute value whose form it knows (one of S, N, SS, NS, BOOL, NULL, M, L
   holding plain Python values, as ``dynamo_to_dict`` makes them) directly, and hands any
   other (binary, several keys, unexpected types) to the generic walk. The JSON is the
   same byte for byte (``tests/local/test_moto_patches.py`` compares both).
2. Finding the backend (about 7 %): ``list_of_moto_modules()`` lists moto's package folder
   and stats every entry, on every request; the folder does not change while the server
   runs, so it is listed once.
3. Connections: werkzeug's development server closes the connection after every response
   (http.server would otherwise read an unread request body as the next request line), so
   every SDK call paid a TCP connect, a new server thread and the socket's teardown on
   both sides. ``KeepAliveHandler`` reads each request's body whole before the app sees
   it and keeps HTTP/1.1 connections open; werkzeug's drain of unread request data after
   each answer (which would read the next request) is skipped when nothing can be left.
4. Cognito's signing key (start-up): every new user pool imports the same private key from
   moto's resource file, recovering its prime factors (~0.2 s of CPU per pool); the key
   imported once is shared (it only signs, and is the same key).

Everything else (IAM enforcement, the backends, error answers, werkzeug's access log) is
moto's own. (Logging only failed requests was a fifth patch: measured again with
``bench/`` it no longer saved any CPU, 4.80 against 4.83 ms per request, and was dropped.)
"""

from __future__ import annotations

import io
import json
import selectors
import threading
from types import SimpleNamespace
from typing import Any

from local.emulators import moto_internals

_GENERIC = object()  # "not a form the fast path knows: use moto's walk"
_STRINGS = ("S", "N")
_STRING_SETS = ("SS", "NS")
_AS_IS = ("BOOL", "NULL")  # boolean shapes: the JSON serializer writes the value unchanged


def attribute_value(value: Any) -> Any:
    """The serialized form of one DynamoDB ``AttributeValue``, or ``_GENERIC``.

    Mirrors moto's walk for a one-key dict: ``S``/``N`` strings as they are; ``SS``/``NS``
    lists of strings; ``BOOL``/``NULL`` unchanged; ``M`` a map whose None values are left
    out; ``L`` a list whose None items stay None; a None member is left out (``{}``).
    """
    if type(value) is not dict or len(value) != 1:
        return _GENERIC
    (kind, member), = value.items()
    if member is None:
        return {} if kind in _SHAPE_MEMBERS else _GENERIC
    if kind in _STRINGS:
        return {kind: member} if type(member) is str else _GENERIC
    if kind in _AS_IS:
        return {kind: member}
    if kind in _STRING_SETS:
        if type(member) is not list or any(type(item) is not str for item in member):
            return _GENERIC
        return {kind: list(member)}
    if kind == "M":
        if type(member) is not dict:
            return _GENERIC
        out = {}
        for name, item in member.items():
            if type(name) is not str or not name:  # an empty name changes moto's walk: leave it to it
                return _GENERIC
            if item is None:
                continue
            serialized = attribute_value(item)
            if serialized is _GENERIC:
                return _GENERIC
            out[name] = serialized
        return {"M": out}
    if kind == "L":
        if type(member) is not list:
            return _GENERIC
        items = []
        for item in member:
            serialized = None if item is None else attribute_value(item)
            if serialized is _GENERIC:
                return _GENERIC
            items.append(serialized)
        return {"L": items}
    return _GENERIC


# AttributeValue's members, as moto 5.2's DynamoDB model has them (checked by check_model()).
_SHAPE_MEMBERS = ("S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL")


class DynamoDBSerializer(moto_internals.JSONSerializer):
    """moto's JSON serializer, with ``attribute_value`` for the attribute values it knows."""

    def _serialize(self, serialized: Any, value: Any, shape: Any, key: str) -> None:
        if key and shape.name == "AttributeValue":
            fast = attribute_value(value)
            if fast is not _GENERIC:
                serialized[key] = fast
                return
        super()._serialize(serialized, value, shape, key)


def check_model() -> None:
    """Fail loudly if moto's DynamoDB model is not the one ``attribute_value`` mirrors."""
    members = moto_internals.attribute_value_members()
    expected = {"S": ("string", {}), "N": ("string", {}), "B": ("blob", {}), "SS": ("list", {}),
                "NS": ("list", {}), "BS": ("list", {}), "M": ("map", {}), "L": ("list", {}), "NULL": ("boolean", {}),
                "BOOL": ("boolean", {}), "": ("", {}), "SS[]": ("", {}), "NS[]": ("", {}), "BS[]": ("", {}),
                "L[]": ("", {})}
    if tuple(name for name in members if name and not name.endswith("[]")) != _SHAPE_MEMBERS \
            or members != expected:
        raise RuntimeError(f"moto's DynamoDB AttributeValue shape changed ({members}): "
                           "review local/emulators/moto_patches.py")


_request = threading.local()  # each connection has its own handler thread


class KeepAliveHandler(moto_internals.RequestHandler):
    """moto's request handler, keeping HTTP/1.1 connections open between requests."""

    # werkzeug writes the headers and the body separately: on a kept connection Nagle's algorithm
    # would hold the body back until the client's delayed ACK (~40 ms).
    disable_nagle_algorithm = True

    def make_environ(self) -> dict[str, Any]:
        environ = super().make_environ()
        _request.body_read = False
        if environ.get("wsgi.input_terminated"):  # chunked: werkzeug's de-chunking stream
            environ["wsgi.input"] = io.BytesIO(environ["wsgi.input"].read())
            _request.body_read = True
            return environ
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length < 0:  # werkzeug's own handling (and its drain), and the connection ends after the answer
            self.close_connection = True
            return environ
        # The whole body now: the next request on this connection starts where it ends.
        environ["wsgi.input"] = io.BytesIO(self.rfile.read(length) if length else b"")
        _request.body_read = True
        return environ

    def send_header(self, keyword: str, value: str) -> None:
        # werkzeug ends every answer with "Connection: close"; keep the connection unless
        # the client asked to close it (http.server decided that from the request).
        if keyword.lower() == "connection" and value.lower() == "close" and not self.close_connection:
            return
        super().send_header(keyword, value)


class _NothingLeft:
    """A selector that finds nothing to read: werkzeug's drain then ends at once."""

    def register(self, *args: Any) -> None:
        pass

    def select(self, timeout: float | None = None) -> list:
        return []

    def close(self) -> None:
        pass


class _DrainSelectors:
    """What werkzeug.serving sees as ``selectors``: its only use is the drain after each answer
    (wait 10 ms for more request data and read it), pointless once the body was read whole and
    harmful on a kept connection, where the "more data" is the next request."""

    EVENT_READ = selectors.EVENT_READ

    @staticmethod
    def DefaultSelector() -> Any:  # noqa: N802 (the name werkzeug calls)
        return _NothingLeft() if getattr(_request, "body_read", False) else selectors.DefaultSelector()


class _OnceImportedRSAKey:
    """``joserfc.jwk.RSAKey`` as moto's Cognito models use it, each distinct key imported once."""

    _keys: dict[str, Any] = {}
    _lock = threading.Lock()

    @classmethod
    def import_key(cls, value: Any, *args: Any, **kwargs: Any) -> Any:
        from joserfc import jwk

        if args or kwargs or not isinstance(value, dict):
            return jwk.RSAKey.import_key(value, *args, **kwargs)
        cache_key = json.dumps(value, sort_keys=True)
        with cls._lock:
            if cache_key not in cls._keys:
                cls._keys[cache_key] = jwk.RSAKey.import_key(value)
            return cls._keys[cache_key]


def install() -> None:
    """Apply the patches to this process's moto and werkzeug (idempotent)."""
    check_model()
    moto_internals.replace_cognito_jwk(SimpleNamespace(RSAKey=_OnceImportedRSAKey))
    moto_internals.use_serializer("dynamodb", DynamoDBSerializer)
    moto_internals.list_moto_modules_once()
    moto_internals.replace_drain_selectors(_DrainSelectors)
