"""Tatum Customer SDK."""
