"""Stack settings → tier arguments: the one place that translates the settings model.

Tier components take plain typed arguments (their defaults are the secure choice)
and know nothing of ``multitier/_settings``; the patterns build them here, so a
setting reaches every component it concerns the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

import pulumi

from multitier._declarations import contract
from multitier._data.bucket import BucketLifecycle
from multitier._data.cache import CacheArgs
from multitier._data.database import DatabaseArgs
from multitier._data.file_system import FileSystemArgs
from multitier._data.table import TableArgs
from multitier._identity.user_pool import Federation, UserPoolArgs
from multitier._logic.api_domain import ApiDomain, ApiDomainArgs
from multitier._logic.api_stage import StageOptions
from multitier._logic.function import FunctionRuntime
from multitier._logic.rest_api import RestApiArgs
from multitier._logic.routes import Auth, Route, Throttle, noted
from multitier._network.network import DEFAULT_INTERFACE_SERVICES, Network, NetworkArgs
from multitier._ops.alarms import AlarmsArgs
from multitier._ops.watch import Watch
from multitier._presentation.amplify_hosting import AmplifyHostingArgs
from multitier._presentation.static_site import RuntimeConfig, StaticSiteArgs
from multitier._release.shift import TrafficShift
from multitier._settings.model import Settings


def table(s: Settings, **spec) -> TableArgs:
    """A table of ``spec`` (keys, indexes, TTL) with the stack's recovery and protection."""
    return TableArgs(**spec, point_in_time_recovery=s.data.point_in_time_recovery,
                     deletion_protection=s.data.deletion_protection)


def bucket_lifecycle(s: Settings) -> BucketLifecycle:
    return BucketLifecycle(versioning=s.data.bucket_versioning,
                           noncurrent_version_days=s.data.noncurrent_version_days,
                           force_destroy=s.data.force_destroy, protect=s.data.deletion_protection,
                           access_logs=s.data.bucket_access_logs)


def network(s: Settings, region: str) -> NetworkArgs:
    n = s.network
    needs_xray = s.lambda_.tracing and n.nat == "none"  # with NAT, or untraced, nobody sends to it
    services = tuple(service for service in DEFAULT_INTERFACE_SERVICES if service != "xray" or needs_xray)
    return NetworkArgs(cidr=n.cidr, az_count=n.az_count, nat=n.nat, flow_log_retention_days=n.flow_log_retention_days,
                       interface_services=services, region=region)


def database(s: Settings, network: Network) -> DatabaseArgs:
    d = s.database
    return DatabaseArgs(network=network, min_capacity=d.min_capacity, max_capacity=d.max_capacity,
                        seconds_until_auto_pause=d.seconds_until_auto_pause,
                        backup_retention_days=d.backup_retention_days, deletion_protection=s.data.deletion_protection,
                        skip_final_snapshot=d.skip_final_snapshot, proxy=d.proxy, engine_version=d.engine_version)


def cache(s: Settings, network: Network, unique_suffix: str) -> CacheArgs:
    c = s.cache
    return CacheArgs(network=network, mode=c.mode, engine=c.engine, node_type=c.node_type, replicas=c.replicas,
                     max_storage_gb=c.max_storage_gb, ttl_seconds=c.ttl_seconds, unique_suffix=unique_suffix)


def file_system(s: Settings, network: Network, root_directory: str) -> FileSystemArgs:
    """A file system with a mount target in each of the network's availability zones."""
    return FileSystemArgs(network=network, subnet_count=s.network.az_count, root_directory=root_directory,
                          backups=s.efs.backups, transition_to_ia_days=s.efs.transition_to_ia_days,
                          protect=s.data.deletion_protection)


def user_pool(s: Settings, region: str, unique_suffix: str) -> UserPoolArgs:
    i, f = s.identity, s.federation
    federation = None if f.provider == "none" else Federation(
        kind=f.provider, name=f.name, attribute_mapping=f.mapping(), issuer=f.issuer, client_id=f.client_id,
        client_secret_arn=f.client_secret_arn, scopes=f.scopes, metadata_url=f.metadata_url)
    return UserPoolArgs(region=region, mfa=i.mfa, advanced_security=i.advanced_security,
                        domain_prefix=i.domain_prefix, callback_urls=tuple(i.callback_urls),
                        access_token_minutes=i.access_token_minutes, refresh_token_days=i.refresh_token_days,
                        protect=i.protect, unique_suffix=unique_suffix, self_sign_up=i.self_sign_up,
                        federation=federation)


