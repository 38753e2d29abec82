"""Aurora / RDS: encrypted, private, managed credentials, backed up, protected."""

from __future__ import annotations

from policy.core import Resource, resource_rule

PREFIX = "MT-RDS"

CLUSTER = "aws:rds/cluster:Cluster"
INSTANCES = ("aws:rds/clusterInstance:ClusterInstance", "aws:rds/instance:Instance")
PROXY = "aws:rds/proxy:Proxy"


@resource_rule("MT-RDS-1", (CLUSTER, "aws:rds/instance:Instance"), description="Database storage is encrypted",
               remediation="Set storage_encrypted=True.")
def encrypted(db: Resource):
    if not db.get("storageEncrypted"):
        yield "storage is not encrypted"


@resource_rule("MT-RDS-2", INSTANCES, severity="critical", description="Database instances are not publicly accessible",
               remediation="Set publicly_accessible=False and place the instance in private subnets.")
def private(instance: Resource):
    if instance.get("publiclyAccessible"):
        yield "the instance is publicly accessible"


@resource_rule("MT-RDS-3", (CLUSTER, "aws:rds/instance:Instance"),
               description="The master password is managed by RDS in Secrets Manager",
               remediation="Set manage_master_user_password=True and drop master_password (password on an instance).")
def managed_secret(db: Resource):
    if db.type != CLUSTER and db.get("clusterIdentifier"):
        return  # an Aurora member: its cluster holds the credentials
    if not db.get("manageMasterUserPassword") or db.get("masterPassword") or db.get("password"):
        yield "the master password is not an RDS-managed secret"


@resource_rule("MT-RDS-4", CLUSTER, description="Automated backups are kept long enough",
               remediation="Set backup_retention_period to at least params.minDays (databaseBackupRetentionDays).",
               params={"minDays": 7})
def backups(cluster: Resource, params):
    days = cluster.get("backupRetentionPeriod") or 1
    if days < params["minDays"]:
        yield f"backups kept {days:g} day(s), fewer than {params['minDays']}"


@resource_rule("MT-RDS-5", (CLUSTER, "aws:rds/instance:Instance"), description="Databases have deletion protection",
               remediation="Set deletion_protection=True (dataDeletionProtection).")
def deletion_protection(db: Resource):
    if not db.get("deletionProtection"):
        yield "deletion protection is off"


@resource_rule("MT-RDS-6", CLUSTER, severity="medium", description="Database logs are exported to CloudWatch",
               remediation="Set enabled_cloudwatch_logs_exports=['postgresql'].")
def log_exports(cluster: Resource):
    if not cluster.get("enabledCloudwatchLogsExports"):
        yield "no log exports"


@resource_rule("MT-RDS-7", PROXY, description="RDS proxies require TLS", remediation="Set require_tls=True.")
def proxy_tls(proxy: Resource):
    if not proxy.get("requireTls"):
        yield "the proxy accepts connections without TLS"


@resource_rule("MT-RDS-8", CLUSTER, severity="medium", description="Destroying a cluster keeps a final snapshot",
               remediation="Set skip_final_snapshot=False with a final_snapshot_identifier (databaseSkipFinalSnapshot).")
def final_snapshot(cluster: Resource):
    if cluster.get("skipFinalSnapshot"):
        yield "skip_final_snapshot drops the data on destroy"


@resource_rule("MT-RDS-9", (CLUSTER, "aws:rds/instance:Instance"), severity="medium",
               description="Databases accept IAM authentication",
               remediation="Set iam_database_authentication_enabled=True (operators connect with short-lived IAM "
                           "tokens instead of the master password).")
def iam_authentication(db: Resource):
    if db.type == "aws:rds/instance:Instance" and db.get("clusterIdentifier"):
        return  # an Aurora member follows its cluster
    if not db.get("iamDatabaseAuthenticationEnabled"):
        yield "IAM database authentication is off"


@resource_rule("MT-RDS-10", INSTANCES, severity="medium", description="Database instances take minor engine upgrades",
               remediation="Leave auto_minor_version_upgrade on (security fixes arrive as minor versions); pin the "
                           "major version only.")
def minor_upgrades(instance: Resource):
    if instance.get("autoMinorVersionUpgrade") is False:
        yield "automatic minor version upgrades are off"
