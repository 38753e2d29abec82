"""The package's version: semantic versioning, released as CHANGELOG.md says."""

__version__ = "0.1.0"
