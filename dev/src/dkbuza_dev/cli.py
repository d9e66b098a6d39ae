"""`dkbuza` command line: `run` the whole system, mint development `token`s."""

import argparse
import sys

from dkbuza_kit.tokens import dev_signing_key


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dkbuza", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="start PostgreSQL, migrations, demo data and all apps")
    run.add_argument("--no-demo", action="store_true", help="skip loading demo data")
    run.add_argument("--workers", type=int, default=2,
                     help="uvicorn worker processes per service (default 2; the gateway runs 1)")

    token = commands.add_parser("token", help="print a development bearer token")
    token.add_argument("--role", action="append", default=[], help="repeatable")
    token.add_argument("--org", default="dkbuza")
    token.add_argument("--sub", default="dev-user")
    token.add_argument("--team", action="append", default=[], help="repeatable (planning)")
    token.add_argument("--ttl", type=int, default=3600, help="seconds")

    args = parser.parse_args(argv)
    if args.command == "token":
        if not args.role:
            parser.error("give at least one --role")
        key = dev_signing_key()
        print(key.mint(sub=args.sub, roles=args.role, org=args.org, teams=args.team,
                       ttl_seconds=args.ttl))
        return 0
    from dkbuza_dev.devrun import run as run_all

    return run_all(skip_demo=args.no_demo, workers=max(1, args.workers))


if __name__ == "__main__":
    sys.exit(main())
