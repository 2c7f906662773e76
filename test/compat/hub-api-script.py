"""A script for JupyterHub's REST API, as operators write them (JupyterHub's own
examples/server-api/start-stop-server.py does the same with `requests`), run against Berth.

It holds an API token and nothing else: no cookie, no browser. It does everything Berth's
/hub/api lists, checks each answer, prints "ok <step>" per step and "done" at the end, and exits
non-zero at the first answer that is not what JupyterHub's API documents.

Environment: HUB_API (e.g. http://127.0.0.1:3000/hub/api), HUB_TOKEN (an administrator's token
with every scope), HUB_USER (the user whose servers it manages).
"""

import json
import os
import sys
import time

import requests

API = os.environ["HUB_API"].rstrip("/")
USER = os.environ["HUB_USER"]
PAGINATION = "application/jupyterhub-pagination+json"

session = requests.Session()
session.headers["Authorization"] = f"token {os.environ['HUB_TOKEN']}"


def ok(step):
    print(f"ok {step}", flush=True)


def check(condition, what, r=None):
    if not condition:
        detail = f" ({r.status_code}: {r.text[:500]})" if r is not None else ""
        print(f"FAILED {what}{detail}", flush=True)
        sys.exit(1)


def call(method, path, expect, **kwargs):
    r = session.request(method, f"{API}{path}", **kwargs)
    check(r.status_code in expect, f"{method} {path} answered {r.status_code}, expected {expect}", r)
    return r


def follow_progress(path):
    """Reads the event stream until the server is ready; returns the events."""
    events = []
    with session.get(f"{API}{path}", stream=True, timeout=120) as r:
        check(r.status_code == 200, f"GET {path}", r)
        check(r.headers["content-type"].startswith("text/event-stream"), "progress is an event stream", r)
        for line in r.iter_lines(decode_unicode=True):
            if not line or not line.startswith("data:"):
                continue
            event = json.loads(line[len("data:"):])
            events.append(event)
            check(not event.get("failed"), f"the server started: {event}")
            if event.get("ready"):
                return events
    check(False, f"the progress of {path} ended without a ready event: {events}")


def server_state(name, include_stopped=True):
    q = "?include_stopped_servers" if include_stopped else ""
    return call("GET", f"/users/{USER}{q}", [200]).json()["servers"].get(name)


def wait_stopped(name):
    deadline = time.time() + 60
    while time.time() < deadline:
        s = server_state(name)
        if s is None or s["stopped"]:
            return
        time.sleep(0.5)
    check(False, f"{name or 'the default server'} stopped within 60 s")


# The hub and who we are.
check("version" in call("GET", "/", [200]).json(), "GET / names a version")
ok("version")
me = call("GET", "/user", [200]).json()
check(me["kind"] == "user" and me["admin"] is True and "servers" in me["scopes"] and me["token_id"], f"whoami: {me}")
ok("whoami")

# Users: the whole list, page by page, and by state.
everyone = [u["name"] for u in call("GET", "/users", [200]).json()]
check(USER in everyone, f"{USER} is listed: {everyone}")
paged, url = [], f"{API}/users?limit=1"
while url:
    r = session.get(url, headers={"Accept": PAGINATION})
    check(r.status_code == 200, "a page of users", r)
    page = r.json()
    paged += [u["name"] for u in page["items"]]
    url = page["_pagination"]["next"] and page["_pagination"]["next"]["url"]
check(paged == everyone, f"paging with limit=1 lists everyone once: {paged} vs {everyone}")
for state in ("active", "inactive", "ready"):
    call("GET", f"/users?state={state}&offset=0&limit=50", [200])
ok("users")
check(call("GET", f"/users/{USER}", [200]).json()["name"] == USER, "GET /users/{name}")
ok("user")

# The default server: start, follow its progress, stop.
call("POST", f"/users/{USER}/server", [201, 202])
events = follow_progress(f"/users/{USER}/server/progress")
check(events[-1]["url"].endswith(f"/user/{USER}/"), f"ready at the default server's URL: {events[-1]}")
check(call("GET", f"/users/{USER}", [200]).json()["server"] == f"/user/{USER}/", "the user's server is running")
call("DELETE", f"/users/{USER}/server", [202, 204])
wait_stopped("")
ok("default server")

# A named server with a profile: create and start, progress, stop, start, delete with its storage.
call("POST", f"/users/{USER}/servers/analysis", [201, 202], json={"profile": "default"})
follow_progress(f"/users/{USER}/servers/analysis/progress")
running = server_state("analysis", include_stopped=False)
check(running and running["ready"] and running["user_options"] == {"profile": "default"}, f"analysis is ready: {running}")
call("POST", f"/users/{USER}/servers/analysis", [400])
call("DELETE", f"/users/{USER}/servers/analysis", [202, 204])
wait_stopped("analysis")
check(server_state("analysis", include_stopped=False) is None, "a stopped server is listed only with include_stopped_servers")
call("POST", f"/users/{USER}/servers/analysis", [201, 202])
follow_progress(f"/users/{USER}/servers/analysis/progress")
call("DELETE", f"/users/{USER}/servers/analysis", [204], json={"remove": True})
check(server_state("analysis") is None, "a removed server is gone")
call("DELETE", f"/users/{USER}/servers/analysis", [404])
ok("named server")

# Tokens: create one for the user, use it within its scope, revoke it.
created = call("POST", f"/users/{USER}/tokens", [201], json={"note": "from the script", "expires_in": 600, "scopes": ["read:servers"]}).json()
check(created["token"] and created["scopes"] == ["read:servers"], f"a new token: {dict(created, token='…')}")
listed = call("GET", f"/users/{USER}/tokens", [200]).json()["api_tokens"]
check(any(t["id"] == created["id"] for t in listed) and all("token" not in t for t in listed), "the token is listed, without its secret")
check(call("GET", f"/users/{USER}/tokens/{created['id']}", [200]).json()["note"] == "from the script", "GET one token")
narrow = requests.Session()
narrow.headers["Authorization"] = f"Bearer {created['token']}"
check(narrow.get(f"{API}/users/{USER}").status_code == 200, "the new token reads its owner's servers")
check(narrow.post(f"{API}/users/{USER}/servers/x").status_code == 403, "the new token cannot start a server")
call("DELETE", f"/users/{USER}/tokens/{created['id']}", [204])
check(narrow.get(f"{API}/user").status_code == 403, "a revoked token is refused")
ok("tokens")

check(len(session.cookies) == 0, f"no cookie was ever set: {session.cookies}")
print("done", flush=True)
