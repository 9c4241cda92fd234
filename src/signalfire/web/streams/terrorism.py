"""API routes and pages for terrorism aggregates (GTD country-year)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
