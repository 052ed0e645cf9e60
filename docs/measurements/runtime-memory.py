#!/usr/bin/env python3
"""Issue 11 memory check: eight concurrent ~58 MB binary requests (FP32 [1,14.5M]) to all-datatypes.onnx (dynamic
[batch,width] inputs), then a normal request and 30 s idle; prints peak RSS (VmHWM), RSS after idle and the statuses.
Usage: runtime-memory.py runtime/bin/Release/net10.0/model-runtime .artifacts/sample-models/all-datatypes.onnx [serve options]"""
import json, socket, subprocess, sys, threading, time, urllib.request
binary, model, extra = sys.argv[1], sys.argv[2], sys.argv[3:]
port = 18932
server = subprocess.Popen([binary, "serve", "--model", model, "--host", "127.0.0.1", "--port", str(port), "--bench-iterations", "0", *extra],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
def rss(field):
    for line in open(f"/proc/{server.pid}/status"):
        if line.startswith(field): return int(line.split()[1]) // 1024
def log(*a): print(time.strftime("%T"), *a, file=sys.stderr, flush=True)
try:
    for _ in range(300):
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/v2/health/ready", timeout=2).status == 200: break
        except Exception: time.sleep(0.2)
    log("ready")
    meta = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/v2/models/all-datatypes"))
    def body(width):
        inputs, sections = [], []
        for i in meta["inputs"]:
            n = width if i["datatype"] == "FP32" else 0
            inputs.append({"name": i["name"], "datatype": i["datatype"], "shape": [1, n], "parameters": {"binary_data_size": n * 4}})
            sections.append(b"\0" * (n * 4))
        return json.dumps({"inputs": inputs, "parameters": {"binary_data_output": True}}).encode(), b"".join(sections)
    def post(header, data, results):
        s = socket.create_connection(("127.0.0.1", port)); s.settimeout(120)
        s.sendall(f"POST /v2/models/all-datatypes/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nInference-Header-Content-Length: {len(header)}\r\nContent-Length: {len(header) + len(data)}\r\nConnection: close\r\n\r\n".encode())
        s.sendall(header + data)
        reply = b""
        while chunk := s.recv(1 << 20): reply += chunk
        results.append(reply.split(b"\r\n", 1)[0].decode())
    header, data = body(14_500_000)
    base = rss("VmRSS"); results = []
    threads = [threading.Thread(target=post, args=(header, data, results)) for _ in range(8)]
    for t in threads: t.start()
    for t in threads: t.join()
    log("done 8", results)
    peak = rss("VmHWM"); small = []
    post(*body(16), small)
    log("small", small)
    time.sleep(30)
    print(json.dumps({"options": extra, "rss_before_mb": base, "peak_rss_mb": peak, "rss_after_30s_idle_mb": rss("VmRSS"), "statuses": results, "normal": small}))
finally:
    server.terminate(); server.wait()
