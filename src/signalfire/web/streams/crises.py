"""API routes and pages for international crises and militarised interstate disputes (ICB, MID) with their actors."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
