"""Strict JSON for the validation scripts: no NaN or Infinity, no member named twice."""
from __future__ import annotations

import json
from typing import Any


class DuplicateKey(ValueError):
    """A JSON object names the same member twice."""


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    """json object_pairs_hook that rejects a member name given twice."""
    result: dict = {}
    for key, value in pairs:
        if key in result:
            raise DuplicateKey(f"duplicate member {key!r}")
        result[key] = value
    return result


def _no_constants(name: str) -> Any:
    """json parse_constant hook that rejects NaN and Infinity."""
    raise ValueError(f"{name} is not valid JSON")


def loads(text: str) -> Any:
    """Parses `text` strictly."""
    return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
