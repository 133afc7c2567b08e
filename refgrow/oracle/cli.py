"""``python -m refgrow oracle export|check|list``: the golden vectors from the command line."""
from __future__ import annotations

import argparse
import sys

__all__ = ["main"]

_EPILOG = """examples:
  python -m refgrow oracle export --out golden/
  python -m refgrow oracle check golden/ --impl mypkg.tiny:best_update
  python -m refgrow oracle check golden/ --impl mypkg.tiny          (every function the module defines)
  python -m refgrow oracle check golden/ --impl mypkg.ops:solve --function tiny.best_update
exit status of check: 0 all cases pass, 1 some fail, 2 bad usage."""


def main(argv=None) -> int:
    """Entry point of ``python -m refgrow oracle``; returns the exit status."""
    from refgrow.oracle.cases import OUTPUTS
    from refgrow.oracle.check import check, export

    p = argparse.ArgumentParser(prog="python -m refgrow oracle", epilog=_EPILOG,
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                description="Golden vectors for checking another implementation against refgrow.")
    sub = p.add_subparsers(dest="action", metavar="{export,check,list}")
    pe = sub.add_parser("export", help="write the golden vectors (.json + .npz per case, manifest.json)")
    pe.add_argument("--out", required=True, help="output directory (created)")
    pe.add_argument("--case", action="append", default=None,
                    help="only cases whose name starts with this or whose function is this (repeatable)")
    pc = sub.add_parser("check", help="run an implementation on exported golden vectors and report per case")
    pc.add_argument("directory", help="a directory written by `oracle export`")
    pc.add_argument("--impl", required=True,
                    help="package.module:function (one function) or package.module (all it defines); 'refgrow' "
                         "checks refgrow itself")
    pc.add_argument("--function", default=None,
                    help=f"which exported function --impl implements (default: from its name); one of "
                         f"{', '.join(sorted(OUTPUTS))}")
    pc.add_argument("--case", action="append", default=None, help="only cases whose name starts with this")
    sub.add_parser("list", help="list the functions that have golden vectors and their outputs")
    a = p.parse_args(argv)
    if a.action is None:
        p.print_help()
        return 0
    if a.action == "list":
        for fn, outs in sorted(OUTPUTS.items()):
            print(f"{fn:40s} -> {outs if isinstance(outs, str) else ', '.join(outs)}")
        return 0
    if a.action == "export":
        names = export(a.out, cases=a.case)
        print(f"wrote {len(names)} cases to {a.out} (manifest.json, one .json and one .npz per case)")
        return 0
    results = check(a.directory, a.impl, function=a.function, cases=a.case)
    if not results:
        raise ValueError(f"--case {a.case!r} matches no case in {a.directory}")
    for r in results:
        print(r.line())
    n_bad = sum(not r.passed for r in results)
    print(f"{len(results) - n_bad} of {len(results)} cases pass" + (f", {n_bad} fail" if n_bad else ""))
    return 1 if n_bad else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
