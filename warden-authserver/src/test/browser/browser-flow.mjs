// Drives Debian's Chromium (never a downloaded browser) through Warden's login and consent pages.
//
// usage: conformance/node browser-flow.mjs <authorize URL> <username> <password> <approve|deny> <redirect origin>
//                                         <screenshot dir> <screenshot prefix>
//
// Opens the authorization URL in a fresh profile, fills in the login form, takes a screenshot, reads the consent
// page (client name, redirect host), takes a screenshot, clicks Allow or Deny, and prints the URL the browser was
// sent back to. A small server on the client's redirect origin plays the client's callback, unless a real client
// already listens there. Every step
// prints one line; the run ends with OK (exit 0) or "FAILED at <step>: ..." (exit 1).
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

const [authorizeUrl, username, password, decision, redirectOrigin, shots, prefix] = process.argv.slice(2);
if (!prefix || !['approve', 'deny'].includes(decision)) {
  console.error('usage: browser-flow.mjs <authorize URL> <username> <password> <approve|deny> <redirect origin> <screenshot dir> <prefix>');
  process.exit(2);
}
const log = (m) => console.log(`[browser] ${m}`);
let step = 'launch';
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-chromium-'));
let context;
try {
  // a fresh profile directory (playwright passes it as --user-data-dir)
  context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  // the client's loopback callback (RFC 8252 §7.3): records where the browser was sent back to
  let returned;
  const callback = http.createServer((req, res) => {
    const u = new URL(req.url, redirectOrigin);
    if (u.pathname === '/callback') returned = u.href;
    res.writeHead(200, { 'content-type': 'text/plain' }).end('client callback reached');
  });
  // When a real client (the official SDK) already listens on its callback, it gets the redirect itself.
  const own = await new Promise((r) => {
    callback.once('error', (e) => { if (e.code === 'EADDRINUSE') r(false); else throw e; });
    callback.listen(Number(new URL(redirectOrigin).port), '127.0.0.1', () => r(true));
  });
  if (own) callback.unref(); else log('callback: served by the client listening on it');
  const violations = [];
  const page = await context.newPage();
  page.on('console', (m) => { if (/Content Security Policy|Refused/i.test(m.text())) violations.push(m.text()); });

  step = 'login page';
  await page.goto(authorizeUrl);
  await page.waitForSelector('#username');
  log(`login page: title="${await page.title()}" client="${await page.textContent('#client-name')}"`);
  await page.fill('#username', username);
  await page.fill('#password', password);
  fs.mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, `${prefix}-login.png`), fullPage: true });
  await page.click('#sign-in');

  step = 'consent page';
  await page.waitForSelector('#approve');
  log(`consent page: title="${await page.title()}" client="${await page.textContent('#client-name')}" redirect-host="${await page.textContent('#redirect-host')}" subject="${await page.textContent('#subject')}"`);
  await page.screenshot({ path: path.join(shots, `${prefix}-consent.png`), fullPage: true });

  step = decision;
  await Promise.all([
    page.waitForURL((u) => u.href.startsWith(redirectOrigin), { timeout: 20000 }),
    page.click(decision === 'approve' ? '#approve' : '#deny'),
  ]);
  log(`returned: ${returned ?? page.url()}`);
  if (violations.length) log(`csp violations: ${violations.join(' | ')}`);
  console.log('OK');
  await context.close();
  process.exit(0);
} catch (e) {
  console.error(`[browser] FAILED at ${step}: ${e?.stack ?? e}`);
  await context?.close().catch(() => {});
  process.exit(1);
}
