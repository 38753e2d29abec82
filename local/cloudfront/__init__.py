"""CloudFront's stand-in: each distribution served on 127.0.0.1 from its bucket in the emulator."""

from local.cloudfront.site_server import SiteServer

__all__ = ["SiteServer"]
