import type { ServerResponse } from "node:http";

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// Small self-contained pages for answers the proxy gives without Next.js (it must stay fast and
// work even when the app is busy). The look follows the app's own pages (components/ui/MessageCard).
const STYLE = `*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:flex;flex-direction:column;font-family:ui-sans-serif,system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue","Liberation Sans",Arial,sans-serif;background:#f8fafc;color:#0f172a;-webkit-font-smoothing:antialiased}
header{height:4rem;border-bottom:1px solid #e2e8f0cc;background:#fffc}
header a{max-width:64rem;margin:0 auto;height:100%;padding:0 1.5rem;display:flex;align-items:center;gap:.625rem;color:#0f172a;text-decoration:none;font-weight:600;font-size:1.05rem}
.mark{width:2rem;height:2rem;border-radius:.5rem;display:grid;place-items:center;background:linear-gradient(135deg,#14a090,#11524d);color:#fff}
main{flex:1;display:flex;justify-content:center;padding:3rem 1rem}
.card{width:100%;max-width:28rem;height:max-content;text-align:center;background:#fff;border:1px solid #e2e8f0;border-radius:1rem;padding:2.5rem 2rem;box-shadow:0 1px 2px #0f172a0a,0 1px 3px #0f172a0f}
.icon{width:3rem;height:3rem;margin:0 auto;border-radius:1rem;display:grid;place-items:center;background:#f1f5f9;color:#64748b}
.icon.danger{background:#fef2f2;color:#dc2626}
.code{margin:1rem 0 0;font-size:.75rem;font-weight:600;letter-spacing:.05em;text-transform:uppercase;color:#94a3b8}
h1{margin:.25rem 0 0;font-size:1.25rem;letter-spacing:-.01em}
p.body{margin:.5rem 0 0;font-size:.875rem;line-height:1.6;color:#475569}
.action{display:inline-block;margin-top:1.5rem;background:#0f665f;color:#fff;padding:.55rem 1rem;border-radius:.5rem;font-size:.875rem;font-weight:500;text-decoration:none}
.action:hover{background:#11524d}
.more{margin:1rem 0 0;font-size:.875rem}.more a{color:#0f665f;font-weight:500;text-underline-offset:2px}
a:focus-visible{outline:2px solid #0d8075;outline-offset:2px}
:root{color-scheme:light dark}
@media (prefers-color-scheme:dark){body{background:#0b1120;color:#f1f5f9}header{border-bottom-color:#334155cc;background:#111a2ecc}header a{color:#f1f5f9}
.card{background:#111a2e;border-color:#283549;box-shadow:none}.icon{background:#1e293b;color:#a5b4c8}.icon.danger{background:#3b0d0d;color:#f87171}.code{color:#8b9ab0}
p.body{color:#c2cddb}.action{background:#5ad6c5;color:#0b1120}.action:hover{background:#95eadb}.more a{color:#5ad6c5}a:focus-visible{outline-color:#2bbcaa}}`;

const MARK = `<svg viewBox="0 0 24 24" width="20" height="20" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M12 3v10"/><path d="M12 4.5 17.5 11H12"/><path d="M3.5 14.5h17l-2.2 4.2a1.5 1.5 0 0 1-1.33.8H7.03a1.5 1.5 0 0 1-1.33-.8L3.5 14.5Z"/></svg>`;
const LOCK = `<svg viewBox="0 0 24 24" width="24" height="24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><rect x="5" y="10.5" width="14" height="10" rx="2"/><path d="M8 10.5V7.5a4 4 0 0 1 8 0v3"/></svg>`;
const INFO = `<svg viewBox="0 0 24 24" width="24" height="24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><circle cx="12" cy="12" r="9"/><path d="M12 8v4.5M12 16h.01"/></svg>`;

export function sendPage(res: ServerResponse, status: number, title: string, body: string, link?: { href: string; text: string }, more?: { href: string; text: string }) {
  res.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
  res.end(pageHtml(status, title, body, link, "/", more));
}

/** The page itself, for answers given outside the proxy too (the user-host hand-off). */
export function pageHtml(status: number, title: string, body: string, link?: { href: string; text: string }, home = "/", more?: { href: string; text: string }): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)} · Berth</title><style>${STYLE}</style></head>
<body><header><a href="${esc(home)}"><span class="mark">${MARK}</span>Berth</a></header>
<main><div class="card"><div class="icon${status === 403 ? " danger" : ""}">${status === 403 ? LOCK : INFO}</div><p class="code">${status}</p>
<h1>${esc(title)}</h1><p class="body">${esc(body)}</p>${link ? `<a class="action" href="${esc(link.href)}">${esc(link.text)}</a>` : ""}${more ? `<p class="more"><a href="${esc(more.href)}">${esc(more.text)}</a></p>` : ""}</div></main></body></html>`;
}

export function sendJson(res: ServerResponse, status: number, body: object) {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}
