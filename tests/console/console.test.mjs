// SPDX-License-Identifier: MIT
// Browser tests of the restauth web console: Debian's chromium, headless, driven by
// playwright-core, against a restauthd of its own. The tests run in order and share one
// signed-in page, like one person going through the console. Each saves a screenshot in
// $RA_SCREENSHOT_DIR (default build/console-screenshots/).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { EMAIL, PASSWORD, REPO, Server } from './server.mjs';

const SHOTS = process.env.RA_SCREENSHOT_DIR || join(REPO, 'build', 'console-screenshots');
const LAUNCH = {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
};
const MAX_PAIRS = 10;

let server;
let browser;
let context;
let page;

async function shot(p, name) {
  const path = join(SHOTS, `${name}.png`);
  await p.screenshot({ path, fullPage: true });
  return path;
}

function newContext(viewport) {
  return browser.newContext({ ignoreHTTPSErrors: true, acceptDownloads: true, viewport });
}

// Sign in with the keyboard only: focus starts in the e-mail field; Tab, then Enter.
async function signInWithKeyboard(p, password = PASSWORD) {
  await p.goto(`${server.url}/console/`);
  await p.getByRole('heading', { name: 'Sign in' }).waitFor();
  assert.equal(await p.evaluate(() => document.activeElement.id), 'signin-email');
  await p.keyboard.type(EMAIL);
  await p.keyboard.press('Tab');
  assert.equal(await p.evaluate(() => document.activeElement.id), 'signin-password');
  await p.keyboard.type(password);
  await p.keyboard.press('Enter');
}

// Confirm the open dialog with the keyboard: Tab from Cancel to the confirming button, Enter.
async function confirmDialog(p, okLabel) {
  const dialog = p.getByRole('dialog');
  await dialog.waitFor();
  assert.equal(await p.evaluate(() => document.activeElement.id), 'confirm-cancel');
  await p.keyboard.press('Tab');
  assert.equal(await p.evaluate(() => document.activeElement.textContent), okLabel);
  await p.keyboard.press('Enter');
  await dialog.waitFor({ state: 'hidden' });
}

function credRows(p) {
  return p.locator('#creds-body tr');
}

async function addSecret(p) {
  const before = await credRows(p).count();
  await p.getByRole('button', { name: 'Add a secret' }).click();
  await confirmDialog(p, 'Add a secret');
  await p.locator('#new-pair').waitFor();
  await p.waitForFunction((n) => document.querySelectorAll('#creds-body tr').length === n,
    before + 1);
  return (await p.locator('#new-pair-id').textContent()).trim();
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = new Server();
  server.init();
  await server.start();
  browser = await chromium.launch(LAUNCH);
  context = await newContext({ width: 1280, height: 900 });
  page = await context.newPage();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

test('a wrong password is refused in words, then sign-in works with the keyboard', async () => {
  await signInWithKeyboard(page, 'not the password');
  const error = page.locator('#signin-error');
  await error.waitFor();
  assert.match(await error.textContent(), /e-mail address or the password is not correct/);
  await shot(page, '01-signin-error');
  await page.locator('#signin-email').fill('');
  await signInWithKeyboard(page);
  await page.getByRole('heading', { name: 'Projects', level: 1 }).waitFor();
  assert.equal(await page.locator('#who-email').textContent(), EMAIL);
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === 'ra_session');
  assert.ok(session, 'session cookie set');
  assert.equal(session.httpOnly, true);
  assert.equal(session.secure, true);
  assert.equal(session.sameSite, 'Strict');
  assert.equal(session.path, '/console');
  await shot(page, '02-signed-in-projects');
});

