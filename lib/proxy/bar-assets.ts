// The Berth bar's script and style, served at /_berth/bar.js and /_berth/bar.css (berth-bar.ts)
// on Berth's host and on every user host, so a Jupyter page loads them from its own origin
// ('self' in any CSP Jupyter sets). Strings rather than files: the server is bundled, and a
// bundler would not carry a .js asset along. Nothing in them is secret or per person: what the
// script needs (Berth's address, the server's prefix) is on its <script> tag.
//
// The script builds the bar in a shadow root (Jupyter's CSS cannot reach it, nor it Jupyter's),
// with no inline style or markup string (a strict CSP or Trusted Types would refuse those). It
// shows the time left before the idle stop, polled from <prefix>_berth/status (not counted as
// activity), and in the last minutes a "Keep running" button that POSTs
// <prefix>_berth/keep-running. Links go to Berth's own pages: My servers, and the sign-out page.

export const BAR_JS = `(function () {
  "use strict";
  var me = document.currentScript;
  if (!me || window.__berthBar || window.top !== window.self) return;
  window.__berthBar = true;
  var berth = me.getAttribute("data-berth") || "";
  var prefix = me.getAttribute("data-prefix") || "/";
  var css = me.src.replace(/bar\\.js(\\?[^#]*)?$/, "bar.css$1");
  var SVG = "http://www.w3.org/2000/svg";
  var view = null, offset = 0, busy = false, note = "";

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }
  function mark() {
    var s = document.createElementNS(SVG, "svg");
    s.setAttribute("viewBox", "0 0 24 24");
    s.setAttribute("aria-hidden", "true");
    ["M12 3v10", "M12 4.5 17.5 11H12", "M3.5 14.5h17l-2.2 4.2a1.5 1.5 0 0 1-1.33.8H7.03a1.5 1.5 0 0 1-1.33-.8L3.5 14.5Z"].forEach(function (d) {
      var p = document.createElementNS(SVG, "path");
      p.setAttribute("d", d);
      s.appendChild(p);
    });
    var m = el("span", "mark");
    m.appendChild(s);
    return m;
  }
  function left(ms) {
    var s = Math.round(ms / 1000);
    if (s <= 0) return "now";
    if (s < 60) return "under a minute";
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    return h > 0 ? h + " h " + m + " min" : m + " min";
  }

  var host = document.createElement("berth-bar");
  var root = host.attachShadow({ mode: "open" });
  var link = el("link");
  link.rel = "stylesheet";
  link.href = css;
  root.appendChild(link);
  var bar = el("div", "bar");
  bar.setAttribute("role", "region");
  bar.setAttribute("aria-label", "Berth");
  var home = el("a", "home");
  home.href = berth + "/servers";
  home.title = "Back to My servers on Berth";
  home.appendChild(mark());
  home.appendChild(el("span", "", "My servers"));
  var time = el("span", "left");
  var warn = el("span", "warn-text");
  warn.setAttribute("role", "alert");
  var keep = el("button", "keep", "Keep running");
  keep.type = "button";
  keep.hidden = true;
  var out = el("a", "out", "Sign out");
  out.href = berth + "/signout?from=" + encodeURIComponent(prefix);
  bar.appendChild(home);
  bar.appendChild(el("span", "sep"));
  bar.appendChild(time);
  bar.appendChild(warn);
  bar.appendChild(keep);
  bar.appendChild(el("span", "sep"));
  bar.appendChild(out);
  root.appendChild(bar);

  function render() {
    if (!view) return;
    if (view.state !== "running") {
      time.textContent = "This server is " + view.state + ".";
      warn.textContent = "";
      keep.hidden = true;
      bar.classList.remove("warn");
      return;
    }
    if (!view.idleStopAt) {
      time.textContent = view.idleTimeoutSeconds === 0 ? "No idle stop" : "";
      warn.textContent = "";
      keep.hidden = true;
      bar.classList.remove("warn");
      return;
    }
    var ms = Date.parse(view.idleStopAt) - (Date.now() + offset);
    var warning = ms <= view.warningSeconds * 1000;
    bar.classList.toggle("warn", warning);
    keep.hidden = !warning;
    keep.disabled = busy;
    time.textContent = warning ? "" : "Idle stop in " + left(ms);
    time.title = warning ? "" : "Stops after this long without activity; its files are kept.";
    var text = warning ? (note || (ms > 0 ? "Stops in " + left(ms) + " without activity" : "Stopping for inactivity")) : "";
    if (warn.textContent !== text) warn.textContent = text;
  }
  function take(v) {
    view = v;
    offset = Date.parse(v.now) - Date.now();
    render();
  }
  function load() {
    return fetch(prefix + "_berth/status", { credentials: "same-origin", cache: "no-store", headers: { accept: "application/json" } })
      .then(function (r) {
        if (r.ok) return r.json();
        // Stopped meanwhile (the proxy answers 503 for a server that is not running).
        if (r.status === 503) return r.json().then(function (b) { return { state: b.state || "stopped", now: new Date().toISOString() }; });
        return null;
      })
      .then(function (v) { if (v) { note = ""; take(v); } })
      .catch(function () {});
  }
  keep.addEventListener("click", function () {
    busy = true;
    note = "";
    render();
    fetch(prefix + "_berth/keep-running", { method: "POST", credentials: "same-origin", cache: "no-store", headers: { accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (v) { busy = false; note = "Kept running"; take(v); })
      .catch(function () { busy = false; note = "Could not reach Berth; try again"; render(); });
  });

  function mount() {
    (document.body || document.documentElement).appendChild(host);
    load();
    setInterval(render, 15000);
    setInterval(load, 60000);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) load(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mount);
  else mount();
})();
`;

export const BAR_CSS = `:host{all:initial}
.bar{position:fixed;right:16px;bottom:32px;z-index:2147483000;display:flex;align-items:center;gap:8px;max-width:calc(100vw - 32px);padding:4px 12px 4px 4px;border-radius:999px;background:#fffffff2;border:1px solid #cbd5e1;box-shadow:0 1px 3px #0f172a24;font:500 12px/1.25 ui-sans-serif,system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue","Liberation Sans",Arial,sans-serif;color:#334155;opacity:.9;transition:opacity .15s}
.bar:hover,.bar:focus-within{opacity:1}
a{color:#0f665f;text-decoration:none;font-weight:600;border-radius:4px}
a:hover{text-decoration:underline;text-underline-offset:2px}
.home{display:inline-flex;align-items:center;gap:6px}
.mark{width:22px;height:22px;border-radius:999px;display:grid;place-items:center;background:linear-gradient(135deg,#14a090,#11524d);color:#fff}
.mark svg{width:14px;height:14px;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round}
.sep{width:1px;height:14px;background:#e2e8f0}
.left{color:#475569;font-variant-numeric:tabular-nums;white-space:nowrap}
.left:empty{display:none}
.warn-text:empty{display:none}
.bar.warn{background:#fffbeb;border-color:#f59e0b;color:#78350f;opacity:1;box-shadow:0 4px 12px #78350f33}
.bar.warn .warn-text{font-weight:600}
.keep{font:inherit;font-weight:600;border:0;border-radius:999px;padding:4px 10px;background:#0f665f;color:#fff;cursor:pointer}
.keep:hover{background:#11524d}
.keep:disabled{opacity:.6;cursor:progress}
:focus-visible{outline:2px solid #0d8075;outline-offset:2px}
[hidden]{display:none!important}
@media (max-width:480px){.sep,.left{display:none}.bar{right:8px;bottom:8px}}
@media print{.bar{display:none}}
`;
