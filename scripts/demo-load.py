#!/usr/bin/env python3
"""Live traffic with many different inputs, for the demo's shadow act (scripts/demo.sh).

hey sends one request body over and over; an answer check over one input can only agree on all requests or on none.
This sends N different digit-like inputs (pen strokes) in turn, takes hey's -z, -c and -q (duration, workers, requests per second
per worker) and writes hey's report layout, so the demo's traffic_stop reads it unchanged. It stops at -z or on
SIGINT/SIGTERM, after the requests in flight are answered.

  demo-load.py --inputs 100 -z 300s -c 2 -q 10 http://10.0.0.1:8080/v2/models/mnist/infer
"""
import argparse
import http.client
import json
import random
import signal
import sys
import threading
import time
import urllib.parse


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--inputs", type=int, default=100, help="how many different inputs to send in turn")
    p.add_argument("-z", dest="duration", default="300s", help="how long to send, as hey's -z (e.g. 300s)")
    p.add_argument("-c", dest="workers", type=int, default=2, help="workers sending at once")
    p.add_argument("-q", dest="rate", type=float, default=10, help="requests per second per worker")
    p.add_argument("url")
    a = p.parse_args()
    if a.inputs < 1 or a.workers < 1 or a.rate <= 0:
        p.error("--inputs and -c must be at least 1, -q above 0")
    if not a.duration.endswith("s") or not a.duration[:-1].isdigit():
        p.error(f"-z must be whole seconds such as 300s, got '{a.duration}'")
    return a


def strokes(rng):
    """A digit-like image: one to four straight pen strokes, two pixels wide, on black."""
    image = [0.0] * 784
    for _ in range(rng.randint(1, 4)):
        x, y = rng.uniform(4, 24), rng.uniform(4, 24)
        dx, dy = rng.uniform(-1, 1), rng.uniform(-1, 1)
        for t in range(rng.randint(6, 18)):
            xi, yi = int(x + dx * t), int(y + dy * t)
            for ox in (0, 1):
                for oy in (0, 1):
                    if 0 <= xi + ox < 28 and 0 <= yi + oy < 28:
                        image[(yi + oy) * 28 + xi + ox] = 1.0
    return image


def bodies(count):
    # Seeded, so every run of the demo sends the same inputs and measures the same agreement. Strokes rather than
    # noise: on noise the sample CNN's top-1 is one class for nearly every input; on these it spreads over six.
    rng = random.Random(23)
    return [json.dumps({"id": f"input-{i}", "inputs": [{"name": "input", "shape": [1, 1, 28, 28], "datatype": "FP32",
                                                        "data": strokes(rng)}]}).encode()
            for i in range(count)]


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.codes = {}
        self.errors = {}
        self.latencies = []

    def answered(self, code, seconds):
        with self.lock:
            self.codes[code] = self.codes.get(code, 0) + 1
            self.latencies.append(seconds)

    def failed(self, error):
        with self.lock:
            self.errors[error] = self.errors.get(error, 0) + 1


def worker(url, payloads, offset, interval, stop, tally):
    conn = None
    i = offset
    while not stop.is_set():
        start = time.monotonic()
        body = payloads[i % len(payloads)]
        i += 1
        try:
            if conn is None:
                conn = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=20)
            conn.request("POST", url.path, body=body, headers={"Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            tally.answered(response.status, time.monotonic() - start)
        except Exception as e:  # every failure is counted by its kind, as hey's error distribution does
            tally.failed(f"POST {url.geturl()}: {type(e).__name__}: {e}"[:200])
            if conn is not None:
                conn.close()
            conn = None
        stop.wait(max(0.0, interval - (time.monotonic() - start)))
    if conn is not None:
        conn.close()


def report(tally, seconds):
    total = sum(tally.codes.values()) + sum(tally.errors.values())
    lat = sorted(tally.latencies)
    print("\nSummary:")
    print(f"  Total:\t{seconds:.4f} secs")
    print(f"  Requests/sec:\t{total / seconds if seconds > 0 else 0:.4f}")
    if lat:
        print("\nLatency distribution:")
        for q in (50, 95, 99):
            print(f"  {q}% in {lat[min(len(lat) - 1, int(len(lat) * q / 100))]:.4f} secs")
    print("\nStatus code distribution:")
    for code in sorted(tally.codes):
        print(f"  [{code}]\t{tally.codes[code]} responses")
    if tally.errors:
        print("\nError distribution:")
        for error, n in sorted(tally.errors.items()):
            print(f"  [{n}]\t{error}")


def main():
    stop = threading.Event()
    for s in (signal.SIGINT, signal.SIGTERM):
        signal.signal(s, lambda *_: stop.set())
    a = parse_args()
    url = urllib.parse.urlsplit(a.url)
    payloads = bodies(a.inputs)
    tally = Tally()
    step = max(1, a.inputs // a.workers)
    threads = [threading.Thread(target=worker, args=(url, payloads, n * step, 1 / a.rate, stop, tally)) for n in range(a.workers)]
    start = time.monotonic()
    for t in threads:
        t.start()
    stop.wait(int(a.duration[:-1]))
    stop.set()
    for t in threads:
        t.join()
    report(tally, time.monotonic() - start)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
