"""What tracing lets a role do."""

from __future__ import annotations

from fangkong.core.auth import declare

EDIT_TRACING = declare("edit_tracing", "commander", "tracer")
