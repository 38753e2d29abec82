"""MobileBackend, row by row of the whitepaper's table 1."""

from tests.unit.patterns.helpers import (actions_of, assert_authorized_but_health, document, env_of, function,
                                        operations, pattern, policy_of)

API = "mobile-backend-api"


def test_logic_three_services_behind_a_cognito_user_pool_authorizer(dev_stack):
    doc = document(dev_stack, API)
    routes = {(path, method) for path, method, _ in operations(doc)}
    assert routes == {("/shows", "GET"), ("/shows", "POST"), ("/shows/{id}", "GET"), ("/shows/{id}", "PUT"),
                      ("/tickets", "GET"), ("/tickets", "POST"), ("/tickets/{id}", "GET"),
                      ("/tickets/{id}/cancel", "POST"), ("/tickets/{id}/document", "GET"), ("/info", "GET"),
                      ("/info/{section}", "GET"), ("/health", "GET")}
    pool = next(r for r in dev_stack.of_type("aws:cognito/userPool:UserPool") if r.name == "mobile-backend-users")
    scheme = doc["components"]["securitySchemes"]["cognito"]["x-amazon-apigateway-authorizer"]
    assert scheme == {"type": "cognito_user_pools", "providerARNs": [pool.outputs["arn"]]}
    assert_authorized_but_health(doc, [{"cognito": []}])


def test_logic_each_function_has_its_own_role(dev_stack):
    roles = [function(dev_stack, f"mobile-backend-{s}").inputs["role"] for s in ("shows", "tickets", "info", "migrate")]
    assert len(set(roles)) == 4


def test_data_dynamodb_for_tickets_and_shows(dev_stack):
    tables = {r.name for r in pattern(dev_stack, "mobile_backend") if r.type == "aws:dynamodb/table:Table"}
    assert tables == {"mobile-backend-shows", "mobile-backend-tickets", "mobile-backend-idempotency"}
    assert env_of(dev_stack, "mobile-backend-shows")["SHOWS_TABLE"].startswith("mobile-backend-shows")
    assert {"dynamodb:UpdateItem", "dynamodb:PutItem", "dynamodb:ConditionCheckItem"} <= \
        actions_of(dev_stack, "mobile-backend-tickets")


def test_data_info_reads_rds_credentials_from_secrets_manager_in_a_private_subnet(dev_stack):
    cluster = dev_stack.one("aws:rds/cluster:Cluster", "mobile-backend-db")
    secret_arn = cluster.outputs["masterUserSecrets"][0]["secretArn"]
    info = function(dev_stack, "mobile-backend-info").inputs
    vpc = dev_stack.one("awsx:ec2:Vpc", "network").outputs
    assert info["vpcConfig"]["subnetIds"] == vpc["isolatedSubnetIds"]
    secret_statements = [s for s in policy_of(dev_stack, "mobile-backend-info")
                         if any(a.startswith("secretsmanager:") for a in s["Action"])]
    assert secret_statements == [{"Sid": secret_statements[0]["Sid"], "Effect": "Allow",
                                  "Action": ["secretsmanager:GetSecretValue"], "Resource": [secret_arn]}]
    assert not any(a.startswith("dynamodb:") for a in actions_of(dev_stack, "mobile-backend-info"))
    env = info["environment"]["variables"]
    assert env["DB_SECRET_ARN"] == secret_arn and env["INFO_SOURCE"] == "postgres"
    assert not any("PASSWORD" in key for key in env)


def test_data_database_admits_only_the_functions_granted_access(dev_stack):
    db_group = dev_stack.one("aws:ec2/securityGroup:SecurityGroup", "mobile-backend-db").id
    sources = {r.inputs["referencedSecurityGroupId"] for r in
               dev_stack.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
               if r.inputs["securityGroupId"] == db_group}
    granted = {dev_stack.one("aws:ec2/securityGroup:SecurityGroup", f"mobile-backend-{fn}-sg").id
               for fn in ("info", "migrate")}
    assert sources == granted


