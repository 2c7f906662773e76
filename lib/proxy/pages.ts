import type { ServerResponse } from "node:http";

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// Small self-contained pages for answers the proxy gives without Next.js (it must stay fast and
// work even when the app is busy).
export function sendPage(res: ServerResponse, status: number, title: string, body: string, link?: { href: string; text: string }) {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)} · Berth</title>
<style>body{font-family:system-ui,sans-serif;background:#f8fafc;color:#0f172a;display:grid;place-items:center;min-height:100vh;margin:0}
main{background:#fff;border:1px solid #e2e8f0;border-radius:12px;padding:2rem;max-width:32rem;box-shadow:0 1px 2px #0001}
h1{font-size:1.25rem;margin:0 0 .75rem}p{line-height:1.5;color:#334155}a{display:inline-block;margin-top:1rem;background:#0f766e;color:#fff;padding:.5rem 1rem;border-radius:8px;text-decoration:none}
a:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}</style></head>
<body><main><h1>${esc(title)}</h1><p>${esc(body)}</p>${link ? `<a href="${esc(link.href)}">${esc(link.text)}</a>` : ""}</main></body></html>`;
  res.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
  res.end(html);
}

export function sendJson(res: ServerResponse, status: number, body: object) {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}
