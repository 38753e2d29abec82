"""The stand-ins for AWS's managed services, each bound to 127.0.0.1 and stopped with local mode.

``moto_server``: DynamoDB, S3, Secrets Manager, IAM (enforced) and, in a second
server, Cognito; ``postgres``: RDS/Aurora's PostgreSQL; ``redis_server``:
ElastiCache (Valkey or Redis); ``cognito_sign_in``: Cognito's public endpoint
(sign-in with ``cognito_srp``, sign-up, revocation) for browsers and apps;
``group``: all of them, started and stopped together; ``ports`` and ``processes``:
the ports and child processes they use. moto runs as ``moto_app`` (one writer at a
time per service, every acknowledged write kept: ``moto_writes``), with
``moto_patches``; ``moto_internals`` is the one file that names moto's internals.
"""
