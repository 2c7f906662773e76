// The "launch | Berth" badge READMEs link to launch URLs with (badgeMarkdown in lib/launch).
// Static: nothing from the request goes into it. Text is drawn as text (not paths) so it stays
// crisp and searchable; role="img" with aria-label and <title> give screen readers one name.

const LABEL = "Launch in Berth";
const LEFT = { text: "launch", width: 50, fill: "#555" };
// White on #1c5d8a is 6.9:1, above WCAG AA for small text.
const RIGHT = { text: "Berth", width: 44, fill: "#1c5d8a" };
const WIDTH = LEFT.width + RIGHT.width;

export const BADGE_SVG = [
  `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="20" viewBox="0 0 ${WIDTH} 20" role="img" aria-label="${LABEL}">`,
  `<title>${LABEL}</title>`,
  `<linearGradient id="shine" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>`,
  `<clipPath id="round"><rect width="${WIDTH}" height="20" rx="3" fill="#fff"/></clipPath>`,
  `<g clip-path="url(#round)">`,
  `<rect width="${LEFT.width}" height="20" fill="${LEFT.fill}"/>`,
  `<rect x="${LEFT.width}" width="${RIGHT.width}" height="20" fill="${RIGHT.fill}"/>`,
  `<rect width="${WIDTH}" height="20" fill="url(#shine)"/>`,
  `</g>`,
  `<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11" aria-hidden="true">`,
  `<text x="${LEFT.width / 2}" y="14">${LEFT.text}</text>`,
  `<text x="${LEFT.width + RIGHT.width / 2}" y="14">${RIGHT.text}</text>`,
  `</g>`,
  `</svg>`,
].join("");

export const BADGE_HEADERS = {
  "content-type": "image/svg+xml; charset=utf-8",
  "cache-control": "public, max-age=86400",
  // Opened on its own, the SVG is a document of this origin: it may load and run nothing.
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
} as const;
