"""API routes and pages for UN General Assembly roll-call votes (resolutions, votes) and Security Council terms."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
