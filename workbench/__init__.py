"""gRPC Workbench: a desktop gRPC client."""

__version__ = "0.1.0"
