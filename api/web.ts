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

export function webRoutes(app: Express, webDir: string): void {
  app.use((_req, res, next) => {
    res.set(SECURITY_HEADERS);
    next();
  });
  for (const [path, file] of Object.entries(PAGES)) {
    app.get(path, (_req, res) => res.sendFile(join(webDir, file), { dotfiles: 'allow' }));
  }
  app.use('/assets', express.static(join(webDir, 'assets'), { index: false, fallthrough: true, maxAge: 0 }));
}
