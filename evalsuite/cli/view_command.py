"""`evalsuite view`: look at runs in a web browser, or export them as one HTML file."""

from __future__ import annotations

import argparse
import sys

from evalsuite.cli.options import parse_count


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "view",
        help="look at runs in a web browser: tables, plots and every sample; or export one HTML file",
        description=(
            "Serve a local web page over run directories (shards merge, as in `report`): the "
            "summary table and plots, the manifests, every sample filtered and paged on the "
            "server, and each sample's prompt, output and answer compared with the gold element "
            "by element and step by step. Directories holding the over-squashing study's "
            "collapse.csv or sensitivity.csv are drawn too. The runs are only read; each run's "
            "index of samples.jsonl is kept beside it as samples.idx (installing pyarrow, as in "
            "evalsuite[parquet], makes indexing about five times faster)."
        ),
        allow_abbrev=False,
    )
    parser.add_argument("runs", nargs="+", metavar="RUN_DIR", help="run directories (or over-squashing output folders)")
    parser.add_argument("--port", default="0", help="port to listen on (default: a free one)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default: 127.0.0.1; anything else lets other machines read the runs)")
    parser.add_argument("--export", metavar="PATH", help="write one self-contained HTML file here instead of serving")
    parser.add_argument("--export-samples", default="200", metavar="N",
                        help="samples in the exported file, those not right first (default: 200)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import threading

    from evalsuite.view import RunSet, ViewerServer, export_report
    from evalsuite.view.overview import overview, warm
    from evalsuite.view.server import is_loopback

    port = parse_count(args.port, "--port")
    samples = parse_count(args.export_samples, "--export-samples")
    runs = RunSet(args.runs)
    if args.export:
        print(f"wrote {export_report(runs, args.export, samples)}", file=sys.stderr)
        return 0
    overview(runs, None, None)  # index the runs and summarise them before the page asks
    server = ViewerServer(runs, args.host, port)
    if not is_loopback(args.host):
        print(f"evalsuite: warning: listening on {args.host}: anyone who can reach this machine can read these runs",
              file=sys.stderr)
    print(f"evalsuite view: {server.url}  (Ctrl-C to stop)", flush=True)
    threading.Thread(target=warm, args=(runs,), daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:  # the usual way to stop it
        print("evalsuite view: stopped", file=sys.stderr)
    finally:
        server.server_close()
    return 0
