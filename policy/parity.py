"""The anchors' rule ids, read from their own sources, against the parity table in ``policy/README.md``.

``python -m policy.parity --cdk-nag <git dir> --checkov <git dir>`` reads cdk-nag's
AwsSolutions and Serverless packs (``src/packs/*.ts``) and Checkov's Terraform checks
(``checkov/terraform/checks/{resource,graph_checks,data}/aws``) from the commit checked
out in each git directory (a bare clone is enough: files are read with ``git show``),
keeps the Checkov checks of the Terraform types the stacks use, and prints the ids the
table misses or lists without a source. ``--list`` prints every id with its types and text.
Nothing of the anchors is copied here: only their ids, names and resource types are read.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path
from typing import Iterator, NamedTuple

README = Path(__file__).resolve().parent / "README.md"
CDK_NAG_PACKS = {"AwsSolutions": "src/packs/aws-solutions.ts", "Serverless": "src/packs/serverless.ts"}
CHECKOV_DIRS = ("checkov/terraform/checks/resource/aws", "checkov/terraform/checks/graph_checks/aws",
                "checkov/terraform/checks/data/aws")
# Terraform types of what the stacks register (pulumi-aws resources are Terraform's, renamed), plus what
# awsx:ec2:Vpc creates and the policy documents the IAM resources carry (Checkov's data checks read those).
STACK_TYPES = frozenset({
    "aws_acm_certificate", "aws_acm_certificate_validation", "aws_amplify_app", "aws_amplify_branch",
    "aws_amplify_domain_association", "aws_api_gateway_account", "aws_api_gateway_base_path_mapping",
    "aws_api_gateway_deployment", "aws_api_gateway_domain_name", "aws_api_gateway_method_settings",
    "aws_api_gateway_rest_api", "aws_api_gateway_stage", "aws_cloudfront_distribution",
    "aws_cloudfront_origin_access_control", "aws_cloudfront_response_headers_policy", "aws_cloudwatch_log_group",
    "aws_cloudwatch_metric_alarm", "aws_cognito_user_group", "aws_cognito_user_pool", "aws_cognito_user_pool_client",
    "aws_dynamodb_table", "aws_flow_log", "aws_security_group", "aws_vpc_endpoint", "aws_efs_access_point",
    "aws_efs_backup_policy", "aws_efs_file_system", "aws_efs_file_system_policy", "aws_efs_mount_target",
    "aws_elasticache_serverless_cache", "aws_elasticache_user", "aws_elasticache_user_group", "aws_iam_role",
    "aws_iam_role_policy", "aws_kms_key", "aws_lambda_alias", "aws_lambda_function", "aws_lambda_invocation",
    "aws_lambda_layer_version", "aws_lambda_permission", "aws_rds_cluster", "aws_rds_cluster_instance",
    "aws_db_proxy", "aws_db_proxy_default_target_group", "aws_db_proxy_target", "aws_db_subnet_group",
    "aws_route53_record", "aws_s3_bucket", "aws_s3_bucket_lifecycle_configuration", "aws_s3_object",
    "aws_s3_bucket_ownership_controls", "aws_s3_bucket_policy", "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_server_side_encryption_configuration", "aws_s3_bucket_versioning", "aws_s3_bucket_acl",
    "aws_s3_bucket_logging", "aws_sns_topic", "aws_sns_topic_subscription", "aws_vpc_security_group_egress_rule",
    "aws_vpc_security_group_ingress_rule", "aws_wafv2_web_acl", "aws_wafv2_web_acl_association",
    "aws_wafv2_web_acl_logging_configuration", "aws_vpc", "aws_subnet", "aws_route_table", "aws_internet_gateway",
    "aws_iam_policy_document"})


NAME = re.compile(r"""\b(?:name|description)\s*=\s*f?["'](.+?)["']\s*\n""")
TYPE = re.compile(r"""["'](aws_[a-z0-9_]+)["']""")


class AnchorRule(NamedTuple):
    anchor: str  # "cdk-nag" or "Checkov"
    id: str
    types: tuple[str, ...]
    text: str


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def cdk_nag_rules(repo: Path) -> Iterator[AnchorRule]:
    """Every rule the AwsSolutions and Serverless packs apply (id: pack-suffix, or pack-rule name)."""
    for pack, path in CDK_NAG_PACKS.items():
        for block in re.findall(r"this\.applyRule\(\{(.*?)\}\);", _git(repo, "show", f"HEAD:{path}"), re.S):
            suffix = re.search(r"ruleSuffixOverride:\s*'([^']+)'", block)
            rule = re.search(r"rule:\s*(\w+)", block)
            info = re.search(r"info:\s*(['\"])(.*?)\1,\s*\n", block, re.S)
            yield AnchorRule("cdk-nag", f"{pack}-{suffix.group(1) if suffix else rule.group(1)}", (),
                             " ".join(info.group(2).split()) if info else "")


def _python_check(repo: Path, text: str) -> tuple[str, str, tuple[str, ...]] | None:
    """(id, name, resource types) of a Checkov Python check: its id literal, and the ``aws_*`` type literals
    of its file or, when it names none, of the base class it imports (shared port and IAM checks)."""
    found = re.search(r"""(?:\bid|check_id)\s*=\s*["'](CKV2?_AWS_\d+)["']""", text)
    if not found:
        return None
    name = NAME.search(text)
    types = set(TYPE.findall(text))
    base = re.search(r"^class \w+\((\w+)\)", text, re.M)
    module = base and re.search(rf"^from (checkov[\w.]+) import[\s\\(]*(?:\w+,\s*)*{base.group(1)}\b", text, re.M)
    if module and not (types and name):
        base_text = _git(repo, "show", f"HEAD:{module.group(1).replace('.', '/')}.py")
        types = types or set(TYPE.findall(base_text))
        name = name or NAME.search(base_text)
    port = re.search(r"port=(-?\d+)", text)
    text_ = name.group(1).replace("{port}", port.group(1) if port else "{port}") if name else ""
    return found.group(1), text_, tuple(sorted(types))


def _yaml_check(text: str) -> tuple[str, str, tuple[str, ...]] | None:
    """(id, name, resource types) of a Checkov graph check, read from its YAML."""
    import yaml

    document = yaml.safe_load(text)
    types: set[str] = set()

    def walk(value) -> None:
        if isinstance(value, dict):
            for key in ("resource_types", "connected_resource_types"):
                types.update(t for t in value.get(key) or () if isinstance(t, str))
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(document.get("definition"))
    meta = document.get("metadata") or {}
    return (meta["id"], str(meta.get("name", "")), tuple(sorted(types))) if "id" in meta else None


def checkov_checks(repo: Path) -> Iterator[AnchorRule]:
    for folder in CHECKOV_DIRS:
        for path in _git(repo, "ls-tree", "--name-only", "HEAD", f"{folder}/").split():
            if path.endswith("__init__.py") or not path.endswith((".py", ".yaml", ".yml")):
                continue
            text = _git(repo, "show", f"HEAD:{path}")
            found = _python_check(repo, text) if path.endswith(".py") else _yaml_check(text)
            if found:
                check_id, name, types = found
                if folder.endswith("data/aws"):
                    types = ("aws_iam_policy_document",) if "aws_iam_policy_document" in types else types
                yield AnchorRule("Checkov", check_id, types, name)


def applicable(rules: Iterator[AnchorRule]) -> list[AnchorRule]:
    """cdk-nag: every rule; Checkov: the checks of a type the stacks use."""
    return sorted((r for r in rules if r.anchor == "cdk-nag" or STACK_TYPES & set(r.types)),
                  key=lambda r: (r.anchor, [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", r.id)]))


def table_ids(readme: Path = README) -> dict[str, str]:
    """Anchor id → the table's mapping cell, from the rows of the parity table."""
    rows = {}
    for line in readme.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) >= 3 and re.fullmatch(r"`?(AwsSolutions|Serverless|CKV2?_AWS)[-_]\w+`?",
                                                                        cells[0]):
            rows[cells[0].strip("`")] = cells[2]
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cdk-nag", type=Path, required=True, help="git directory of cdklabs/cdk-nag")
    parser.add_argument("--checkov", type=Path, required=True, help="git directory of bridgecrewio/checkov")
    parser.add_argument("--list", action="store_true", help="print every applicable id with its types and text")
    args = parser.parse_args(argv)
    rules = applicable(iter([*cdk_nag_rules(args.cdk_nag), *checkov_checks(args.checkov)]))
    for repo in (args.cdk_nag, args.checkov):
        print(f"# {repo}: {_git(repo, 'rev-parse', 'HEAD').strip()}", file=sys.stderr)
    if args.list:
        for rule in rules:
            print(f"{rule.anchor}\t{rule.id}\t{','.join(rule.types)}\t{rule.text}")
        return 0
    table = table_ids()
    missing = [r.id for r in rules if r.id not in table]
    unknown = sorted(set(table) - {r.id for r in rules})
    for anchor in ("cdk-nag", "Checkov"):
        print(f"{anchor}: {sum(r.anchor == anchor for r in rules)} applicable ids")
    print(f"missing from the table: {missing or 'none'}\nin the table but not in the sources: {unknown or 'none'}")
    return 1 if missing or unknown else 0


if __name__ == "__main__":
    sys.exit(main())