test('create a project, then manage it', async () => {
  await page.getByLabel('Project name').fill('browser-project');
  await page.getByRole('button', { name: 'Create project' }).click();
  const row = page.locator('#projects-body tr', { hasText: 'browser-project' });
  await row.waitFor();
  assert.match(await page.locator('#notice').textContent(), /browser-project was created/);
  assert.match(await row.textContent(), /Enabled/);
  // A success shows the banner alone, no error.
  assert.equal(await page.locator('#create-error').isVisible(), false);
  assert.equal(await page.locator('#projects-error').isVisible(), false);
  await shot(page, '03-project-created');
  // A duplicate name is refused in words, and the earlier success banner goes away.
  await page.getByLabel('Project name').fill('browser-project');
  await page.getByRole('button', { name: 'Create project' }).click();
  await page.locator('#create-error').waitFor();
  assert.match(await page.locator('#create-error').textContent(), /already exists/);
  assert.equal(await page.locator('#notice').isVisible(), false);
  await shot(page, '04-project-name-taken');
  // Certificate off and on again, then a reset behind a confirmation.
  await row.getByRole('button', { name: 'Disable the App Certificate of browser-project' }).click();
  await page.locator('#notice', { hasText: 'is disabled' }).waitFor();
  await row.getByRole('button', { name: 'Enable the App Certificate of browser-project' }).click();
  await page.locator('#notice', { hasText: 'is enabled' }).waitFor();
  await row.getByRole('button', { name: 'Reset the App Certificate of browser-project' }).click();
  await confirmDialog(page, 'Reset certificate');
  await page.locator('#notice', { hasText: 'was reset' }).waitFor();
  await row.getByRole('button', { name: 'Disable project browser-project' }).click();
  await page.locator('#notice', { hasText: 'browser-project is disabled' }).waitFor();
  await row.getByRole('button', { name: 'Enable project browser-project' }).click();
  await page.locator('#notice', { hasText: 'browser-project is enabled' }).waitFor();
  // The error of the refused duplicate is gone once later actions succeed.
  assert.equal(await page.locator('#create-error').isVisible(), false);
  await shot(page, '05-project-managed');
});

let downloaded;

test('add a secret, download key_and_secret.txt, and call the REST API with it', async () => {
  await page.getByRole('link', { name: 'RESTful API' }).click();
  await page.getByRole('heading', { name: 'RESTful API', level: 1 }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll('#creds-body tr').length === 1);
  const id = await addSecret(page);
  assert.match(id, /^[0-9a-f]{32}$/);
  await shot(page, '06-secret-added');
  // A second tab that still shows the pair as not downloaded, for the next test.
  const stale = await context.newPage();
  await stale.goto(`${server.url}/console/#/restful-api`);
  await stale.locator('#creds-body tr', { hasText: id }).getByRole('button', { name: /Download/ })
    .waitFor();

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download key_and_secret.txt' }).click(),
  ]);
  assert.equal(download.suggestedFilename(), 'key_and_secret.txt');
  const file = join(server.dir, 'key_and_secret.txt');
  await download.saveAs(file);
  const text = readFileSync(file, 'utf8');
  const m = text.match(/^Please keep this file safe\. The Customer Secret can be downloaded only once\.\r\nkey\uff1a([0-9a-f]{32})\r\nsecret\uff1a([0-9a-f]{32})\r\n$/);
  assert.ok(m, `key_and_secret.txt layout: ${JSON.stringify(text)}`);
  assert.equal(m[1], id);
  await page.locator('#notice', { hasText: 'cannot be downloaded again' }).waitFor();
  await shot(page, '07-secret-downloaded');

  // The pair works at once: GET /dev/v1/projects through curl.
  const out = execFileSync('curl', ['-sS', '--noproxy', '*', '--cacert', server.cert,
    '-u', `${m[1]}:${m[2]}`, '-w', '\n%{http_code}', `${server.url}/dev/v1/projects`],
  { encoding: 'utf8' });
  const [body, status] = out.split('\n');
  assert.equal(status, '201', out);
  const names = JSON.parse(body).projects.map((p) => p.name);
  assert.deepEqual(names, ['browser-project']);
  downloaded = { id, stale };
});

