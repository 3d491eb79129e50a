// SPDX-License-Identifier: MIT
// Browser tests of the restauth web console: Debian's chromium, headless, driven by
// playwright-core, against a restauthd of its own. The tests run in order and share one
// signed-in page, like one person going through the console. Each saves screenshots in
// $RA_SCREENSHOT_DIR (default build/console-screenshots/): NN-what.png at 1280 px wide and,
// for the credential lifecycle and the audit log, NN-what-375.png at 375 px wide.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
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

async function shot(p, name, fullPage = true) {
  const path = join(SHOTS, `${name}.png`);
  await p.screenshot({ path, fullPage });
  return path;
}

// The page must not scroll sideways at its current width.
async function assertNoSideScroll(p, what) {
  const { scroll, width } = await p.evaluate(() => ({
    scroll: document.documentElement.scrollWidth, width: window.innerWidth,
  }));
  assert.ok(scroll <= width, `${what} is ${scroll} px wide in a ${width} px window`);
  // Nor may any cell or card hold content wider than itself (clipped out of sight).
  const clipped = await p.evaluate(() => [...document.querySelectorAll('main td, main dd, main li.pair article')]
    .filter((el) => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1)
    .map((el) => `${el.tagName} ${el.dataset.label || ''}: ${el.textContent.slice(0, 40)}`));
  assert.deepEqual(clipped, [], `${what}: content wider than its box`);
}

// Screenshots at desktop width and at 375 px (NAME-375), checking at each that nothing
// scrolls sideways; the page returns to its desktop size. A dialog is shot in the window
// only (`fullPage` false), where its backdrop is.
async function shotBoth(p, name, fullPage = true) {
  await assertNoSideScroll(p, name);
  await shot(p, name, fullPage);
  const size = p.viewportSize();
  await p.setViewportSize({ width: 375, height: 812 });
  await p.evaluate(() => new Promise((done) => requestAnimationFrame(() => done())));
  await assertNoSideScroll(p, `${name} at 375 px`);
  await shot(p, `${name}-375`, fullPage);
  await p.setViewportSize(size);
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
  return p.locator('#creds-list > li');
}

function card(p, id) {
  return p.locator(`#creds-list > li[data-id="${id}"]`);
}

async function waitForPairs(p, n) {
  await p.waitForFunction((k) => document.querySelectorAll('#creds-list > li').length === k, n);
}

// Add a pair through the dialog (focus starts in its expiry field; Enter submits), with an
// expiry of `days` days when given. Returns the new Customer ID.
async function addSecret(p, days) {
  const before = await credRows(p).count();
  await p.getByRole('button', { name: 'Add a secret' }).click();
  await p.locator('#add-dialog').waitFor();
  assert.equal(await p.evaluate(() => document.activeElement.id), 'add-days');
  if (days !== undefined) await p.keyboard.type(String(days));
  await p.keyboard.press('Enter');
  await p.locator('#add-dialog').waitFor({ state: 'hidden' });
  await p.locator('#new-pair').waitFor();
  await waitForPairs(p, before + 1);
  return (await p.locator('#new-pair-id').textContent()).trim();
}

// Click `button`, save the file it downloads and return the pair in it.
async function downloadPair(p, button) {
  const [download] = await Promise.all([p.waitForEvent('download'), button.click()]);
  assert.equal(download.suggestedFilename(), 'key_and_secret.txt');
  const file = join(server.dir, 'key_and_secret.txt');
  await download.saveAs(file);
  const text = readFileSync(file, 'utf8');
  rmSync(file);
  const m = text.match(/^Please keep this file safe\. The Customer Secret can be downloaded only once\.\r\nkey\uff1a([0-9a-f]{32})\r\nsecret\uff1a([0-9a-f]{32})\r\n$/);
  assert.ok(m, `key_and_secret.txt layout: ${JSON.stringify(text)}`);
  return { id: m[1], secret: m[2] };
}

