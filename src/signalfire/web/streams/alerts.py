"""API routes and pages for alert rules, firings and the delivery outbox."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
