"""Load generator for ``bench_load.py``: N concurrent HTTP/1.1 clients posting pre-signed entries.

Run as its own process (``python benchmarks/loadgen.py --help``) so that its CPU
is not the server's. Each client holds one keep-alive connection and posts the
next body from the shared list as soon as it has the previous answer, until
the time is up or the bodies run out. The client is a minimal asyncio HTTP/1.1
client (a few microseconds per request) rather than an HTTP library, so that on
a 2-core machine the measurement is of the server, not of the generator.

Input: a file of request bodies, one signed submission per line (NDJSON), and
a file of their entry ids in the same order. Output (stdout): one JSON object
with the window, per-request latencies of acknowledged requests, the acknowledged
entry ids and any error answers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any


async def run(
    host: str, port: int, clients: int, seconds: float, bodies: list[bytes], ids: list[str]
) -> dict[str, Any]:
    latencies: list[float] = []
    acked: list[str] = []
    errors: list[str] = []
    statuses: dict[int, int] = {}
    next_body = 0
    connections = [await asyncio.open_connection(host, port) for _ in range(clients)]
    start = time.perf_counter()
    deadline = start + seconds

    async def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal next_body
        while time.perf_counter() < deadline and next_body < len(bodies):
            i = next_body
            next_body += 1
            body = bodies[i]
            head = (
                b"POST /v1/entries HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\n\r\n" % (host.encode(), len(body))
            )
            sent = time.perf_counter()
            writer.write(head + body)
            header = await reader.readuntil(b"\r\n\r\n")
            status = int(header[9:12])
            length = 0
            for line in header.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            answer = await reader.readexactly(length)
            elapsed = time.perf_counter() - sent
            statuses[status] = statuses.get(status, 0) + 1
            if status in (200, 201):
                latencies.append(elapsed)
                acked.append(ids[i])
            elif len(errors) < 20:
                errors.append(f"{status}: {answer[:300].decode(errors='replace')}")
        writer.close()

    await asyncio.gather(*(client(r, w) for r, w in connections))
    window = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "cpu": usage.ru_utime + usage.ru_stime,
        "clients": clients,
        "window": window,
        "sent": next_body,
        "ran_out": next_body >= len(bodies),
        "statuses": statuses,
        "latencies": latencies,
        "acked": acked,
        "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--clients", type=int, required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--bodies", type=Path, required=True, help="NDJSON: one body per line")
    parser.add_argument("--ids", type=Path, required=True, help="entry ids, one per line")
    args = parser.parse_args()
    bodies = args.bodies.read_bytes().splitlines()
    ids = args.ids.read_text().split()
    result = asyncio.run(run(args.host, args.port, args.clients, args.seconds, bodies, ids))
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
