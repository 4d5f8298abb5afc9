"""Helpers for testing against IEF without the cloud: the local API emulator."""
