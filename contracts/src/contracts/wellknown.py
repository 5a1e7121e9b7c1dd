"""Identifiers every service agrees on without asking another service."""

from uuid import UUID

# The national centre (Tổng Liên đoàn Lao động Việt Nam) is the root of the tree.
# orgtree creates it in its first migration; identity grants the first administrator on it.
NATIONAL_CENTRE_ID = UUID("00000000-0000-4000-8000-000000000001")
NATIONAL_CENTRE_CODE = "TLD"