def test_tickets_and_shows_have_no_secret_access_and_only_tickets_joins_the_vpc_for_its_file_system(dev_stack):
    for name in ("mobile-backend-tickets", "mobile-backend-shows"):
        assert not any(a.startswith("secretsmanager:") for a in actions_of(dev_stack, name))
    assert "vpcConfig" not in function(dev_stack, "mobile-backend-shows").inputs
    tickets = function(dev_stack, "mobile-backend-tickets").inputs
    assert tickets["fileSystemConfig"]["localMountPath"] == "/mnt/tickets"
    documents = dev_stack.one("aws:ec2/securityGroup:SecurityGroup", "mobile-backend-documents-sg").id
    egress = {(r.inputs["fromPort"], r.inputs.get("referencedSecurityGroupId") or r.inputs.get("cidrIpv4"))
              for r in dev_stack.of_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
              if r.name.startswith("mobile-backend-tickets-")}
    assert egress == {(2049, documents), (443, "0.0.0.0/0")}  # NFS to the documents only, AWS APIs over HTTPS


def test_ticket_documents_on_efs_mounted_by_the_tickets_function_only(dev_stack, prod_stack):
    for rec, backups in ((dev_stack, "DISABLED"), (prod_stack, "ENABLED")):
        fs = rec.one("aws:efs/fileSystem:FileSystem", "mobile-backend-documents")
        assert fs.inputs["encrypted"] is True
        point = rec.one("aws:efs/accessPoint:AccessPoint", "mobile-backend-documents").outputs
        mounts = [f.name for f in rec.of_type("aws:lambda/function:Function") if f.inputs.get("fileSystemConfig")]
        assert mounts == ["mobile-backend-tickets"]
        tickets = function(rec, "mobile-backend-tickets")
        assert tickets.inputs["fileSystemConfig"]["arn"] == point["arn"]
        assert env_of(rec, "mobile-backend-tickets")["TICKET_DOCUMENTS_PATH"] == "/mnt/tickets"
        grant = [s for s in policy_of(rec, "mobile-backend-tickets")
                 if any(a.startswith("elasticfilesystem:") for a in s["Action"])]
        assert grant == [{"Sid": "EfsTicketDocumentsPathReadwrite", "Effect": "Allow",
                          "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
                          "Resource": [fs.outputs["arn"]],
                          "Condition": {"StringEquals": {"elasticfilesystem:AccessPointArn": point["arn"]}}}]
        targets = [m.urn for m in rec.of_type("aws:efs/mountTarget:MountTarget")]
        assert set(targets) <= set(tickets.dependencies)  # Lambda refuses a mount with no mount target yet
        vpc = rec.one("awsx:ec2:Vpc").outputs  # the stack's one network
        assert len(targets) == len(vpc["isolatedSubnetIds"])  # a mount target in every zone the function runs in
        assert rec.one("aws:efs/backupPolicy:BackupPolicy", "mobile-backend").inputs["backupPolicy"]["status"] == \
            backups


def test_migrations_run_at_deploy_time_against_the_live_alias(dev_stack):
    invocation = dev_stack.one("aws:lambda/invocation:Invocation", "mobile-backend").inputs
    assert invocation["functionName"] == function(dev_stack, "mobile-backend-migrate").outputs["name"]
    assert invocation["qualifier"] == "live" and '"migrate"' in invocation["input"]
    assert len(invocation["triggers"]["migrations"]) == 64


def test_migrations_wait_for_the_writer_and_the_secrets_manager_endpoint(dev_stack, prod_stack):
    # GIVEN a VPC without NAT, the migrate function reaches Secrets Manager only through
    # the interface endpoint and the database only once its writer instance exists
    for rec in (dev_stack, prod_stack):
        invocation = rec.one("aws:lambda/invocation:Invocation", "mobile-backend")
        endpoint = rec.one("aws:ec2/vpcEndpoint:VpcEndpoint", "network-secretsmanager")
        writer = rec.one("aws:rds/clusterInstance:ClusterInstance", "mobile-backend-db-writer")
        # THEN the invocation is not started before either is ready
        assert {endpoint.urn, writer.urn} <= set(invocation.dependencies)


def test_dev_needs_no_nat_gateway(dev_stack):
    vpc = dev_stack.one("awsx:ec2:Vpc", "network").inputs
    assert vpc["natGateways"]["strategy"] == "None"
