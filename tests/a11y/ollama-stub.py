#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A tiny, independent Ollama stand-in for Cria's accessibility test.

Only the standard library. It speaks enough of the Ollama native API for a
chat client: GET /, /api/version, /api/tags, /api/ps, POST /api/show and a
streaming POST /api/chat (NDJSON, one hand-written HTTP chunk per line).

The reply to a chat is derived from the last user message:
"You said: <prompt>." split into word tokens, cycled to --tokens tokens when
that is longer, one token every --delay-ms milliseconds. A prompt with the
word "code" gets a short Markdown reply holding a fenced code block instead.
Asked for a chat's title, it answers as a model would: with the first words
the user wrote.

Every chat request and its outcome go to the JSON file given by --state
(rewritten atomically after each change), so a test can check what the
client sent and whether it closed a stream early ("cancelled").

A test may change the pace of the next replies without restarting the stub:
POST /stub/config {"delay_ms": 80, "tokens": 2000}. That path is not part of
the Ollama API; real clients never call it.

    ollama-stub.py --port 0 --state /tmp/state.json --delay-ms 20
    -> prints "listening on http://127.0.0.1:PORT"
"""

import argparse
import datetime
import json
import os
import re
import select
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

VERSION = "0.12.6"

MODELS = [
    {
        "name": "tinyllama:latest",
        "modified": "2025-05-10T08:06:48.639712648-07:00",
        "size": 637700138,
        "digest": "2644915ede352ea7bdfaff0bfac0be74c719d5d5202acb63a6fb095b52f394a4",
        "family": "llama",
        "parameter_size": "1B",
        "quantization_level": "Q4_0",
        "context_length": 2048,
        "capabilities": ["completion"],
    },
    {
        "name": "qwen3:0.6b",
        "modified": "2025-05-01T10:00:00.5-07:00",
        "size": 522653767,
        "digest": "7df6b6e09427a769808717c0a93cadc4ae99ed4eb8bf5ca557c90846becea435",
        "family": "qwen3",
        "parameter_size": "751.63M",
        "quantization_level": "Q4_K_M",
        "context_length": 40960,
        "capabilities": ["completion", "tools", "thinking"],
    },
]
MODELS_BY_NAME = {m["name"]: m for m in MODELS}


class State:
    """What the stub saw, shared by the handler threads and saved as JSON."""

    def __init__(self, path, delay_ms, tokens):
        self.path = path
        self.lock = threading.Lock()
        self.delay_ms = delay_ms
        self.tokens = tokens
        self.data = {"requests": [], "chats": [], "cancelled": 0, "completed": 0}

    def update(self, fn):
        with self.lock:
            result = fn(self.data)
            self._save()
            return result

    def _save(self):
        if not self.path:
            return
        tmp = self.path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(self.data, f, indent=1, ensure_ascii=False)
        os.replace(tmp, self.path)


def now_utc():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def go_json(obj):
    """JSON as Go's encoding/json writes it: compact, <>& escaped."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def details(m):
    return {
        "parent_model": "",
        "format": "gguf",
        "family": m["family"],
        "families": [m["family"]],
        "parameter_size": m["parameter_size"],
        "quantization_level": m["quantization_level"],
    }


CODE_REPLY = 'Here it is:\n\n```python\nprint("hello")\n```\n\nRun it with `python3`.'


def reply_tokens(prompt, count):
    """Word tokens of "You said: <prompt>.", cycled to `count` when longer;
    those of CODE_REPLY when the prompt asks for code."""
    if "code" in prompt.lower().split():
        return re.findall(r"\S+\s*|\s+", CODE_REPLY)
    words = ("You said: " + " ".join(prompt.split()) + ".").split(" ")
    base = [w + " " for w in words]
    base[-1] = base[-1].rstrip(" ")
    if count <= len(base):
        return base
    # Cycle the sentence; a space separates one repetition from the next.
    cycle = [w if w.endswith(" ") else w + " " for w in base]
    return [cycle[i % len(cycle)] for i in range(count)]


