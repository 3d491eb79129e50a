// SPDX-License-Identifier: MIT
// restauth Console: the Audit log page. Pages of GET /console/api/audit, newest first; the
// server's `next` cursor leads to older entries and a stack of earlier cursors leads back.
'use strict';

(function () {
  const C = window.RaConsole;
  const $ = C.$;
  // before: the cursor of the page shown (null for the newest); newer: the cursors of the
  // pages before it; next: the server's cursor for the following page (null at the end).
  const state = { before: null, newer: [], next: null, limit: 50 };

  const ACTIONS = {
    'credential.create': 'Credential pair added',
    'credential.issue': 'Secret downloaded',
    'credential.delete': 'Credential pair deleted',
    'credential.disable': 'Credential pair disabled',
    'credential.enable': 'Credential pair enabled',
    'credential.expire': 'Expiry changed',
    'credential.roll': 'Credential pair rolled',
    'credential.tripwire_used': 'Tripwire pair used',
    'project.create': 'Project created',
    'project.update': 'Project changed',
    'project.reset_signkey': 'App Certificate reset',
    'console.signin': 'Signed in to the console',
    'console.signout': 'Signed out of the console',
    'console.signin_failed': 'Console sign-in failed',
  };

  function actionCell(e) {
    const span = document.createElement('span');
    span.className = 'action';
    if (e.alert) span.append(C.badge('Alert', 'alert'), ' ');
    span.append(ACTIONS[e.action] || e.action, ' ');
    const raw = C.code(e.action);
    raw.className = 'raw';
    span.appendChild(raw);
    return span;
  }

  function render(entries) {
    const body = $('audit-body');
    body.replaceChildren();
    for (const e of entries) {
      const tr = document.createElement('tr');
      if (e.alert) tr.className = 'alert';
      C.cell(tr, 'Time', C.timeOf(e.time, 'Unknown'));
      C.cell(tr, 'Actor', /^[0-9a-f]{32}$/.test(e.actor) ? C.code(e.actor) : e.actor);
      C.cell(tr, 'Action', actionCell(e));
      C.cell(tr, 'Target', e.target ? C.code(e.target) : 'None');
      C.cell(tr, 'Address', e.address || 'Unknown');
      body.appendChild(tr);
    }
    $('audit-empty').hidden = entries.length > 0;
    $('audit-table').hidden = entries.length === 0;
    $('audit-newer').disabled = state.newer.length === 0;
    $('audit-older').disabled = state.next === null || state.next === undefined;
    const from = state.newer.length * state.limit + 1;
    $('audit-page').textContent = entries.length === 0 ? ''
      : 'Entries ' + from + ' to ' + (from + entries.length - 1);
  }

  async function load() {
    let path = '/console/api/audit?limit=' + state.limit;
    if (state.before !== null) path += '&before=' + encodeURIComponent(state.before);
    try {
      const data = await (await C.api('GET', path)).json();
      state.next = data.next;
      render(data.entries);
    } catch (e) {
      if (e.status !== 401) C.show($('audit-error'), e.message);
    }
  }

  // Coming to the page, or changing the page size, starts again at the newest entries.
  function first() {
    state.limit = Number($('audit-limit').value);
    state.before = null;
    state.newer = [];
    return load();
  }

  async function turn(older) {
    C.clearMessages();
    if (older) {
      state.newer.push(state.before);
      state.before = state.next;
    } else {
      state.before = state.newer.pop();
    }
    const pressed = older ? $('audit-older') : $('audit-newer');
    await load();
    // At either end the pressed button is disabled; focus moves to the other one.
    if (pressed.disabled) (older ? $('audit-newer') : $('audit-older')).focus();
  }

  C.page('#/audit', first, () => {
    $('audit-limit').addEventListener('change', () => {
      C.clearMessages();
      first();
    });
    $('audit-older').addEventListener('click', () => turn(true));
    $('audit-newer').addEventListener('click', () => turn(false));
  });
})();