test('a second download of the same secret is refused with a clear message', async () => {
  const { id, stale } = downloaded;
  await stale.locator('#creds-body tr', { hasText: id }).getByRole('button', { name: /Download/ })
    .click();
  const error = stale.locator('#creds-error');
  await error.waitFor();
  const message = await error.textContent();
  assert.match(message, /already downloaded/);
  assert.match(message, /delete this pair and add a new one/);
  await shot(stale, '08-second-download-refused');
  // The refreshed list no longer offers a download for that pair.
  await stale.waitForFunction((cid) => {
    const row = [...document.querySelectorAll('#creds-body tr')].find((r) => r.textContent.includes(cid));
    return row && !row.textContent.includes('Download');
  }, id);
  await stale.close();
});

test('at the pair limit Add is disabled and says why', async () => {
  while ((await credRows(page).count()) < MAX_PAIRS) await addSecret(page);
  const add = page.getByRole('button', { name: 'Add a secret' });
  assert.equal(await add.isDisabled(), true);
  assert.match(await page.locator('#limit-note').textContent(),
    new RegExp(`${MAX_PAIRS} of ${MAX_PAIRS} credential pairs, the most`));
  await shot(page, '09-pair-limit');
});

test('delete pairs after confirming; the last pair cannot be deleted', async () => {
  // Cancelling keeps the pair.
  await credRows(page).first().getByRole('button', { name: /^Delete credential pair/ }).click();
  await page.getByRole('dialog').waitFor();
  await page.keyboard.press('Escape');
  await page.getByRole('dialog').waitFor({ state: 'hidden' });
  assert.equal(await credRows(page).count(), MAX_PAIRS);
  while ((await credRows(page).count()) > 1) {
    const n = await credRows(page).count();
    await credRows(page).last().getByRole('button', { name: /^Delete credential pair/ }).click();
    await confirmDialog(page, 'Delete pair');
    await page.waitForFunction((k) => document.querySelectorAll('#creds-body tr').length === k, n - 1);
    // The page follows the deletion until the server has applied it.
    await page.locator('#notice', { hasText: 'is now refused by the server' }).waitFor();
  }
  const last = credRows(page).first().getByRole('button', { name: /^Delete credential pair/ });
  assert.equal(await last.isDisabled(), true);
  assert.equal(await page.locator('#last-note').isVisible(), true);
  assert.match(await page.locator('#last-note').textContent(), /last credential pair cannot be deleted/);
  // Even a request made around the page is refused by the server.
  const status = await page.evaluate(async () => {
    const csrf = (await (await fetch('/console/api/session')).json()).csrf_token;
    const id = document.querySelector('#creds-body code').textContent;
    const res = await fetch('/console/api/credentials/delete', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify({ customer_id: id }),
    });
    return res.status;
  });
  assert.equal(status, 409);
  await shot(page, '10-last-pair');
});

test('every page reads at 375 px wide', async () => {
  const narrow = await newContext({ width: 375, height: 812 });
  const p = await narrow.newPage();
  await signInWithKeyboard(p);
  await p.getByRole('heading', { name: 'Projects', level: 1 }).waitFor();
  await p.locator('#projects-body tr').first().waitFor();
  const width = () => p.evaluate(() => document.documentElement.scrollWidth);
  assert.ok((await width()) <= 375, `projects page is ${await width()} px wide`);
  await shot(p, '11-narrow-projects');
  await p.getByRole('link', { name: 'RESTful API' }).click();
  await p.locator('#creds-body tr').first().waitFor();
  assert.ok((await width()) <= 375, `RESTful API page is ${await width()} px wide`);
  await shot(p, '12-narrow-restful-api');
  await narrow.close();
});

test('sign out ends the session', async () => {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  assert.match(await page.locator('#notice').textContent(), /signed out/);
  await shot(page, '13-signed-out');
  await page.reload();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  const session = await page.evaluate(async () => (await fetch('/console/api/session')).json());
  assert.equal(session.signed_in, false);
  const cookies = await context.cookies();
  assert.equal(cookies.find((c) => c.name === 'ra_session'), undefined);
});
