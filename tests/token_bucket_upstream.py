#!/usr/bin/env python3
"""A local HTTP upstream with a token-bucket limit, for the worker's rate tests.

Every POST takes a token from a bucket of --burst tokens refilled at --rate per second; without
one it answers 429 with `Retry-After` (whole seconds, rounded up) and the OpenAI-style
`x-ratelimit-remaining-requests: 0` / `x-ratelimit-reset-requests: <ms>ms`. It counts calls:
GET /stats gives {"accepted": [unix times], "throttled": [unix times]}. POST /rate with
{"rate": R} changes the rate.

Usage: token_bucket_upstream.py [--rate 10] [--burst 3] [--port 0]   (prints the port)
"""
import argparse
import json
import math
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Bucket:
    def __init__(self, rate, burst):
        self.rate, self.burst = rate, burst
        self.tokens, self.at = float(burst), time.monotonic()
        self.lock = threading.Lock()
        self.accepted, self.throttled = [], []

    def take(self):
        """0 when a token was taken, else the seconds until one is there."""
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
            self.at = now
            if self.tokens >= 1:
                self.tokens -= 1
                self.accepted.append(time.time())
                return 0.0
            self.throttled.append(time.time())
            return (1 - self.tokens) / self.rate


def handler_for(bucket):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive

        def log_message(self, *args):
            pass

        def reply(self, status, body, headers=()):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in headers:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            with bucket.lock:
                self.reply(200, {"accepted": list(bucket.accepted),
                                 "throttled": list(bucket.throttled)})

        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(n) or b"{}")
            if self.path == "/rate":
                with bucket.lock:
                    bucket.rate = float(body["rate"])
                return self.reply(200, {"rate": bucket.rate})
            wait = bucket.take()
            if wait == 0:
                return self.reply(200, {"ok": True, "document": body.get("document")})
            self.reply(429, {"error": "rate limited"},
                       [("Retry-After", str(max(1, math.ceil(wait)))),
                        ("x-ratelimit-remaining-requests", "0"),
                        ("x-ratelimit-reset-requests", f"{max(1, int(wait * 1000))}ms")])
    return Handler


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rate", type=float, default=10)
    ap.add_argument("--burst", type=float, default=3)
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler_for(Bucket(args.rate, args.burst)))
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
