"""Notes: GET /notes lists them, POST /notes adds one. Lambda proxy events in, proxy responses out."""

import json
import os
import uuid

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["NOTES_TABLE"])


def handler(event, context):
    if event["httpMethod"] == "POST":
        note = {"id": str(uuid.uuid4()), "text": json.loads(event["body"])["text"]}
        TABLE.put_item(Item=note)
        return {"statusCode": 201, "headers": {"Content-Type": "application/json"}, "body": json.dumps(note)}
    notes = TABLE.scan(Limit=50).get("Items", [])
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(notes)}
