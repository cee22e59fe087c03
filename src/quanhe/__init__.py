"""quanhe: Vietnamese news on ASEAN's external relations -> cited facts -> a queryable store."""

__version__ = "0.2.0"
