"""`python -m planning.cli import <file> [--replace]`: the same import as `POST /v1/plans/import`."""

import argparse
import asyncio
import json
import sys
from pathlib import Path

from pydantic import SecretStr

from dkbuza_kit.db import create_engine
from dkbuza_kit.db import create_sessionmaker
from dkbuza_kit.problems import ProblemError
from planning.plan_import.service import decode_and_parse
from planning.plan_import.service import import_plan
from planning.settings import PlanningSettings


async def run_import(database_url: str | SecretStr, data: bytes, filename: str, replace: bool) -> dict:
    engine = create_engine(database_url, pool_size=1, max_overflow=0)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            parsed = decode_and_parse(data)
            return await import_plan(session, parsed, replace=replace, filename=filename)
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m planning.cli")
    commands = parser.add_subparsers(dest="command", required=True)
    importer = commands.add_parser("import", help="import a plan text export")
    importer.add_argument("file", type=Path)
    importer.add_argument("--replace", action="store_true",
                          help="replace an existing plan of the same year")
    args = parser.parse_args(argv)
    if not args.file.is_file():
        print(f"no such file: {args.file}", file=sys.stderr)
        return 2
    try:
        report = asyncio.run(run_import(PlanningSettings().database_url, args.file.read_bytes(),
                                        args.file.name, args.replace))
    except ProblemError as exc:
        print(json.dumps({"status": exc.status, "code": exc.code, "detail": exc.detail,
                          "errors": exc.errors}, indent=2, ensure_ascii=False), file=sys.stderr)
        return 1
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
