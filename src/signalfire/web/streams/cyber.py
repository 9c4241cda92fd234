"""API routes and pages for cyber operations (CFR, DCID) and STIX 2.1 objects (bundles, ATT&CK)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
