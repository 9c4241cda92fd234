"""API routes and pages for arms-control and non-proliferation instruments and each state's actions under them."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
