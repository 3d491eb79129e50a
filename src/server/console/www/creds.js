// SPDX-License-Identifier: MIT
// restauth Console: the RESTful API page. One card per credential pair: its status, dates,
// 30-day usage chart (chart.js) and actions (download, disable or enable, roll, expiry,
// delete). Uses the shared parts of console.js through window.RaConsole.
'use strict';

(function () {
  const C = window.RaConsole;
  const $ = C.$;
  const state = { creds: [], maxSecrets: 10 };
  const DAY = 86400;

  function plural(n, unit) {
    return n + ' ' + unit + (n === 1 ? '' : 's');
  }

  // How long until an instant `left` seconds away, in the largest whole unit that fits.
  function until(left) {
    if (left >= DAY) return plural(Math.ceil(left / DAY), 'day');
    if (left >= 3600) return plural(Math.ceil(left / 3600), 'hour');
    return plural(Math.max(1, Math.ceil(left / 60)), 'minute');
  }

  // The status of a pair for a person: [text, badge kind]. The server's status comes first;
  // an active pair with an expiry says how long it has left.
  function statusOf(c) {
    switch (c.status) {
      case 'pending': return ['Not downloaded yet', 'wait'];
      case 'tripwire': return ['Tripwire', 'alert'];
      case 'disabled': return ['Disabled', 'off'];
      case 'expired': return ['Expired', 'bad'];
      default: break;
    }
    if (!c.expires_at) return ['Active', 'on'];
    const left = c.expires_at - Date.now() / 1000;
    if (left <= 0) return ['Expired', 'bad'];
    return ['Expires in ' + until(left), left < 7 * DAY ? 'soon' : 'on'];
  }

  function lastUsedOf(c) {
    return c.last_used_at !== undefined ? c.last_used_at : c.last_used;
  }

  function secretOf(c) {
    if (c.status === 'pending') return 'Not downloaded yet';
    if (typeof c.issued === 'number' && c.issued > 0) {
      const span = document.createElement('span');
      span.append('Issued ', C.timeOf(c.issued, ''));
      return span;
    }
    return 'Issued';
  }

  function fact(dl, label, content) {
    const div = document.createElement('div');
    const dt = document.createElement('dt');
    dt.textContent = label;
    const dd = document.createElement('dd');
    dd.append(content);
    div.append(dt, dd);
    dl.appendChild(div);
  }

  async function loadCreds() {
    try {
      const data = await (await C.api('GET', '/console/api/credentials')).json();
      state.creds = data.credentials;
      state.maxSecrets = data.max_secrets;
      renderCreds();
    } catch (e) {
      if (e.status !== 401) C.show($('creds-error'), e.message);
    }
  }

  function pairButtons(group, c, last, full) {
    const id = c.customer_id;
    const add = (label, aria, cls, fn) => group.appendChild(C.button(label, aria + id, cls, fn));
    if (c.status === 'pending') add('Download', 'Download the secret of ', 'small primary', () => download(id));
    if (c.status !== 'pending' && c.status !== 'tripwire') {
      if (c.status === 'disabled') add('Enable', 'Enable credential pair ', 'small', () => enablePair(id));
      else add('Disable', 'Disable credential pair ', 'small', () => disablePair(id));
      const roll = add('Roll', 'Roll credential pair ', 'small', () => rollPair(c));
      if (full) {
        roll.disabled = true;
        roll.setAttribute('aria-describedby', 'limit-note');
      }
    }
    if (c.status !== 'tripwire') add('Expire', 'Set the expiry of credential pair ', 'small', () => expirePair(c));
    const del = add('Delete', 'Delete credential pair ', 'small danger', () => deletePair(id));
    if (last) {
      del.disabled = true;
      del.setAttribute('aria-describedby', 'last-note');
    }
  }

  function pairCard(c, last, full) {
    const li = document.createElement('li');
    li.className = 'pair ' + c.status;
    li.dataset.id = c.customer_id;
    const art = document.createElement('article');
    art.setAttribute('aria-labelledby', 'pair-' + c.customer_id);
    const h = document.createElement('h3');
    h.id = 'pair-' + c.customer_id;
    h.append('Customer ID ', C.code(c.customer_id));
    art.appendChild(h);
    const dl = document.createElement('dl');
    dl.className = 'facts';
    const [text, kind] = statusOf(c);
    fact(dl, 'Status', C.badge(text, kind));
    fact(dl, 'Created', C.timeOf(c.created_at !== undefined ? c.created_at : c.created, 'Unknown'));
    fact(dl, 'Last used', C.timeOf(lastUsedOf(c), 'Never'));
    fact(dl, 'Expires', C.timeOf(c.expires_at, 'Never'));
    fact(dl, 'Customer Secret', secretOf(c));
    art.appendChild(dl);
    if (c.status === 'tripwire') {
      const p = document.createElement('p');
      p.className = 'tripwire-note';
      p.textContent = 'A decoy: this pair never authenticates, and every use of it is refused ' +
        'and recorded as an alert in the audit log.';
      art.appendChild(p);
    }
    if (c.usage && Array.isArray(c.usage.days)) art.appendChild(window.RaChart.usageChart(c.usage, c.customer_id));
    const group = document.createElement('div');
    group.className = 'buttons';
    group.setAttribute('role', 'group');
    group.setAttribute('aria-label', 'Actions for ' + c.customer_id);
    pairButtons(group, c, last, full);
    art.appendChild(group);
    li.appendChild(art);
    return li;
  }

  // Draw the list again. A focused control keeps focus when the new list has one with the
  // same name, else focus moves to the first control of the same pair.
  function renderCreds() {
    const list = $('creds-list');
    const focused = list.contains(document.activeElement) ? document.activeElement : null;
    const label = focused && focused.getAttribute('aria-label');
    const card = focused && focused.closest('li.pair');
    const last = state.creds.length === 1;
    // Pairs past their expiry (whatever their status) do not count toward the limit.
    const now = Date.now() / 1000;
    const used = state.creds.filter((c) => !(c.expires_at && c.expires_at <= now)).length;
    const full = used >= state.maxSecrets;
    list.replaceChildren(...state.creds.map((c) => pairCard(c, last, full)));
    if (focused) {
      const same = [...list.querySelectorAll('button')].find((b) => b.getAttribute('aria-label') === label);
      const sibling = card && list.querySelector(`li.pair[data-id="${card.dataset.id}"] button:not(:disabled)`);
      if (same && !same.disabled) same.focus();
      else if (sibling) sibling.focus();
    }
    $('last-note').hidden = !last;
    $('add-secret').disabled = full;
    const expired = state.creds.length - used;
    $('limit-note').textContent = (full
      ? 'You have ' + used + ' of ' + state.maxSecrets + ' credential pairs, the most an ' +
        'account can have. Delete a pair to add or roll one.'
      : used + ' of ' + state.maxSecrets + ' credential pairs in use.') +
      (expired > 0 ? ' Expired pairs (' + expired + ' here) do not count.' : '');
  }

  // A call that changes pairs: clears old messages, says `done` on success, shows the error
  // otherwise, and draws the list again either way. Resolves to the response's JSON or null.
  async function pairCall(path, body, done) {
    C.clearMessages();
    let data = null;
    try {
      data = await (await C.api('POST', path, body)).json();
      if (done) C.notice(typeof done === 'function' ? done(data) : done);
    } catch (e) {
      if (e.status !== 401) C.show($('creds-error'), e.message);
    }
    await loadCreds();
    return data;
  }

  // Days from a text field: empty is none (null), else a whole number from 1 to 36500.
  function days(text) {
    const t = text.trim();
    if (t === '') return null;
    if (!/^[0-9]{1,5}$/.test(t) || Number(t) < 1 || Number(t) > 36500) return NaN;
    return Number(t);
  }

  const DAYS_ERROR = 'Enter a whole number of days from 1 to 36500';

  // Show the panel that offers the one download of a new pair's secret.
  function offerDownload(id, note) {
    $('new-pair-id').textContent = id;
    $('new-pair-download').dataset.id = id;
    $('new-pair-download').disabled = false;
    C.show($('new-pair-rolled'), note || '');
    $('new-pair').hidden = false;
  }

  async function onAddSecret() {
    $('add-days').value = '';
    const v = await C.formDialog('add', $('add-days'), () => {
      const n = days($('add-days').value);
      if (Number.isNaN(n)) return { error: DAYS_ERROR + ', or leave the field empty.' };
      return n === null ? {} : { expires_in: n + 'd' };
    });
    if (!v) return;
    const data = await pairCall('/console/api/credentials', v, null);
    if (!data) return;
    offerDownload(data.credential.customer_id, '');
    $('new-pair-title').focus();
  }

  // Fetch the secret (the server hands it out once) and save it as key_and_secret.txt.
  async function download(id) {
    C.clearMessages();
    try {
      const res = await C.api('POST', '/console/api/credentials/download', { customer_id: id });
      const blob = await res.blob();
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = 'key_and_secret.txt';
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      if ($('new-pair-download').dataset.id === id) $('new-pair').hidden = true;
      C.notice('key_and_secret.txt was saved. Keep it safe: the secret of ' + id +
        ' cannot be downloaded again.');
    } catch (e) {
      if (e.status !== 401) C.show($('creds-error'), e.message);
    }
    await loadCreds();
  }

  async function disablePair(id) {
    const ok = await C.confirmAction('Disable this credential pair?',
      'Customer ID ' + id + ' is refused until you enable it again. Applications that use it ' +
      'stop working meanwhile.', 'Disable pair');
    if (ok) await pairCall('/console/api/credentials/disable', { customer_id: id }, 'Credential pair ' + id + ' is disabled.');
  }

  async function enablePair(id) {
    await pairCall('/console/api/credentials/enable', { customer_id: id }, 'Credential pair ' + id + ' is enabled.');
  }

  function localTime(seconds) {
    return new Date(seconds * 1000).toLocaleString(undefined,
      { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  }

  async function rollPair(c) {
    $('roll-id').textContent = c.customer_id;
    $('roll-overlap').value = '24h';
    const v = await C.formDialog('roll', $('roll-overlap'), () => {
      const overlap = $('roll-overlap').value.trim();
      if (!/^(0|[0-9]{1,6}[mhd])$/.test(overlap)) {
        return { error: 'Enter the overlap as a number with m, h or d, such as 24h, or 0 to ' +
          'revoke the old pair now.' };
      }
      return { overlap };
    });
    if (!v) return;
    const data = await pairCall('/console/api/credentials/roll',
      { customer_id: c.customer_id, overlap: v.overlap }, null);
    if (!data) return;
    const old = data.old || {};
    const now = Date.now() / 1000;
    offerDownload(data.credential.customer_id, 'It replaces ' + c.customer_id + (old.expires_at > now
      ? ', which keeps working until ' + localTime(old.expires_at) + '.'
      : ', which was revoked at once.'));
    $('new-pair-title').focus();
  }

  async function expirePair(c) {
    const id = c.customer_id;
    const now = Date.now() / 1000;
    $('expire-id').textContent = id;
    $('expire-now').textContent = c.expires_at
      ? 'expires on ' + localTime(c.expires_at) + '.' : 'does not expire.';
    $('expire-never').checked = !c.expires_at;
    $('expire-in').checked = !!c.expires_at;
    $('expire-days').value = c.expires_at > now ? String(Math.ceil((c.expires_at - now) / DAY)) : '30';
    const first = c.expires_at ? $('expire-days') : $('expire-never');
    const v = await C.formDialog('expire', first, () => {
      if ($('expire-never').checked) return { never: true };
      const n = days($('expire-days').value);
      if (n === null || Number.isNaN(n)) return { error: DAYS_ERROR + ', or choose "never expires".' };
      return { expires_in: n + 'd' };
    });
    if (!v) return;
    await pairCall('/console/api/credentials/expire', { customer_id: id, ...v }, (data) =>
      (data.credential && data.credential.expires_at
        ? 'Credential pair ' + id + ' now expires on ' + localTime(data.credential.expires_at) + '.'
        : 'Credential pair ' + id + ' no longer expires.'));
  }

  async function deletePair(id) {
    const ok = await C.confirmAction('Delete this credential pair?',
      'Customer ID ' + id + ' stops working at once. Applications that use it will be refused.',
      'Delete pair');
    if (!ok) return;
    const data = await pairCall('/console/api/credentials/delete', { customer_id: id },
      'Credential pair ' + id + ' was deleted.');
    if (!data) return;
    if ($('new-pair-download').dataset.id === id) $('new-pair').hidden = true;
    if (data.revocation) await followRevocation(id, data.revocation);
  }

  // Tell how far a deletion has reached the servers, until every live one has applied it
  // (or 10 seconds have passed).
  async function followRevocation(id, r) {
    const deadline = Date.now() + 10000;
    while (r.confirmed < r.live && Date.now() < deadline) {
      await new Promise((done) => setTimeout(done, 200));
      try {
        r = await (await C.api('GET', '/console/api/revocation?seq=' + r.seq)).json();
      } catch (e) {
        return;
      }
    }
    const servers = r.live === 1 ? 'the server' : 'all ' + r.live + ' servers';
    if (r.confirmed >= r.live) {
      C.notice('Credential pair ' + id + ' was deleted and is now refused by ' + servers + '.');
    } else {
      C.notice('Credential pair ' + id + ' was deleted. ' + (r.live - r.confirmed) + ' of ' +
        r.live + ' servers have not confirmed it yet: ' + r.pending.join(', ') + '.');
    }
  }

  C.page('#/restful-api', loadCreds, () => {
    $('add-secret').addEventListener('click', onAddSecret);
    $('new-pair-download').addEventListener('click', (ev) => {
      ev.currentTarget.disabled = true;
      download(ev.currentTarget.dataset.id);
    });
    $('expire-days').addEventListener('input', () => {
      $('expire-in').checked = true;
    });
  });
})();
