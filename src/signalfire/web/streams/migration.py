"""API routes and pages for migration and displacement: UNHCR, Frontex, IOM Missing Migrants, IDMC, Eurostat."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
