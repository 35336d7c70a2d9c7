"""Write an areas configuration for the municipalities of a county.

From a PxWeb JSON-stat 2.0 response (any table with a ``Region`` dimension, e.g. the
population file of the inbox) or, without one, from the bundled list of Stockholms län's
26 municipalities. The bundled ``lagesbild/conf/municipalities_stockholms_lan.yaml`` is this
script's output (``tests`` check it is up to date).

Usage: ``python scripts/generate_municipalities.py [--pxweb FILE] [--county 01] [--out FILE]``
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

try:  # imported: the project root is on sys.path
    from scripts._root import ROOT
except ModuleNotFoundError:  # run as a file: only scripts/ is, until _root adds the root
    from _root import ROOT

from lagesbild.municipalities import (  # noqa: E402 - needs the project root on sys.path
    STOCKHOLMS_LAN,
    municipality_areas,
    regions_from_pxweb,
    write_areas,
)

DEFAULT_OUT = ROOT / "lagesbild" / "conf" / "municipalities_stockholms_lan.yaml"


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pxweb", type=Path, help="a PxWeb JSON-stat 2.0 response")
    parser.add_argument("--county", default="01", help="SCB county code (default 01)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="YAML file to write")
    args = parser.parse_args(argv)
    regions = regions_from_pxweb(args.pxweb) if args.pxweb else STOCKHOLMS_LAN
    config = municipality_areas(regions, county=args.county)
    if not config["areas"]:
        print(f"no municipality of county {args.county} in the input", file=sys.stderr)
        return 1
    write_areas(config, args.out, county=args.county)
    print(f"wrote {args.out} ({len(config['areas'])} municipalities)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
