# A stand-in for Jupyter for many pods at once (bench/kube-burst.bench.ts, test/kubernetes/api-requests.test.ts): the
# simulated kubelet runs a pod's command for real, and 500 real Jupyter servers (about 3 s of CPU
# and 60 MB each) cannot start on two cores in a bounded run. This takes Jupyter's arguments
# (--NotebookApp.ip=…, .port=…, .base_url=…), listens where Jupyter would, and answers the
# readiness probe (GET <base_url>api) as Jupyter does. Run with `python3 -S -I` (no site imports).
import socket
import sys

ip, port, base = "127.0.0.1", 8888, "/"
for arg in sys.argv[1:]:
    key, _, value = arg.partition("=")
    if key.endswith(".ip"):
        ip = value
    elif key.endswith(".port"):
        port = int(value)
    elif key.endswith(".base_url"):
        base = value

srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((ip, port))
srv.listen(64)
while True:
    conn, _ = srv.accept()
    try:
        conn.settimeout(5)
        head = conn.recv(65536).decode("latin-1")
        parts = head.split(" ", 2)
        path = parts[1].split("?", 1)[0] if len(parts) > 1 else ""
        ok = path == base + "api"
        body = b'{"version": "stand-in"}' if ok else b'{"message": "Not found"}'
        status = b"200 OK" if ok else b"404 Not Found"
        conn.sendall(b"HTTP/1.1 " + status + b"\r\nContent-Type: application/json\r\nContent-Length: "
                     + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
    except OSError:
        pass
    finally:
        conn.close()