def title_words(messages):
    """Asked for a chat's title, a model gives a few words: here the first
    six of what the user wrote (the line after "User:"); None otherwise."""
    if len(messages) != 1 or not isinstance(messages[0], dict):
        return None
    content = str(messages[0].get("content", ""))
    if not content.startswith("Write a title") or "User:\n" not in content:
        return None
    words = content.split("User:\n", 1)[1].split("\n", 1)[0].split()
    return words[:6] or None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def version_string(self):
        return "ollama-stub"

    # -- plumbing ---------------------------------------------------------

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("stub: " + (fmt % args) + "\n")

    def record(self):
        entry = {"method": self.command, "path": self.path}
        self.server.state.update(lambda d: d["requests"].append(entry))

    def send_body(self, status, body, content_type):
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def send_json(self, status, obj):
        self.send_body(status, go_json(obj), "application/json; charset=utf-8")

    def send_error_json(self, status, message):
        self.send_json(status, {"error": message})

    def read_body(self):
        """The request body as bytes (Content-Length or chunked)."""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def read_json(self):
        """The JSON request body, or None after answering with a 400."""
        body = self.read_body()
        if not body:
            self.send_error_json(400, "missing request body")
            return None
        try:
            obj = json.loads(body)
        except ValueError as e:
            self.send_error_json(400, "invalid character in request: %s" % e)
            return None
        if not isinstance(obj, dict):
            self.send_error_json(400, "json: cannot unmarshal into Go value of type api.Request")
            return None
        return obj

    def write_chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def client_gone(self, timeout):
        """Wait up to `timeout` s; True if the client closed its end."""
        sock = self.connection
        readable, _, _ = select.select([sock], [], [], timeout)
        if not readable:
            return False
        try:
            return sock.recv(1, socket.MSG_PEEK) == b""
        except (ConnectionResetError, BrokenPipeError):
            return True

    # -- routes -----------------------------------------------------------

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        self.record()
        if self.path == "/":
            self.send_body(200, "Ollama is running", "text/plain; charset=utf-8")
        elif self.path == "/api/version":
            self.send_json(200, {"version": VERSION})
        elif self.path == "/api/tags":
            self.send_json(200, {"models": [
                {
                    "name": m["name"],
                    "model": m["name"],
                    "modified_at": m["modified"],
                    "size": m["size"],
                    "digest": m["digest"],
                    "details": details(m),
                    "capabilities": m["capabilities"],
                }
                for m in MODELS
            ]})
        elif self.path == "/api/ps":
            self.send_json(200, {"models": []})
        elif self.path in ("/api/show", "/api/chat", "/stub/config"):
            self.send_body(405, "405 method not allowed", "text/plain")
        else:
            self.send_body(404, "404 page not found", "text/plain")

    def do_POST(self):
        self.record()
        if self.path == "/api/show":
            self.show()
        elif self.path == "/api/chat":
            self.chat()
        elif self.path == "/stub/config":
            self.config()
        elif self.path in ("/", "/api/version", "/api/tags", "/api/ps"):
            self.read_body()
            self.send_body(405, "405 method not allowed", "text/plain")
        else:
            self.read_body()
            self.send_body(404, "404 page not found", "text/plain")

    def config(self):
        req = self.read_json()
        if req is None:
            return
        state = self.server.state
        with state.lock:
            state.delay_ms = int(req.get("delay_ms", state.delay_ms))
            state.tokens = int(req.get("tokens", state.tokens))
            answer = {"delay_ms": state.delay_ms, "tokens": state.tokens}
        self.send_json(200, answer)

    def show(self):
        req = self.read_json()
        if req is None:
            return
        name = req.get("model") or req.get("name") or ""
        if not name:
            self.send_error_json(400, "model is required")
            return
        m = MODELS_BY_NAME.get(name)
        if m is None:
            self.send_error_json(404, "model '%s' not found" % name)
            return
        arch = m["family"]
        self.send_json(200, {
            "modelfile": "FROM %s\n" % name,
            "parameters": 'stop                           "<|im_end|>"',
            "template": "{{ .Prompt }}",
            "details": details(m),
            "model_info": {
                "general.architecture": arch,
                "general.parameter_count": m["size"] * 2,
                "%s.context_length" % arch: m["context_length"],
                "%s.embedding_length" % arch: 2048,
            },
            "capabilities": m["capabilities"],
            "modified_at": m["modified"],
        })

    def chat(self):
        req = self.read_json()
        if req is None:
            return
        name = req.get("model") or ""
        if not name:
            self.send_error_json(400, "model is required")
            return
        if name not in MODELS_BY_NAME:
            self.send_error_json(404, "model '%s' not found" % name)
            return
        messages = req.get("messages") or []
        if not messages:
            # Load (or unload with keep_alive 0): plain JSON, no stream.
            reason = "unload" if req.get("keep_alive") in (0, "0") else "load"
            self.send_json(200, {"model": name, "created_at": now_utc(),
                                 "message": {"role": "assistant", "content": ""},
                                 "done": True, "done_reason": reason})
            return

        prompt = ""
        for msg in messages:
            if isinstance(msg, dict) and msg.get("role") == "user":
                prompt = str(msg.get("content", ""))
        state = self.server.state
        with state.lock:
            delay, count = state.delay_ms / 1000.0, state.tokens
        tokens = reply_tokens(prompt, count)
        title = title_words(messages)
        if title:
            tokens = [w + " " for w in title[:-1]] + [title[-1]]

        entry = {"model": name, "messages": messages, "stream": req.get("stream", True),
                 "think": req.get("think"), "reply": "".join(tokens),
                 "tokens_planned": len(tokens),
                 "tokens_sent": 0, "completed": False, "cancelled": False}

        def add(d):
            d["chats"].append(entry)
            return len(d["chats"]) - 1
        index = state.update(add)

        def mark(**fields):
            state.update(lambda d: d["chats"][index].update(fields))

        if req.get("stream") is False:
            time.sleep(delay * len(tokens))
            self.send_json(200, self.final_line(name, "".join(tokens), len(tokens)))
            mark(tokens_sent=len(tokens), completed=True)
            state.update(lambda d: d.__setitem__("completed", d["completed"] + 1))
            return

        start = time.monotonic()
        sent = 0
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/x-ndjson")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.flush()
            for tok in tokens:
                if self.client_gone(delay):
                    raise ConnectionResetError("client closed the connection")
                line = {"model": name, "created_at": now_utc(),
                        "message": {"role": "assistant", "content": tok}, "done": False}
                self.write_chunk((go_json(line) + "\n").encode("utf-8"))
                sent += 1
                if sent % 10 == 0:
                    mark(tokens_sent=sent)
            final = self.final_line(name, "", sent, time.monotonic() - start)
            self.write_chunk((go_json(final) + "\n").encode("utf-8"))
            self.write_chunk(b"")
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True
            mark(tokens_sent=sent, cancelled=True)
            state.update(lambda d: d.__setitem__("cancelled", d["cancelled"] + 1))
            self.log_message("chat stream cancelled by the client after %d tokens", sent)
            return
        mark(tokens_sent=sent, completed=True)
        state.update(lambda d: d.__setitem__("completed", d["completed"] + 1))

    @staticmethod
    def final_line(name, content, count, elapsed=0.0):
        eval_ns = max(1, int(elapsed * 1e9))
        return {"model": name, "created_at": now_utc(),
                "message": {"role": "assistant", "content": content},
                "done": True, "done_reason": "stop",
                "total_duration": eval_ns + 2_000_000, "load_duration": 1_000_000,
                "prompt_eval_count": 12, "prompt_eval_duration": 1_000_000,
                "eval_count": max(1, count), "eval_duration": eval_ns}


def main():
    p = argparse.ArgumentParser(description="A minimal Ollama-compatible server for tests.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0 picks a free port")
    p.add_argument("--delay-ms", type=int, default=20, help="pause before each token")
    p.add_argument("--tokens", type=int, default=0,
                   help="reply length in tokens (the echo sentence is cycled); 0: one sentence")
    p.add_argument("--state", default="", help="JSON file recording the chat requests")
    p.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = p.parse_args()

    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    server.state = State(args.state, args.delay_ms, args.tokens)
    server.verbose = args.verbose
    server.state.update(lambda d: None)  # write the empty state file
    host, port = server.server_address[:2]
    print("listening on http://%s:%d" % (host, port), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
