"""API Gateway's stand-in: a REST API stage, served on localhost from the API's own OpenAPI document.

One ``Gateway`` (``gateway.py``) per ``LocalApi``: a threaded HTTP server on
``127.0.0.1:api.port`` (``server.py``) that answers under ``/{stage}/...`` exactly
what the document declares:

* ``routing.py``: by resource path (``{param}``, greedy ``{proxy+}``, literal
  segments win over parameters; a path matches whole) and method; anything undeclared
  (any HTTP method reaches it) → 403 "Missing Authentication Token", a path outside the
  stage → 403 "Forbidden"; a body over 10 MB → 413 (``server.py`` drains what is past the limit);
* ``proxy.py``: ``aws_proxy`` integrations; the ``uri``'s ``${stageVariables.x}``
  resolved with the stage's variables, the function invoked with a REST (v1) proxy
  event and its proxy response mapped back (malformed or failed → 502, too slow →
  504; the integration timeout is ``min(29 s, timeoutInMillis)``);
* ``integrations/``: every other integration, its mapping templates run in the VTL subset of
  ``vtl/`` (a template outside it fails the gateway's start, named): ``mock`` (the CORS
  preflight, ``GET /health``), non-proxy ``aws`` Lambda integrations (request template →
  event, error message → integration response by selection pattern → response template)
  and ``aws`` S3 integrations (one object, read with the identity of the integration's role);
* ``authorizers/``: ``cognito.py`` (RS256 JWT checked against the pool's JWKS,
  ``iss``, ``exp``; an ID token with the client in ``aud``, or where the method lists
  OAuth scopes an access token with its ``client_id`` and one of them),
  ``lambda_authorizer.py`` (TOKEN and REQUEST: identity validation expression, IAM
  policy evaluated against the method ARN, result cache for
  ``authorizerResultTtlInSeconds`` keyed by the identity source, ``context`` passed
  on) and ``iam.py`` (``awsSigv4``: only the *presence and format* of a SigV4
  ``Authorization`` header are checked, never the signature);
* ``api_keys.py``: ``x-api-key`` header, usage-plan rate/burst/daily quota;
  ``throttling.py``: per-method token buckets (``method_throttles`` else the stage
  default); ``validation.py``: required parameters, JSON body against
  ``components.schemas`` with JSON Schema draft 4;
* ``responses.py``: ``x-amazon-apigateway-gateway-responses`` (a specific type,
  else DEFAULT_4XX / DEFAULT_5XX) give every gateway-generated error its headers
  (CORS) and body template.

Order of checks, as API Gateway: stage → payload size → route/method → throttling →
authorizer → API key (and its usage plan) → request validation → integration (a mock too:
a public mock is one whose ``security`` is empty, as the preflight's).

Local mode only: ``GET /<stage>/openapi.json`` answers the API's published document
(``LocalApi.published_openapi``, with the local URL as its server), unauthenticated,
unless the API declares that path itself.

Not emulated: resource policies (``x-amazon-apigateway-policy``), VTL beyond the
documented subset, HTTP integrations and AWS integrations other than Lambda and S3 GETs,
response caching, mutual TLS, WAF, binary media type conversion of responses
beyond ``isBase64Encoded``. A Lambda ``timed_out`` result is answered 504 (in AWS
a function timing out before the 29 s integration timeout surfaces as 502).

Every request writes one JSON access-log line through ``log``.
"""

from local.apigateway.authorizers import policy_allows
from local.apigateway.gateway import Gateway

__all__ = ["Gateway", "policy_allows"]