// One REST call through curl with a pair; returns the status and the body.
function rest(path, pair) {
  const out = execFileSync('curl', ['-sS', '--noproxy', '*', '--cacert', server.cert,
    '-u', `${pair.id}:${pair.secret}`, '-w', '\n%{http_code}', `${server.url}${path}`],
  { encoding: 'utf8' });
  const cut = out.lastIndexOf('\n');
  return { status: Number(out.slice(cut + 1)), body: out.slice(0, cut) };
}

// Open the RESTful API page afresh (the list is read from the server again).
async function openPairs(p) {
  await p.goto(`${server.url}/console/#/projects`);
  await p.getByRole('heading', { name: 'Projects', level: 1 }).waitFor();
  await p.getByRole('link', { name: 'RESTful API' }).click();
  await credRows(p).first().waitFor();
}

function status(p, id) {
  return card(p, id).locator('dl .badge');
}

// Wait until a pair's badge reads `want` (the list is redrawn after each action), then check it.
async function statusIs(p, id, want) {
  const badge = status(p, id);
  const fits = (text) => (want instanceof RegExp ? want.test(text) : text === want);
  const deadline = Date.now() + 5000;
  let got = await badge.textContent();
  while (!fits(got) && Date.now() < deadline) {
    await p.waitForTimeout(50);
    got = await badge.textContent();
  }
  if (want instanceof RegExp) assert.match(got, want);
  else assert.equal(got, want);
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
  await waitForPairs(page, 1);
  const id = await addSecret(page);
  assert.match(id, /^[0-9a-f]{32}$/);
  await statusIs(page, id, 'Not downloaded yet');
  await shot(page, '06-secret-added');
  // A second tab that still shows the pair as not downloaded, for the next test.
  const stale = await context.newPage();
  await stale.goto(`${server.url}/console/#/restful-api`);
  await card(stale, id).getByRole('button', { name: /Download/ }).waitFor();

  const pair = await downloadPair(page, page.getByRole('button', { name: 'Download key_and_secret.txt' }));
  assert.equal(pair.id, id);
  await page.locator('#notice', { hasText: 'cannot be downloaded again' }).waitFor();
  await shot(page, '07-secret-downloaded');

  // The pair works at once: GET /dev/v1/projects through curl.
  const res = rest('/dev/v1/projects', pair);
  assert.equal(res.status, 201, res.body);
  const names = JSON.parse(res.body).projects.map((p) => p.name);
  assert.deepEqual(names, ['browser-project']);
  downloaded = { id, stale };
});

