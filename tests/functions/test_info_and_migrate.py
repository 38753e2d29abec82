"""/info from a real PostgreSQL (secret rotation included) or from S3; the migrate handler."""

import json
import threading

import pytest

from events import FakeLambdaContext, api_event, parse
from fn_support import FUNCTIONS, _client, load_service

SEED = json.loads((FUNCTIONS / "info" / "seed" / "venue.json").read_text())


def migrate(action="migrate"):
    return load_service("migrate").handler({"action": action}, FakeLambdaContext())


def call(module, *args, **kwargs):
    return parse(module.handler(api_event(*args, **kwargs), FakeLambdaContext()))


def tables_in(postgres, dbname):
    with postgres.admin(dbname) as conn:
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
    return {row[0] for row in rows}


# --------------------------------------------------------------------------- migrate


def test_migrate_applies_each_file_once(postgres, database):
    files = sorted(p.stem for p in (FUNCTIONS / "migrate" / "migrations").glob("*.sql"))
    first = migrate()
    assert first == {"applied": files, "current": files[-1][:3]}
    assert {"schema_migrations", "venue", "opening_hours", "venue_notes"} <= tables_in(postgres, database["dbname"])

    second = migrate()
    assert second == {"applied": [], "current": files[-1][:3]}
    with postgres.admin(database["dbname"]) as conn:
        assert conn.execute("SELECT count(*) FROM venue").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == len(files)


def test_concurrent_migrations_apply_once(postgres, database):
    module = load_service("migrate")
    results, errors = [], []

    def run():
        try:
            results.append(module.handler({"action": "migrate"}, FakeLambdaContext()))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    # Separate Database objects → separate connections, serialised by the advisory lock.
    import migrator
    from shared.config import load_settings
    from shared.db import Database, DatabaseSettings

    other = Database(load_settings(DatabaseSettings))
    thread = threading.Thread(target=run)
    thread.start()
    results.append(other.run(lambda conn: migrator.migrate(conn, migrator.discover())))
    thread.join(30)
    assert not errors
    applied = sorted(label for result in results for label in result["applied"])
    assert applied == sorted(p.stem for p in (FUNCTIONS / "migrate" / "migrations").glob("*.sql"))


def test_migrate_status_and_bad_action(database):
    assert migrate("status")["pending"] == ["001_venue_info", "002_seed_venue_info"]
    with pytest.raises(ValueError, match="unsupported action 'drop'"):
        migrate("drop")


def test_failed_migration_is_rolled_back(postgres, database, tmp_path, monkeypatch):
    load_service("migrate")
    import migrator  # on sys.path via fn_support

    (tmp_path / "001_ok.sql").write_text("CREATE TABLE ok_table (id int);")
    (tmp_path / "002_broken.sql").write_text("CREATE TABLE half_done (id int); SELECT no_such_function();")
    from shared.config import load_settings
    from shared.db import Database, DatabaseSettings

    db = Database(load_settings(DatabaseSettings))
    with pytest.raises(Exception, match="no_such_function"):
        db.run(lambda conn: migrator.migrate(conn, migrator.discover(tmp_path)), retry_on_disconnect=False)
    names = tables_in(postgres, database["dbname"])
    assert "ok_table" in names and "half_done" not in names
    assert db.run(lambda conn: migrator.status(conn, migrator.discover(tmp_path)))["pending"] == ["002_broken"]


def test_migration_file_names_are_checked(tmp_path):
    load_service("migrate")
    import migrator

    (tmp_path / "1_bad.sql").write_text("SELECT 1;")
    with pytest.raises(ValueError, match="NNN_name.sql"):
        migrator.discover(tmp_path)


# --------------------------------------------------------------------------- /info from PostgreSQL


@pytest.fixture
def info_pg(database, monkeypatch):
    migrate()
    # The migrate function is another container: it must not share the secret cache with info.
    from aws_lambda_powertools.utilities import parameters

    parameters.clear_caches()
    monkeypatch.setenv("INFO_SOURCE", "postgres")
    return load_service("info")


def test_info_from_postgres_matches_the_seed(info_pg):
    status, body = call(info_pg, "GET", "/info")
    assert status == 200
    assert body == SEED  # the SQL seed and the S3 seed document carry the same content


@pytest.mark.parametrize("section", ["general", "opening_hours", "accessibility", "transport", "policies"])
def test_info_sections(info_pg, section):
    status, body = call(info_pg, "GET", "/info/{section}", path_params={"section": section})
    assert status == 200 and body["section"] == section
    if section == "general":
        assert body["content"]["name"] == SEED["name"] and "opening_hours" not in body["content"]
    else:
        assert body["content"] == SEED[section]