def function_runtime(s: Settings) -> FunctionRuntime:
    f = s.lambda_
    return FunctionRuntime(architecture=f.architecture, memory_mb=f.memory_mb, timeout_seconds=f.timeout_seconds,
                           log_retention_days=f.log_retention_days, tracing=f.tracing)


def stage(s: Settings) -> StageOptions:
    a = s.api
    return StageOptions(name=a.stage_name, throttle=Throttle(rate=a.throttle_rate, burst=a.throttle_burst),
                        logging_level=a.logging_level, access_log_retention_days=a.access_log_retention_days,
                        cache_enabled=a.cache_enabled, cache_size_gb=a.cache_size_gb,
                        cache_ttl_seconds=a.cache_ttl_seconds, canary_percent=a.canary_percent,
                        canary_bake_minutes=s.release.api_bake_minutes, canary_latency_p99_ms=s.alarms.latency_p99_ms,
                        usage_plan=a.usage_plan, usage_quota_per_day=a.usage_quota_per_day, waf=a.waf,
                        waf_rate_limit=a.waf_rate_limit)


def rest_api(s: Settings, provider_settings: Mapping[str, Any], routes: Sequence[Route], default_auth: Auth,
             description: str, domain: ApiDomain | None = None, base_path: str = "") -> RestApiArgs:
    a = s.api
    if a.cache_enabled:  # the stage cache answers GETs from its copy: say so where clients read
        routes = noted(routes, f"API Gateway's stage cache may answer a copy up to {a.cache_ttl_seconds} s old "
                               f"(apiCacheTtlSeconds).")
    return RestApiArgs(routes=routes, default_auth=default_auth, description=description,
                       endpoint_type=a.endpoint_type, private_vpc_endpoint_ids=a.private_vpc_endpoint_ids,
                       cors_origins=a.cors_origins, stage=stage(s), domain=domain, base_path=base_path,
                       provider_settings=provider_settings)


def traffic_shift(s: Settings, service: str) -> TrafficShift:
    """How ``service``'s functions are released (``releaseServices``, else ``releaseFunctions``)."""
    unknown = sorted({item.split("=", 1)[0] for item in s.release.services} - set(contract.CONTRACTS))
    if unknown:
        raise ValueError(f"releaseServices names {', '.join(unknown)}, which no function runs "
                         f"(services: {', '.join(contract.CONTRACTS)})")
    return TrafficShift.parse(s.release.of(service))


def api_domain(s: Settings, subdomain: str) -> ApiDomainArgs | None:
    """``<subdomain>.<domainName>`` for APIs, or None when the stack has no domain."""
    d = s.domain
    if not d.name:
        return None
    return ApiDomainArgs(domain_name=f"{subdomain}.{d.name}", hosted_zone_id=d.hosted_zone_id,
                         certificate_arn=d.api_certificate_arn, mtls_truststore_uri=d.mtls_truststore_uri)


def alarms(s: Settings, watches: Sequence[Watch]) -> AlarmsArgs:
    return AlarmsArgs(email=s.alarms.email, watches=watches, protect=s.data.deletion_protection)


def static_site(s: Settings, content_dir: Path, config: RuntimeConfig, api_origin: pulumi.Input[str],
                auth_origin: str, subdomain: str, provider_settings: Mapping[str, Any]) -> StaticSiteArgs:
    """A site at ``<subdomain>.<domainName>`` (CloudFront's name without a domain)."""
    d, site = s.domain, s.site
    return StaticSiteArgs(
        buckets=bucket_lifecycle(s), content_dir=content_dir, config=config, api_origin=api_origin,
        auth_origin=auth_origin, domain_name=f"{subdomain}.{d.name}" if d.name else "",
        hosted_zone_id=d.hosted_zone_id, price_class=site.price_class, waf=site.waf,
        waf_rate_limit=s.api.waf_rate_limit, access_logs=site.access_logs, provider_settings=provider_settings)


def amplify_hosting(s: Settings, build_dir: Path, region: str, config: RuntimeConfig,
                    connect_origins: Sequence[pulumi.Input[str]], subdomain: str,
                    provider_settings: Mapping[str, Any]) -> AmplifyHostingArgs:
    """An Amplify app at ``<subdomain>.<domainName>`` (Amplify's own name without a domain)."""
    return AmplifyHostingArgs(build_dir=build_dir, buckets=bucket_lifecycle(s), region=region, config=config,
                              connect_origins=connect_origins, domain_name=s.domain.name,
                              subdomain=subdomain if s.domain.name else "", waf=s.site.waf,
                              waf_rate_limit=s.api.waf_rate_limit, provider_settings=provider_settings)
