"""Extract the inputs that force a replacement, per resource type, from terraform-provider-aws's source.

pulumi-aws wraps terraform-provider-aws: an input replaces the resource when the provider's
schema says so (SDKv2 ``ForceNew: true``; plugin framework ``RequiresReplace()`` plan
modifiers; ``customdiff.ForceNewIf*`` and ``RequiresReplaceIf*`` only under a condition).
This reads each schema function of the types the program registers (``local.engine``'s type
table) from lonegunmanb/terraform-provider-aws-index, which keeps terraform-provider-aws's
``internal/`` functions verbatim, one file per function, tagged per provider release (the
provider's own repository is too large to fetch here), maps each Terraform attribute to the
pulumi-aws input it becomes (checked against the installed SDK's arguments), and writes
``force_new.json`` beside this file.

    python -m multitier._replacement.extract /work/.mirror/lonegunmanb+terraform-provider-aws-index/repo v6.58.0

Types that are not Terraform resources are described here, each with its source: awsx's VPC
(``AWSX``, read from pulumi-awsx's source), the dynamic resources (their providers' own
``REPLACES``) and the AWS provider.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from multitier._replacement import camel

OUT = Path(__file__).with_name("force_new.json")
MODULES = {"apigateway": "api_gateway", "rds": "db"}  # pulumi module → Terraform's prefix, where they differ
TERRAFORM_NAMES = {"aws:s3/bucketObjectv2:BucketObjectv2": "aws_s3_object",
                   "aws:codedeploy/application:Application": "aws_codedeploy_app"}  # where no name rule finds it
# Terraform attributes pulumi-aws gives another name (provider/resources.go ``Fields: {... Name: ...}``),
# each confirmed by the installed SDK's arguments below.
RENAMES = {("aws_lambda_function", "function_name"): "name", ("aws_cloudwatch_metric_alarm", "alarm_name"): "name",
           ("aws_lambda_layer_version", "filename"): "code", ("aws_lambda_permission", "function_name"): "function",
           ("aws_api_gateway_deployment", "rest_api_id"): "rest_api",
           ("aws_api_gateway_stage", "rest_api_id"): "rest_api",
           ("aws_api_gateway_method_settings", "rest_api_id"): "rest_api",
           ("aws_api_gateway_authorizer", "rest_api_id"): "rest_api",
           ("aws_sns_topic_subscription", "topic_arn"): "topic"}
_SUBNETS = ["publicSubnetIds", "privateSubnetIds", "isolatedSubnetIds"]
# awsx.ec2.Vpc is a component run by awsx's own plugin: the program sees it, not its children. Its
# inputs that re-create children, and which of its outputs are then new (pulumi-awsx 3.11.0).
AWSX = {"awsx:ec2:Vpc": {
    "kind": "awsx", "replace_if": [],
    "renews": {"cidrBlock": ["vpcId", *_SUBNETS], "ipv4IpamPoolId": ["vpcId", *_SUBNETS],
               "ipv4NetmaskLength": ["vpcId", *_SUBNETS], "region": ["vpcId", *_SUBNETS],
               "numberOfAvailabilityZones": _SUBNETS, "availabilityZoneNames": _SUBNETS,
               "availabilityZoneCidrMask": _SUBNETS, "subnetSpecs": _SUBNETS, "subnetStrategy": _SUBNETS,
               "natGateways": _SUBNETS, "assignGeneratedIpv6CidrBlock": _SUBNETS},
    "source": "pulumi-awsx 3.11.0 awsx/ec2/vpc.ts: the VPC's cidrBlock and each subnet's cidrBlock and "
              "availabilityZone replace them (terraform-provider-aws aws_vpc, aws_subnet: ForceNew); "
              "subnetDistributorNew.ts cuts one block per AZ, sized by the number of AZs, so a change of the "
              "zones, the subnet specs or the NAT strategy re-cuts every subnet"}}
RANDOM = {"random:index/randomId:RandomId": {
    "kind": "random", "replace_on": ["byteLength", "keepers", "prefix"], "replace_if": [],
    "source": "terraform-provider-random v3.9.0 internal/provider/resource_id.go: byte_length and prefix "
              "RequiresReplace, keepers RequiresReplaceIfValuesNotNull (pulumi-random wraps it)"}}
PROVIDER = {"pulumi:providers:aws": {
    "kind": "provider", "replace_on": [], "replace_if": [],
    "source": "no stack setting changes the provider's configuration (aws:* settings are the user's); "
              "each resource's own region input decides a move between regions"},
            "pulumi:providers:random": {"kind": "provider", "replace_on": [], "replace_if": [],
                                        "source": "the random provider has no configuration"}}
_ATTR_WORDS = {"ARN": "arn", "ARNs": "arns", "ID": "id", "IDs": "ids", "KMS": "kms", "VPC": "vpc", "DNS": "dns",
               "IP": "ip", "AWS": "aws", "S3": "s3", "URL": "url", "SNS": "sns", "SQS": "sqs", "IAM": "iam"}


def git_show(repo: Path, tag: str, path: str) -> str:
    return subprocess.run(["git", "--git-dir", str(repo), "show", f"{tag}:{path}"], check=True,
                          capture_output=True, text=True).stdout


def attr_name(constant: str) -> str:
    """``names.AttrKMSKeyID`` → ``kms_key_id`` (terraform-provider-aws/names/attr_consts_gen.go's scheme)."""
    words = re.findall(r"ARNs|IDs|[A-Z]+\d*(?=[A-Z][a-z]|$)|[A-Z][a-z0-9]*|\d+", constant.removeprefix("Attr"))
    return "_".join(_word(w) for w in words)


def _word(word: str) -> str:
    """One word of a constant; a run of capitals is split into the acronyms it is made of (``VPCID``)."""
    if word in _ATTR_WORDS or not word.isupper():
        return _ATTR_WORDS.get(word, word.lower())
    for cut in range(len(word) - 1, 0, -1):
        if word[:cut] in _ATTR_WORDS:
            return f"{_ATTR_WORDS[word[:cut]]}_{_word(word[cut:])}"
    return word.lower()


def strip_comments(go: str) -> str:
    go = re.sub(r"/\*.*?\*/", "", go, flags=re.S)
    return re.sub(r'//[^\n"]*(?=\n)', "", go)


def closing(text: str, start: int) -> int:
    """The index of the brace closing the one at ``start`` (skipping string literals)."""
    depth, i = 0, start
    while i < len(text):
        c = text[i]
        if c in "\"`":
            i = text.index(c, i + 1) + 1 if c == "`" else _string_end(text, i)
            continue
        depth += (c == "{") - (c == "}")
        if depth == 0:
            return i
        i += 1
    raise ValueError("unbalanced braces")


def _string_end(text: str, i: int) -> int:
    i += 1
    while text[i] != '"':
        i += 2 if text[i] == "\\" else 1
    return i + 1


_ENTRY = re.compile(r'(?:"(?P<lit>[a-z0-9_]+)"|names\.(?P<const>Attr\w+))\s*:\s*'
                    r'(?:&?schema\.(?:Schema|\w+Attribute|\w+Block)|)\s*\{')
_FORCES = re.compile(r"ForceNew:\s*true|\w+planmodifier\.RequiresReplace\(\)")
_CONDITIONAL = re.compile(r"\w+planmodifier\.RequiresReplaceIf\w*\(")


def attributes(body: str, prefix: str = "") -> dict[str, str]:
    """Every attribute path in a schema body → "always" | "if" | "" (does not replace)."""
    found: dict[str, str] = {}
    pos = 0
    while (match := _ENTRY.search(body, pos)) is not None:
        start = match.end() - 1
        end = closing(body, start)
        name = match.group("lit") or attr_name(match.group("const"))
        inner = body[start + 1:end]
        nested = attributes(inner, f"{prefix}{name}.")
        own = inner
        for child in _ENTRY.finditer(inner):  # its own flags: what is not inside a nested attribute
            own = own.replace(inner[child.end() - 1:closing(inner, child.end() - 1) + 1], "")
        found[prefix + name] = "always" if _FORCES.search(own) else "if" if _CONDITIONAL.search(own) else ""
        found.update(nested)
        pos = end + 1
    return found


def conditional_force_new(go: str) -> set[str]:
    """Attributes replaced only under a condition: ``customdiff.ForceNewIf*`` and ``diff.ForceNew`` in a CustomizeDiff."""
    return {m.group("lit") or attr_name(m.group("const")) for m in re.finditer(
        r'(?:customdiff\.ForceNewIf\w*\(|\.ForceNew\()\s*(?:"(?P<lit>[a-z0-9_.]+)"|names\.(?P<const>Attr\w+))', go)}


def package_constant(name: str, read) -> str:
    """A service's own attribute-name constant (``attrRestAPIID`` in apigateway) as the string literal it is."""
    found = re.search(rf'{name}\s*=\s*("[a-z0-9_]+")', read(name) or "")
    if found is None:
        raise LookupError(f"constant {name} not found in the index")
    return found.group(1)


_REFERENCE = re.compile(r"\b(?P<field>Schema|SchemaFunc|Elem|CustomizeDiff):\s*(?:maps\.Clone\()?(?P<name>[a-z]\w*)"
                        r"(?P<call>\(\))?\)?(?=,)")


def inlined(go: str, read, depth: int = 3) -> str:
    """The schema with the vars and functions it names (``Schema: topicSchema``, ``Elem: ruleSchema()``,
    ``CustomizeDiff: resourceTopicCustomizeDiff``) pasted in where they are named."""
    def body(match: re.Match) -> str:
        text = read(match.group("name"))
        if text is None:
            return match.group(0)
        text = strip_comments(text)
        if match.group("field") == "CustomizeDiff":
            return f"{match.group(0)} /* {text} */"  # read for its ForceNew calls only
        start = re.search(r"(?:&schema\.Resource|map\[string\]\*schema\.Schema)\s*\{", text)
        if start is None:
            return match.group(0)
        literal = text[start.start():closing(text, start.end() - 1) + 1]
        return f"{match.group('field')}: {inlined(literal, read, depth - 1) if depth else literal}"
    return _REFERENCE.sub(body, go)


def plurals(name: str) -> tuple[str, ...]:
    """The attribute's name and the plural pulumi-aws gives a list block (``local_secondary_index`` →
    ``local_secondary_indexes``)."""
    return (name, name + "s", name + "es", name[:-1] + "ies", name.replace("_to_", "s_to_"))


def sdk_arguments(token: str) -> set[str]:
    """The installed pulumi-aws's argument names (snake_case) of a resource type."""
    module, name = token.split(":")[1].split("/")
    package = importlib.import_module(f"pulumi_aws.{module}_" if module == "lambda" else f"pulumi_aws.{module}")
    cls = getattr(package, token.split(":")[2])
    return {p for p in inspect.signature(cls._internal_init).parameters if p not in ("__self__", "resource_name", "opts")}


def terraform_name(token: str, known: set[str]) -> str:
    if token in TERRAFORM_NAMES:
        return TERRAFORM_NAMES[token]
    module, name = token.split(":")[1].split("/")
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
    for candidate in (f"aws_{MODULES.get(module, module)}_{snake}", f"aws_{module}_{snake}", f"aws_{snake}"):
        if candidate in known:
            return candidate
    raise LookupError(f"{token}: no Terraform resource of that name in the index")


def schema_source(repo: Path, tag: str, entry: dict, crud: dict, service: str) -> tuple[str, str]:
    """The schema function's path and text: a framework resource's ``Schema`` method, or the SDKv2
    function whose ``schema.Resource`` names the resource's create function."""
    folder = f"index/internal/service/{service}"
    if entry["sdk_type"] == "framework":
        # The index names no struct for the egress rule: like the ingress rule (which it mirrors,
        # type.securityGroupEgressRuleResource), it embeds securityGroupRuleResource and its Schema.
        struct = entry.get("struct_type") or {"aws_vpc_security_group_egress_rule": "securityGroupRuleResource"}[
            entry["terraform_type"]]
        path = f"{folder}/method.{struct}.Schema.goindex"
    else:
        pattern = rf"Create(WithoutTimeout|Context)?:\s+{crud['create_method']},"
        found = subprocess.run(["git", "--git-dir", str(repo), "grep", "-l", "-E", pattern, tag, "--", folder],
                               capture_output=True, text=True).stdout.split()
        if len(found) != 1:
            raise LookupError(f"{entry['terraform_type']}: {len(found)} schema functions name {crud['create_method']}")
        path = found[0].split(":", 1)[1]
    return path, git_show(repo, tag, path)


def extract(repo: Path, tag: str, tokens: list[str]) -> dict:
    index = json.loads(git_show(repo, tag, "index/terraform-provider-aws-index.json"))
    entries = {}
    for service in index["services"]:
        for kind in ("aws_sdk_resources", "aws_framework_resources"):
            for tf, entry in (service.get(kind) or {}).items():
                entries[tf] = (service["service_name"], entry, (service.get("resource_crud_methods") or {}).get(tf, {}))
    types: dict[str, dict] = {}
    problems = []
    for token in tokens:
        tf = terraform_name(token, set(entries))
        service, entry, crud = entries[tf]
        path, go = schema_source(repo, tag, entry, crud, service)
        folder = path.rsplit("/", 1)[0]

        def read(name: str, folder=folder) -> str | None:
            for kind in ("var", "func"):
                try:
                    return git_show(repo, tag, f"{folder}/{kind}.{name}.goindex")
                except subprocess.CalledProcessError:
                    continue
            return None

        go = inlined(strip_comments(go), read)
        go = re.sub(r"\b(attr[A-Z]\w*)(?=\s*:)", lambda m: package_constant(m.group(1), read), go)
        attrs = attributes(re.sub(r"/\*.*?\*/", "", go, flags=re.S))
        if not attrs:
            problems.append(f"{token} ({tf}): no attributes parsed from {path}")
            continue
        arguments = sdk_arguments(token)

        def pulumi_path(tf_path: str) -> str:
            head, *rest = tf_path.split(".")
            head = RENAMES.get((tf, head)) or next((name for name in plurals(head) if name in arguments), head)
            if head not in arguments:
                problems.append(f"{token}: Terraform attribute {tf_path!r} is no argument of pulumi-aws's {token}")
            return ".".join(camel(part) for part in (head, *rest))

        always = sorted(pulumi_path(p) for p, force in attrs.items() if force == "always")
        conditional = sorted({pulumi_path(p) for p, force in attrs.items() if force == "if"}
                             | {pulumi_path(p) for p in conditional_force_new(go)})
        # Terraform v6 gives every regional resource a region argument; moving regions is a new resource.
        if "region" in arguments and "region" not in always:
            always.append("region")
        types[token] = {"kind": "terraform", "terraform": tf, "replace_on": sorted(always), "replace_if": conditional,
                        "source": f"terraform-provider-aws {tag} internal/service/{service}: "
                                  f"{path.rsplit('/', 1)[1].removesuffix('.goindex')}"}
    if problems:
        raise SystemExit("extraction failed:\n  " + "\n  ".join(problems))
    return types


def dynamic_entries() -> dict:
    """Each dynamic resource's replacing inputs, as its provider's ``diff`` decides them."""
    from local.engine.types import TYPES
    from multitier._replacement import dynamic_providers

    entries = {}
    for token, provider in dynamic_providers().items():
        if token not in TYPES:
            raise LookupError(f"{token}: no record in local/engine/types.py")
        entries[token] = {"kind": "dynamic", "replace_on": sorted(provider.REPLACES), "replace_if": [],
                          "source": f"{provider.__module__}.{provider.__qualname__} (its diff and check)"}
    return entries


def main(argv: list[str]) -> int:
    from local.engine.types import TYPES  # every type the program can register

    repo, tag = Path(argv[0]), argv[1]
    git_dir = repo if (repo / "HEAD").is_file() else repo / ".git"
    tokens = sorted(t for t, record in TYPES.items() if record.kind == "terraform")
    document = {
        "provider": {"pulumi-aws": version("pulumi_aws"), "terraform-provider-aws": tag,
                     "read_from": "github.com/lonegunmanb/terraform-provider-aws-index (tag " + tag + ": the provider's "
                                  "internal/ functions, verbatim)",
                     "method": "python -m multitier._replacement.extract: ForceNew / RequiresReplace per schema "
                               "attribute, mapped to pulumi-aws inputs checked against the installed SDK"},
        "types": {**extract(git_dir, tag, tokens),
                  **{token: {**entry, "replace_on": sorted(entry["renews"])} for token, entry in AWSX.items()},
                  **RANDOM, **dynamic_entries(), **PROVIDER}}
    OUT.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")
    print(f"{OUT}: {len(document['types'])} types")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