test('a second download of the same secret is refused with a clear message', async () => {
  const { id, stale } = downloaded;
  await card(stale, id).getByRole('button', { name: /Download/ }).click();
  const error = stale.locator('#creds-error');
  await error.waitFor();
  const message = await error.textContent();
  assert.match(message, /already downloaded/);
  assert.match(message, /delete this pair and add a new one/);
  await shot(stale, '08-second-download-refused');
  // The refreshed list no longer offers a download for that pair.
  await card(stale, id).getByRole('button', { name: /^Download/ }).waitFor({ state: 'detached' });
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
    await waitForPairs(page, n - 1);
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
    const id = document.querySelector('#creds-list > li').dataset.id;
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

// --- credential lifecycle: expiry, usage, disable and enable, roll, delete, tripwire ------

let life; // the pair added with an expiry: { id, secret }

test('add a secret with an expiry of 30 days', async () => {
  const before = await credRows(page).count();
  await page.getByRole('button', { name: 'Add a secret' }).click();
  await page.locator('#add-dialog').waitFor();
  // A bad number is refused in the dialog, which stays open.
  await page.keyboard.type('-3');
  await page.keyboard.press('Enter');
  await page.locator('#add-error').waitFor();
  assert.match(await page.locator('#add-error').textContent(), /whole number of days/);
  assert.equal(await page.locator('#add-days').getAttribute('aria-invalid'), 'true');
  await page.locator('#add-days').fill('30');
  await shotBoth(page, '11-add-with-expiry', false);
  await page.keyboard.press('Enter');
  await page.locator('#new-pair').waitFor();
  await waitForPairs(page, before + 1);
  const id = (await page.locator('#new-pair-id').textContent()).trim();
  life = await downloadPair(page, page.getByRole('button', { name: 'Download key_and_secret.txt' }));
  assert.equal(life.id, id);
  await page.locator('#notice', { hasText: 'cannot be downloaded again' }).waitFor();
  await statusIs(page, id, 'Expires in 30 days');
  // The expiry is shown as a date with the exact instant in its tooltip.
  const expires = card(page, id).locator('dl div', { hasText: 'Expires' }).locator('time');
  const exact = Date.parse(await expires.getAttribute('datetime')) / 1000;
  const wanted = Date.now() / 1000 + 30 * 86400;
  assert.ok(Math.abs(exact - wanted) < 120, `expires at ${exact}, wanted about ${wanted}`);
  assert.match(await expires.getAttribute('title'), /UTC/);
  await shotBoth(page, '12-added-with-expiry');
});

test('the usage chart shows the real calls of today, with its text alternative', async () => {
  const calls = 5;
  for (let i = 0; i < calls; i++) {
    const res = rest('/dev/v1/projects', life);
    assert.equal(res.status, 201, res.body);
  }
  // Read at once: the console's counts include those not yet written to the store.
  await openPairs(page);
  const fig = card(page, life.id).locator('figure.usage');
  const chart = fig.locator('svg');
  assert.equal(await chart.getAttribute('role'), 'img');
  const ids = (await chart.getAttribute('aria-labelledby')).split(' ');
  assert.equal(ids.length, 2);
  const title = chart.locator('title').first();
  const desc = chart.locator('desc');
  assert.equal(await title.getAttribute('id'), ids[0]);
  assert.equal(await desc.getAttribute('id'), ids[1]);
  assert.match(await title.textContent(), /Calls per day over the last 30 days/);
  assert.match(await desc.textContent(), new RegExp(`${calls} calls in the last 30 days`));
  // The accessible name the browser computes comes from the title and the description.
  const snapshot = await chart.ariaSnapshot();
  assert.match(snapshot, /img "Calls per day over the last 30 days Bar chart for Customer ID/);

  // 30 bars, oldest first; only today's has height, and its height is calls / scale top.
  const bars = await chart.locator('rect.bar').evaluateAll((rs) => rs.map((r) => ({
    day: r.dataset.day, calls: Number(r.dataset.calls), h: Number(r.getAttribute('height')),
  })));
  assert.equal(bars.length, 30);
  const today = new Date().toISOString().slice(0, 10);
  assert.equal(bars[29].day, today);
  assert.equal(bars[29].calls, calls);
  assert.ok(bars.slice(0, 29).every((b) => b.calls === 0 && b.h === 0), JSON.stringify(bars));
  const ticks = await chart.locator('.axis.y text:not(.title)').allTextContents();
  const top = Number(ticks[ticks.length - 1]);
  assert.ok(ticks.length >= 2 && ticks.length <= 6, `ticks ${ticks}`);
  assert.ok(top >= calls && top < 2 * calls, `scale top ${top} for ${calls} calls`);
  const plot = await chart.locator('line.baseline').evaluate((base) => {
    const lines = [...base.parentNode.querySelectorAll('line')];
    return Number(base.getAttribute('y1')) - Math.min(...lines.map((l) => Number(l.getAttribute('y1'))));
  });
  assert.ok(Math.abs(bars[29].h - (calls / top) * plot) < 0.01, `bar ${bars[29].h} of ${plot}`);
  // Axis titles name both axes.
  assert.deepEqual(await chart.locator('text.title').allTextContents(), ['Calls', 'Day (UTC)']);
  // The text alternatives: a sentence with the total and the busiest day, and a table.
  const caption = await fig.locator('figcaption').textContent();
  assert.match(caption, new RegExp(`^${calls} calls in the last 30 days`));
  assert.match(caption, new RegExp(`Busiest day: .*, with ${calls} calls`));
  await fig.locator('summary').click();
  const rows = fig.locator('details tbody tr');
  assert.equal(await rows.count(), 30);
  assert.equal((await rows.last().locator('td').textContent()).trim(), String(calls));
  // The last use is to the second, with the exact instant in the tooltip.
  const used = card(page, life.id).locator('dl div', { hasText: 'Last used' }).locator('time');
  const usedAt = Date.parse(await used.getAttribute('datetime')) / 1000;
  assert.ok(Math.abs(usedAt - Date.now() / 1000) < 120, `last used ${usedAt}`);
  assert.match(await used.textContent(), /:\d\d:\d\d/);
  await shotBoth(page, '13-usage-chart');
});

test('disable and enable a pair; the last enabled pair cannot be disabled', async () => {
  const other = (await credRows(page).first().getAttribute('data-id'));
  assert.notEqual(other, life.id);
  await card(page, life.id).getByRole('button', { name: `Disable credential pair ${life.id}` }).click();
  await confirmDialog(page, 'Disable pair');
  await page.locator('#notice', { hasText: `${life.id} is disabled` }).waitFor();
  await statusIs(page, life.id, 'Disabled');
  assert.equal(rest('/dev/v1/projects', life).status, 401);
  await shotBoth(page, '14-pair-disabled');
  // Disabling the other pair would leave none enabled: the server refuses it in words.
  await card(page, other).getByRole('button', { name: `Disable credential pair ${other}` }).click();
  await confirmDialog(page, 'Disable pair');
  await page.locator('#creds-error').waitFor();
  assert.match(await page.locator('#creds-error').textContent(), /cannot be .*disabled/);
  await statusIs(page, other, 'Active');
  await shotBoth(page, '15-last-enabled-pair');
  await card(page, life.id).getByRole('button', { name: `Enable credential pair ${life.id}` }).click();
  await page.locator('#notice', { hasText: `${life.id} is enabled` }).waitFor();
  assert.equal(await page.locator('#creds-error').isVisible(), false);
  // The notice comes before the list is loaded again: wait for the new status.
  await statusIs(page, life.id, /^Expires in (30|29) days$/);
  assert.equal(rest('/dev/v1/projects', life).status, 201);
  await shotBoth(page, '16-pair-enabled');
});

test('set and clear the expiry of a pair', async () => {
  await card(page, life.id).getByRole('button', { name: `Set the expiry of credential pair ${life.id}` }).click();
  await page.locator('#expire-dialog').waitFor();
  assert.equal(await page.locator('#expire-in').isChecked(), true);
  await page.locator('#expire-days').fill('7');
  await shotBoth(page, '17-expiry-dialog', false);
  await page.keyboard.press('Enter');
  await page.locator('#notice', { hasText: `${life.id} now expires on` }).waitFor();
  await statusIs(page, life.id, 'Expires in 7 days');
  await shotBoth(page, '18-expiry-set');
  await card(page, life.id).getByRole('button', { name: `Set the expiry of credential pair ${life.id}` }).click();
  await page.locator('#expire-dialog').waitFor();
  await page.getByLabel('never expires').check();
  await page.getByRole('button', { name: 'Save expiry' }).click();
  await page.locator('#notice', { hasText: `${life.id} no longer expires` }).waitFor();
  await statusIs(page, life.id, 'Active');
  assert.equal(await card(page, life.id).locator('dl div', { hasText: 'Expires' }).locator('dd').textContent(), 'Never');
  await shotBoth(page, '19-expiry-cleared');
});

// Roll `id` with the overlap typed into the dialog; download the new secret. Returns it.
async function roll(id, overlap, name) {
  await card(page, id).getByRole('button', { name: `Roll credential pair ${id}` }).click();
  await page.locator('#roll-dialog').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'roll-overlap');
  assert.equal(await page.locator('#roll-overlap').inputValue(), '24h');
  assert.match(await page.locator('#roll-hint').textContent(), /0 = revoke the old pair now/);
  await page.locator('#roll-overlap').fill(overlap);
  if (name) await shotBoth(page, name, false);
  await page.keyboard.press('Enter');
  await page.locator('#new-pair').waitFor();
  const next = await downloadPair(page, page.getByRole('button', { name: 'Download key_and_secret.txt' }));
  assert.notEqual(next.id, id);
  await page.locator('#notice', { hasText: 'cannot be downloaded again' }).waitFor();
  return next;
}

let rolled;

test('roll a pair with the default overlap, then one with 0 (revoke now)', async () => {
  const n = await credRows(page).count();
  const next = await roll(life.id, '24h', '20-roll-dialog');
  await waitForPairs(page, n + 1);
  // The old pair works through the overlap, the new one at once.
  await statusIs(page, life.id, /^Expires in (24|23) hours$/);
  await statusIs(page, next.id, 'Active');
  assert.equal(rest('/dev/v1/projects', life).status, 201);
  assert.equal(rest('/dev/v1/projects', next).status, 201);
  await shotBoth(page, '21-rolled');
  // Overlap 0: the old pair is refused at once.
  const third = await roll(next.id, '0');
  await waitForPairs(page, n + 2);
  await statusIs(page, next.id, 'Expired');
  // The expired pair is listed but does not count toward the limit.
  assert.match(await page.locator('#limit-note').textContent(),
    new RegExp(`^${n + 1} of ${MAX_PAIRS} credential pairs in use\\. Expired pairs \\(1 here\\) do not count\\.$`));
  assert.equal(rest('/dev/v1/projects', next).status, 401);
  assert.equal(rest('/dev/v1/projects', third).status, 201);
  await shotBoth(page, '22-rolled-revoke-now');
  rolled = { expired: next.id };
});

test('delete the revoked pair', async () => {
  const n = await credRows(page).count();
  await card(page, rolled.expired).getByRole('button', { name: `Delete credential pair ${rolled.expired}` }).click();
  await confirmDialog(page, 'Delete pair');
  await waitForPairs(page, n - 1);
  assert.equal(await card(page, rolled.expired).count(), 0);
  await page.locator('#notice', { hasText: 'is now refused by the server' }).waitFor();
  await shotBoth(page, '23-pair-deleted');
});

let tripwire;

test('a tripwire pair is shown as such, and its use is refused', async () => {
  const out = server.cli('secret', 'add', '--account', 'owner', '--tripwire');
  const m = out.match(/customer_id: ([0-9a-f]{32})\ncustomer_secret: ([0-9a-f]{32})/);
  assert.ok(m, out);
  tripwire = { id: m[1], secret: m[2] };
  await openPairs(page);
  const c = card(page, tripwire.id);
  await c.waitFor();
  await statusIs(page, tripwire.id, 'Tripwire');
  assert.match(await c.locator('.tripwire-note').textContent(), /alert in the audit log/);
  // Only Delete is offered.
  assert.deepEqual(await c.locator('.buttons button').allTextContents(), ['Delete']);
  await shotBoth(page, '24-tripwire');
  // Its use is refused and raises an alert. The pair reaches the serving side through the
  // change feed, so the call is repeated until the alert is in the log (10 s at most).
  // Every use is one alert, written later by the housekeeping thread: the log is complete
  // (and stays as it is for the next test) once it holds as many alerts as there were uses.
  const alerts = () => page.evaluate(async () => {
    const res = await fetch('/console/api/audit?limit=100');
    return (await res.json()).entries.filter((e) => e.action === 'credential.tripwire_used').length;
  });
  const deadline = Date.now() + 10000;
  let uses = 0;
  let seen = 0;
  while (seen === 0 && Date.now() < deadline) {
    assert.equal(rest('/dev/v1/projects', tripwire).status, 401);
    uses++;
    seen = await alerts();
    if (seen === 0) await new Promise((done) => setTimeout(done, 250));
  }
  assert.ok(seen > 0, 'no credential.tripwire_used entry in the audit log');
  while (seen < uses && Date.now() < deadline) {
    await new Promise((done) => setTimeout(done, 100));
    seen = await alerts();
  }
  assert.equal(seen, uses, 'one alert for each use of the tripwire pair');
});

test('the audit log pages newest first and marks the tripwire alert', async () => {
  await page.getByRole('link', { name: 'Audit log' }).click();
  await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
  await page.locator('#audit-body tr').first().waitFor();
  await page.getByLabel('Entries per page').selectOption('10');
  await page.locator('#audit-page', { hasText: 'Entries 1 to 10' }).waitFor();
  const read = () => page.locator('#audit-body tr').evaluateAll((rows) => rows.map((r) => ({
    time: Date.parse(r.querySelector('time').dateTime),
    action: r.querySelector('.action code').textContent,
    alert: r.classList.contains('alert'),
    badge: r.querySelector('.badge') ? r.querySelector('.badge').textContent : null,
    text: r.textContent,
  })));
  const first = await read();
  assert.equal(first.length, 10);
  for (let i = 1; i < first.length; i++) assert.ok(first[i - 1].time >= first[i].time, 'newest first');
  const alert = first.find((e) => e.action === 'credential.tripwire_used');
  assert.ok(alert, JSON.stringify(first.map((e) => e.action)));
  assert.equal(alert.alert, true);
  assert.equal(alert.badge, 'Alert');
  assert.ok(alert.text.includes(tripwire.id));
  assert.ok(first.filter((e) => e.alert).every((e) => e.action === 'credential.tripwire_used'));
  assert.equal(await page.getByRole('button', { name: 'Newer entries' }).isDisabled(), true);
  await shotBoth(page, '25-audit-log');

  await page.getByRole('button', { name: 'Older entries' }).click();
  await page.locator('#audit-page', { hasText: 'Entries 11 to 20' }).waitFor();
  const second = await read();
  assert.equal(second.length, 10);
  assert.ok(second[0].time <= first[first.length - 1].time, 'page 2 is older than page 1');
  // The lifecycle actions of this run are all recorded.
  const all = [...first, ...second].map((e) => e.action);
  for (const a of ['credential.roll', 'credential.delete', 'credential.expire']) {
    assert.ok(all.includes(a), `${a} in ${all}`);
  }
  await shotBoth(page, '26-audit-log-older');
  await page.getByRole('button', { name: 'Newer entries' }).click();
  await page.locator('#audit-page', { hasText: 'Entries 1 to 10' }).waitFor();
  assert.deepEqual((await read()).map((e) => e.action), first.map((e) => e.action));
});

test('every page reads at 375 px wide', async () => {
  const narrow = await newContext({ width: 375, height: 812 });
  const p = await narrow.newPage();
  await signInWithKeyboard(p);
  await p.getByRole('heading', { name: 'Projects', level: 1 }).waitFor();
  await p.locator('#projects-body tr').first().waitFor();
  const width = () => p.evaluate(() => document.documentElement.scrollWidth);
  assert.ok((await width()) <= 375, `projects page is ${await width()} px wide`);
  await shot(p, '27-narrow-projects');
  await p.getByRole('link', { name: 'RESTful API' }).click();
  await credRows(p).first().waitFor();
  assert.ok((await width()) <= 375, `RESTful API page is ${await width()} px wide`);
  await shot(p, '28-narrow-restful-api');
  await p.getByRole('link', { name: 'Audit log' }).click();
  await p.locator('#audit-body tr').first().waitFor();
  assert.ok((await width()) <= 375, `Audit log page is ${await width()} px wide`);
  await shot(p, '29-narrow-audit-log');
  await narrow.close();
});

test('sign out ends the session', async () => {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  assert.match(await page.locator('#notice').textContent(), /signed out/);
  await shot(page, '30-signed-out');
  await page.reload();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  const session = await page.evaluate(async () => (await fetch('/console/api/session')).json());
  assert.equal(session.signed_in, false);
  const cookies = await context.cookies();
  assert.equal(cookies.find((c) => c.name === 'ra_session'), undefined);
});
