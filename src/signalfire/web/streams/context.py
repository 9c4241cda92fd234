"""API routes and pages for context per country: military expenditure, capabilities, alliances, leaders."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
