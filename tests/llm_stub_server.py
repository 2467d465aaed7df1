#!/usr/bin/env python3
"""A local OpenAI-compatible chat-completions server for the reextract tests and bench.

It speaks the real API: POST /v1/chat/completions (and /chat/completions, as LiteLLM's proxy
does) with {"model", "messages", "response_format"}, answering a chat.completion object whose
choices[0].message.content holds the extraction: JSON matching the request's json_schema when
one is given (entity types taken from its enum), else the delimited text form the system prompt
describes. Its "model" is deterministic: the capitalized words of the user message are the
entities (at most 6, types assigned in turn), and consecutive entities are related.

Failures, as real servers produce them:
  --key K           requests without "Authorization: Bearer K" get 401, whose message shows a
                    masked key as OpenAI's does;
  --rate R --burst B  a token bucket; past it 429 with Retry-After and x-ratelimit-* headers;
  --no-structured   response_format json_schema gets 400 "response_format ... not supported";
  --latency-ms N    every answer takes N ms.
Per document (markers in its text): [[malformed]] answers that are not JSON; [[badtype]] an
entity type outside the enum; [[dangling]] a relationship to an entity not extracted;
[[flaky:N]] the first N answers malformed; [[e500:N]] the first N calls a 500; [[slow:MS]]
sleeps MS; [[refuse]] a refusal.

GET /stats: {"calls": {doc: n}, "throttled": n, "unauthorized": n, "structured": n, "text": n,
"accepted_times": [...]}. POST /reset clears the counts.

Usage: llm_stub_server.py [--port 0] [...]   (prints "port N" when listening)
"""
import argparse
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.tokens, self.at = float(args.burst), time.monotonic()
        self.reset()

    def reset(self):
        self.calls, self.throttled, self.unauthorized = {}, 0, 0
        self.structured, self.text, self.accepted_times = 0, 0, []

    def take(self):
        """0 when the call may go now, else the seconds until it may."""
        if self.args.rate <= 0:
            return 0.0
        now = time.monotonic()
        self.tokens = min(self.args.burst, self.tokens + (now - self.at) * self.args.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.args.rate


def extract(text, types):
    names = []
    for w in re.findall(r"\b[A-Z][a-z]+\b", text):
        if w not in names and w != "Document":
            names.append(w)
    names = names[:6]
    entities = [{"name": n, "type": types[i % len(types)], "description": f"{n} as the text names it"}
                for i, n in enumerate(names)]
    relationships = [{"source": a, "target": b, "description": f"{a} appears with {b}",
                      "keywords": "mention, context", "strength": 5}
                     for a, b in zip(names, names[1:])]
    return entities, relationships


def delimited(entities, relationships):
    recs = [f'("entity"<|>{e["name"]}<|>{e["type"]}<|>{e["description"]})' for e in entities]
    recs += [f'("relationship"<|>{r["source"]}<|>{r["target"]}<|>{r["description"]}<|>'
             f'{r["keywords"]}<|>{r["strength"]}' + ")" for r in relationships]
    return "##".join(recs) + "##<|COMPLETE|>"


def handler_for(state):
    args = state.args

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive

        def log_message(self, *a):
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

        def error(self, status, message, kind, headers=()):
            self.reply(status, {"error": {"message": message, "type": kind, "code": None}}, headers)

        def do_GET(self):
            if self.path != "/stats":
                return self.error(404, "not found", "invalid_request_error")
            with state.lock:
                self.reply(200, {"calls": state.calls, "throttled": state.throttled,
                                 "unauthorized": state.unauthorized,
                                 "structured": state.structured, "text": state.text,
                                 "accepted_times": state.accepted_times})

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.path == "/reset":
                with state.lock:
                    state.reset()
                return self.reply(200, {})
            if self.path not in ("/v1/chat/completions", "/chat/completions"):
                return self.error(404, f"no route {self.path}", "invalid_request_error")
            if args.key and self.headers.get("Authorization") != f"Bearer {args.key}":
                with state.lock:
                    state.unauthorized += 1
                got = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
                masked = got[:3] + "*" * max(0, len(got) - 7) + got[-4:] if got else "(none)"
                return self.error(401, f"Incorrect API key provided: {masked}.",
                                  "invalid_request_error")
            with state.lock:
                wait = state.take()
                if wait > 0:
                    state.throttled += 1
            if wait > 0:
                return self.error(429, "Rate limit reached for requests", "requests",
                                  [("Retry-After", str(max(1, round(wait)))),
                                   ("x-ratelimit-remaining-requests", "0"),
                                   ("x-ratelimit-reset-requests", f"{int(wait * 1000) + 1}ms")])
            try:
                req = json.loads(body)
                messages = req["messages"]
                system = next(m["content"] for m in messages if m["role"] == "system")
                user = next(m["content"] for m in messages if m["role"] == "user")
            except (ValueError, KeyError, StopIteration, TypeError):
                return self.error(400, "malformed request body", "invalid_request_error")
            fmt = req.get("response_format") or {}
            structured = fmt.get("type") == "json_schema"
            if structured and args.no_structured:
                return self.error(400, "response_format json_schema is not supported by this model",
                                  "invalid_request_error")
            m = re.match(r"Document: (\S+)", user)
            doc = m.group(1) if m else "?"
            with state.lock:
                n = state.calls.get(doc, 0) + 1
                state.calls[doc] = n
                state.accepted_times.append(time.time())
                if structured:
                    state.structured += 1
                else:
                    state.text += 1
            if args.latency_ms:
                time.sleep(args.latency_ms / 1000)
            slow = re.search(r"\[\[slow:(\d+)\]\]", user)
            if slow:
                time.sleep(int(slow.group(1)) / 1000)
            e500 = re.search(r"\[\[e500:(\d+)\]\]", user)
            if e500 and n <= int(e500.group(1)):
                return self.error(500, "The server had an error while processing your request.",
                                  "server_error")
            if structured:
                schema = fmt["json_schema"]["schema"]
                types = schema["properties"]["entities"]["items"]["properties"]["type"]["enum"]
            else:
                tm = re.search(r"entity of these types: (.*?)\. ", system)
                types = [t.strip() for t in tm.group(1).split(",")] if tm else ["concept"]
            entities, relationships = extract(user.split("\n\n", 1)[-1], types)
            if "[[badtype]]" in user and entities:
                entities[0]["type"] = "spaceship"
            if "[[dangling]]" in user and entities:
                relationships.append({"source": entities[0]["name"], "target": "Nobody",
                                      "description": "d", "keywords": "k", "strength": 1})
            if structured:
                content = json.dumps({"entities": entities, "relationships": relationships})
            else:
                content = delimited(entities, relationships)
            flaky = re.search(r"\[\[flaky:(\d+)\]\]", user)
            if "[[malformed]]" in user or (flaky and n <= int(flaky.group(1))):
                content = "Sure! Here are the entities: {entities: [oops"
            message = {"role": "assistant", "content": content, "refusal": None}
            if "[[refuse]]" in user:
                message = {"role": "assistant", "content": None,
                           "refusal": "I'm sorry, I cannot help with that."}
            self.reply(200, {
                "id": f"chatcmpl-{doc}-{n}", "object": "chat.completion",
                "created": int(time.time()), "model": req.get("model", "stub"),
                "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": len(user) // 4, "completion_tokens": len(content) // 4,
                          "total_tokens": (len(user) + len(content)) // 4}})

    return Handler


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a killed worker resets its connection: expected in the crash tests


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--key", default="")
    ap.add_argument("--rate", type=float, default=0)
    ap.add_argument("--burst", type=float, default=1)
    ap.add_argument("--no-structured", action="store_true")
    ap.add_argument("--latency-ms", type=int, default=0)
    args = ap.parse_args()
    state = State(args)
    server = Server(("127.0.0.1", args.port), handler_for(state))
    print(f"port {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