def test_unknown_section_is_400_listing_the_choices(info_pg):
    status, body = call(info_pg, "GET", "/info/{section}", path_params={"section": "parking"})
    assert status == 400 and "'opening_hours'" in body["errors"][0]["message"]


def test_info_survives_password_rotation(postgres, database, info_pg):
    # GIVEN a warm container with an open connection and a cached secret
    assert call(info_pg, "GET", "/info")[0] == 200
    # WHEN the password is rotated in PostgreSQL and in Secrets Manager, and the old session is dropped
    new_password = "rotated-" + database["password"][::-1]
    with postgres.admin() as conn:
        conn.execute(f"ALTER ROLE \"{database['user']}\" PASSWORD '{new_password}'")
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (database["user"],))
    _client("secretsmanager").put_secret_value(
        SecretId=database["secret_arn"],
        SecretString=json.dumps({"username": database["user"], "password": new_password}),
    )
    # THEN the next request reconnects, is refused with the cached password, re-fetches the secret, succeeds
    status, body = call(info_pg, "GET", "/info")
    assert status == 200 and body["name"] == SEED["name"]
    assert call(info_pg, "GET", "/info")[0] == 200


def test_wrong_secret_is_a_500_without_leaking(postgres, database, info_pg):
    _client("secretsmanager").put_secret_value(
        SecretId=database["secret_arn"],
        SecretString=json.dumps({"username": database["user"], "password": "definitely-wrong"}),
    )
    with postgres.admin() as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (database["user"],))
    event = api_event("GET", "/info", request_id="req-db")
    status, body = parse(info_pg.handler(event, FakeLambdaContext()))
    assert status == 500 and body == {"message": "Internal server error", "request_id": "req-db"}


def test_unmigrated_database_is_404(database, monkeypatch):
    from shared.config import load_settings
    from shared.db import Database, DatabaseSettings

    with Database(load_settings(DatabaseSettings)).connect() as conn:
        conn.execute("CREATE TABLE venue (id smallint, name text, address text, city text, country text, "
                     "capacity int, phone text, email text, website text, timezone text)")
    monkeypatch.setenv("INFO_SOURCE", "postgres")
    status, body = call(load_service("info"), "GET", "/info")
    assert status == 404 and "not been published" in body["message"]


def test_postgres_source_requires_db_settings(aws, monkeypatch):
    monkeypatch.setenv("INFO_SOURCE", "postgres")
    from shared import ConfigError

    with pytest.raises(ConfigError, match="DB_SECRET_ARN is required"):
        load_service("info").handler(api_event("GET", "/info"), FakeLambdaContext())


# --------------------------------------------------------------------------- /info from S3


@pytest.fixture
def info_s3(aws, monkeypatch):
    _client("s3").create_bucket(Bucket="site-content")
    monkeypatch.setenv("INFO_SOURCE", "s3")
    monkeypatch.setenv("INFO_BUCKET", "site-content")
    monkeypatch.setenv("INFO_PREFIX", "content/info/")
    return load_service("info")


def test_info_from_s3(info_s3):
    _client("s3").put_object(Bucket="site-content", Key="content/info/venue.json", Body=json.dumps(SEED).encode())
    status, body = call(info_s3, "GET", "/info")
    assert status == 200 and body == SEED
    status, body = call(info_s3, "GET", "/info/{section}", path_params={"section": "transport"})
    assert body == {"section": "transport", "content": SEED["transport"]}


def test_info_missing_in_s3_is_404(info_s3):
    status, body = call(info_s3, "GET", "/info")
    assert status == 404 and body == {"message": "Venue information has not been published yet"}


def test_invalid_document_in_s3_is_500(info_s3):
    _client("s3").put_object(Bucket="site-content", Key="content/info/venue.json", Body=b'{"name": "only"}')
    status, body = call(info_s3, "GET", "/info")
    assert status == 500 and body["message"] == "Internal server error"


def test_s3_source_requires_bucket(aws, monkeypatch):
    monkeypatch.setenv("INFO_SOURCE", "s3")
    from shared import ConfigError

    with pytest.raises(ConfigError, match="INFO_BUCKET"):
        load_service("info").handler(api_event("GET", "/info"), FakeLambdaContext())


def test_default_prefix_is_info(aws, monkeypatch):
    _client("s3").create_bucket(Bucket="b-info")
    _client("s3").put_object(Bucket="b-info", Key="info/venue.json", Body=json.dumps(SEED).encode())
    monkeypatch.setenv("INFO_SOURCE", "s3")
    monkeypatch.setenv("INFO_BUCKET", "b-info")
    assert call(load_service("info"), "GET", "/info")[0] == 200


