#!/usr/bin/env python3
"""Check recorded HTTP exchanges against the service's OpenAPI 3.1 document.

    scripts/check_api_responses.py [--openapi docs/openapi.yaml] [--require-all] FILE.jsonl|-

Each line of FILE: {"method": "GET", "path": "/api/v1/interviews/iv-1", "status": 200,
"contentType": "application/json", "body": "<the body as text>"}.

For every exchange: the path must match a documented path template (literal segments win
over {parameters}), the method must be documented for it, the status must be one of the
operation's responses, the media type (before any ';') must be one the response documents,
and a JSON body must validate against the response schema (JSON Schema 2020-12, formats
checked). With --require-all, every documented operation must appear at least once.

Prints `ok METHOD PATH STATUS` or `invalid METHOD PATH STATUS: reason` per exchange, then the
operations never exercised; exits 1 if anything is off, 2 on a usage problem.
"""
import argparse
import json
import re
import sys
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator, FormatChecker


def resolve(node, root):
    """Inlines every local $ref (the document has no cycles)."""
    if isinstance(node, dict):
        if "$ref" in node:
            target = root
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            return resolve(target, root)
        return {key: resolve(value, root) for key, value in node.items()}
    if isinstance(node, list):
        return [resolve(item, root) for item in node]
    return node


def match(templates, path):
    """The template matching path, preferring literal segments."""
    segments = path.split("?")[0].rstrip("/").split("/")
    best = None
    for template in templates:
        parts = template.rstrip("/").split("/")
        if len(parts) != len(segments):
            continue
        score = 0
        for part, segment in zip(parts, segments):
            if re.fullmatch(r"\{[^}]+\}", part):
                continue
            if part != segment:
                break
            score += 1
        else:
            if best is None or score > best[0]:
                best = (score, template)
    return best[1] if best else None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--openapi", type=Path, default=Path(__file__).resolve().parent.parent / "docs" / "openapi.yaml")
    parser.add_argument("--require-all", action="store_true")
    parser.add_argument("file")
    args = parser.parse_args(argv)
    document = yaml.safe_load(args.openapi.read_text())
    paths = resolve(document["paths"], document)
    lines = (sys.stdin if args.file == "-" else open(args.file)).read().splitlines()
    failures = 0
    seen = set()
    for line in filter(str.strip, lines):
        exchange = json.loads(line)
        method, path, status = exchange["method"].lower(), exchange["path"], str(exchange["status"])
        label = f"{method.upper()} {path} {status}"
        template = match(paths.keys(), path)
        problem = None
        if template is None:
            problem = "path not in the document"
        elif method not in paths[template]:
            problem = f"method not documented for {template}"
        else:
            seen.add((template, method))
            responses = paths[template][method].get("responses", {})
            if status not in responses:
                problem = f"status not documented (documented: {', '.join(sorted(responses))})"
            else:
                content = responses[status].get("content", {})
                media = (exchange.get("contentType") or "").split(";")[0].strip()
                if content and media not in content:
                    problem = f"media type {media!r} not documented (documented: {', '.join(sorted(content))})"
                elif content and media.endswith("json"):
                    try:
                        body = json.loads(exchange.get("body") or "null")
                    except json.JSONDecodeError as error:
                        problem = f"body is not JSON: {error}"
                    else:
                        schema = content[media].get("schema", {})
                        errors = sorted(Draft202012Validator(schema, format_checker=FormatChecker()).iter_errors(body), key=lambda e: list(e.path))
                        if errors:
                            where = "/".join(str(p) for p in errors[0].path) or "$"
                            problem = f"body {where}: {errors[0].message}"
        if problem:
            failures += 1
            print(f"invalid {label}: {problem}")
        else:
            print(f"ok {label}")
    if args.require_all:
        for template, operations in paths.items():
            for method in operations:
                if method in ("get", "post", "put", "patch", "delete") and (template, method) not in seen:
                    failures += 1
                    print(f"never exercised {method.upper()} {template}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
