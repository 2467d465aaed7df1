"""Helpers the service tests share (tests/*_test.py)."""
import socket
import time
import urllib.request


def free_port():
    """A loopback port free now (the caller's server binds it next)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_http(url, seconds=20):
    """The body of GET `url` once it answers; exits the test if it never does."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                return r.read().decode()
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not answer within {seconds}s")
