import { join } from 'node:path';
import express, { type Express } from 'express';

// The web views are static files built by scripts/build-web.mjs; they call the JSON API with the
// user's bearer token. Everything is served from here: no CDN, no web fonts, nothing external.

const PAGES: Record<string, string> = { '/': 'analyst.html', '/tag': 'tag.html', '/review': 'review.html' };

const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'; connect-src 'self'; font-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

const decoded = (path: string): string => {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
};

export function webRoutes(app: Express, webDir: string): void {
  app.use((_req, res, next) => {
    res.set(SECURITY_HEADERS);
    next();
  });
  for (const [path, file] of Object.entries(PAGES)) {
    app.get(path, (_req, res) => res.sendFile(join(webDir, file), { dotfiles: 'allow' }));
  }
  // Source maps would show the web views' sources to anyone: never served, even if one was built
  // (the path is tested as the static server will read it, after percent-decoding).
  const assets = express.static(join(webDir, 'assets'), { index: false, fallthrough: true, maxAge: 0 });
  app.use('/assets', (req, res, next) => (/\.map$/i.test(decoded(req.path)) ? next() : assets(req, res, next)));
}
