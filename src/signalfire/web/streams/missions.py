"""API routes and pages for peacekeeping and other missions: missions, mission-months, contributions, fatalities, deployment sites."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
