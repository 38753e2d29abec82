"""local/state.py: the journal and snapshot an emulator keeps its acknowledged writes in."""

from __future__ import annotations

import json
import threading

import pytest

from local.state import StateError, Store


def _item(key: str, value) -> dict:
    return {"kind": "dynamodb", "in": "t", "id": key, "value": value}


def test_records_fold_into_what_is_there_now(tmp_path):
    store = Store(tmp_path / "aws")
    store.open()
    store.sync(store.append([_item("a", {"n": 1}), _item("b", {"n": 2})]))
    store.sync(store.append([_item("a", {"n": 3}), _item("b", None)]))
    store.sync(store.append([{"kind": "s3", "in": "bucket", "all": {"k": {"blob": "x"}}},
                             {"kind": "s3", "in": "gone", "all": {}}]))
    store.close()
    assert Store(tmp_path / "aws").read() == {"dynamodb": {"t": {"a": {"n": 3}}}, "s3": {"bucket": {"k": {"blob": "x"}}}}


def test_compacting_keeps_everything_and_empties_the_journal(tmp_path):
    store = Store(tmp_path)
    store.open()
    store.sync(store.append([_item("a", {"n": 1})]))
    kept = store.put_blob(b"body")
    store.put_blob(b"no record names this one")
    store.sync(store.append([{"kind": "s3", "in": "b", "id": "k", "value": {"blob": kept}}]))
    store.close()

    before = store.read()
    assert store.compact() == before
    assert store.journal_path.read_bytes() == b""
    assert json.loads(store.snapshot_path.read_text())["data"] == before
    assert [p.name for p in store.blobs.iterdir()] == [kept]  # the unreferenced blob is gone
    assert store.blob(kept) == b"body"
    assert store.compact() == before  # again: the same
    assert store.snapshot_path.stat().st_mode & 0o077 == 0  # it holds users' passwords


def test_a_crash_between_snapshot_and_truncation_replays_to_the_same_data(tmp_path):
    store = Store(tmp_path)
    store.open()
    store.sync(store.append([_item("a", {"n": 1}), _item("a", {"n": 2})]))
    store.close()
    journal = store.journal_path.read_bytes()
    data = store.compact()
    store.journal_path.write_bytes(journal)  # as if the crash came before the journal was emptied
    assert store.read() == data


def test_a_record_cut_short_by_a_crash_was_never_acknowledged_and_is_dropped(tmp_path):
    store = Store(tmp_path)
    store.open()
    store.sync(store.append([_item("a", {"n": 1})]))
    store.close()
    with open(store.journal_path, "ab") as journal:
        journal.write(b'{"kind":"dynamodb","in":"t","id":"b","va')
    assert store.read() == {"dynamodb": {"t": {"a": {"n": 1}}}}


def test_a_damaged_line_before_the_end_is_an_error_naming_the_file_and_line(tmp_path):
    store = Store(tmp_path)
    store.journal_path.parent.mkdir(parents=True, exist_ok=True)
    store.journal_path.write_bytes(b'{"kind":"dynamodb","in":"t","id":"a","value":{}}\nnot json\n'
                                   b'{"kind":"dynamodb","in":"t","id":"b","value":{}}\n')
    with pytest.raises(StateError, match=r"journal.jsonl line 2 is damaged"):
        store.read()


def test_concurrent_appends_keep_whole_records_in_the_order_they_were_given(tmp_path):
    store = Store(tmp_path)
    store.open()
    order: list[str] = []
    lock = threading.Lock()

    def write(worker: int) -> None:
        for n in range(200):
            with lock:  # the emulator's service lock: it orders the writes
                key = f"{worker}-{n}"
                order.append(key)
                sequence = store.append([_item(key, {"n": n, "pad": "x" * 500})])
            store.sync(sequence)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    store.close()
    lines = store.journal_path.read_text().splitlines()
    assert [json.loads(line)["id"] for line in lines] == order


def test_an_export_of_a_local_mode_before_the_journal_is_put_back_once(tmp_path):
    import boto3
    from moto import mock_aws

    from local.state import import_export

    data = tmp_path / "data"
    (data / "dynamodb").mkdir(parents=True)
    (data / "dynamodb" / "shows.json").write_text(json.dumps([{"id": {"S": "s1"}}, {"id": {"S": "s2"}}]))
    (data / "dynamodb" / "gone.json").write_text(json.dumps([{"id": {"S": "x"}}]))  # a table not made now
    (data / "s3" / "content").mkdir(parents=True)
    (data / "s3" / "content" / "info%2Fvenue.json").write_bytes(b'{"mine": true}')
    (data / "s3" / "content" / "info%2Fvenue.json.meta.json").write_text(json.dumps({"ContentType": "application/json"}))
    (data / "s3" / "content" / "index.html").write_bytes(b"old site")
    with mock_aws():
        ddb, s3 = boto3.client("dynamodb", region_name="us-east-1"), boto3.client("s3", region_name="us-east-1")
        ddb.create_table(TableName="shows", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST")
        s3.create_bucket(Bucket="content")
        s3.put_object(Bucket="content", Key="index.html", Body=b"the program's site")
        assert import_export(ddb, s3, ["shows"], ["content"], {("content", "index.html")}, data) == 3
        assert sorted(i["id"]["S"] for i in ddb.scan(TableName="shows")["Items"]) == ["s1", "s2"]
        venue = s3.get_object(Bucket="content", Key="info/venue.json")
        assert venue["Body"].read() == b'{"mine": true}' and venue["ContentType"] == "application/json"
        assert s3.get_object(Bucket="content", Key="index.html")["Body"].read() == b"the program's site"
    # what was put back is gone from the export; what has no table yet stays for a later run
    assert [p.name for p in data.rglob("*") if p.is_file()] == ["gone.json"]
