// SPDX-License-Identifier: MIT
// restauth Console: a small single-page app over /console/api/. No framework, no inline
// script (the Content-Security-Policy forbids it), text set with textContent only.
// This file holds the shared parts (API calls, messages, dialogs, routing), sign-in and the
// Projects page; creds.js and audit.js add their pages through window.RaConsole.
'use strict';

(function () {
  const state = { csrf: null, account: null, maxSecrets: 10, projects: [] };
  const $ = (id) => document.getElementById(id);

  // Server messages of the REST handlers the console shares, said for a person.
  const FRIENDLY = {
    'project name already exists': 'A project with this name already exists. Choose another name.',
    'number of projects exceeds the maximum limit':
      'This account has the most projects it can have. Disable or remove one first.',
    'project not exist': 'This project does not exist or is disabled. Reload the page to see its state.',
    'name must be 1 to 255 characters without control characters':
      'Enter a project name of 1 to 255 characters.',
    'name is required and must be a string': 'Enter a project name.',
  };

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  // One call to the console API. Sends the CSRF token with every state-changing call.
  // Resolves to the Response when it is a success; throws ApiError with a readable message.
  async function api(method, path, body) {
    const opts = { method, headers: {}, credentials: 'same-origin', cache: 'no-store' };
    if (method !== 'GET') {
      opts.headers['Content-Type'] = 'application/json';
      if (state.csrf) opts.headers['X-CSRF-Token'] = state.csrf;
      opts.body = JSON.stringify(body || {});
    }
    let res;
    try {
      res = await fetch(path, opts);
    } catch (e) {
      throw new ApiError(0, 'The server cannot be reached. Check your connection and try again.');
    }
    if (res.ok) return res;
    let message = 'Something went wrong (HTTP ' + res.status + '). Please try again.';
    try {
      const data = await res.json();
      if (data && typeof data.message === 'string') message = FRIENDLY[data.message] || data.message;
    } catch (e) { /* keep the generic message */ }
    if (res.status === 401 && path !== '/console/api/signin') {
      sessionEnded(message);
    }
    throw new ApiError(res.status, message);
  }

  function show(el, text) {
    el.textContent = text;
    el.hidden = !text;
  }

  function notice(text) {
    show($('notice'), text);
  }

  // Clear the banner and every error on the pages: a new action starts with no stale message.
  function clearMessages() {
    notice('');
    for (const el of document.querySelectorAll('main .error')) show(el, '');
  }

  function when(seconds) {
    if (!seconds) return 'Never';
    return new Date(seconds * 1000).toLocaleString(undefined, {
      year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit',
    });
  }

  const TO_SECOND = {
    year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit',
    second: '2-digit',
  };

  // A <time> element for unix seconds: the local date and time to the second, the exact
  // instant (UTC, then local with its zone) in its tooltip. Text `none` when there is none.
  function timeOf(seconds, none) {
    if (!seconds) return document.createTextNode(none);
    const d = new Date(seconds * 1000);
    const t = document.createElement('time');
    t.dateTime = d.toISOString();
    t.textContent = d.toLocaleString(undefined, TO_SECOND);
    t.title = d.toISOString().replace('T', ' ').replace('.000Z', ' UTC') + ' (' +
      d.toLocaleString(undefined, { dateStyle: 'full', timeStyle: 'long' }) + ')';
    return t;
  }

  // --- views -------------------------------------------------------------------------------

  // The signed-in pages by location hash. creds.js and audit.js fill in their load().
  const PAGES = {
    '#/projects': { view: 'view-projects', link: 'nav-projects', title: 'Projects', load: () => loadProjects() },
    '#/restful-api': { view: 'view-api', link: 'nav-api', title: 'RESTful API', load: null },
    '#/audit': { view: 'view-audit', link: 'nav-audit', title: 'Audit log', load: null },
  };
  const VIEWS = ['view-loading', 'view-signin', ...Object.values(PAGES).map((p) => p.view)];

  function showView(id, focus) {
    for (const v of VIEWS) $(v).hidden = v !== id;
    const page = Object.values(PAGES).find((p) => p.view === id);
    $('nav').hidden = !page;
    $('who').hidden = !page;
    for (const p of Object.values(PAGES)) {
      if (p === page) $(p.link).setAttribute('aria-current', 'page');
      else $(p.link).removeAttribute('aria-current');
    }
    if (focus) {
      const h = $(id).querySelector('h1');
      if (h) h.focus();
    }
  }

  function route(focus) {
    if (!state.account) {
      showSignIn();
      return;
    }
    const page = PAGES[location.hash] || PAGES['#/projects'];
    document.title = page.title + ' · restauth Console';
    showView(page.view, focus);
    page.load();
  }

  function showSignIn() {
    document.title = 'Sign in · restauth Console';
    showView('view-signin', false);
    $('signin-email').focus();
  }

  function signedIn(data) {
    state.csrf = data.csrf_token;
    state.account = data.account;
    state.maxSecrets = data.max_secrets;
    $('who-email').textContent = data.account.email || data.account.name;
    if (!PAGES[location.hash]) {
      history.replaceState(null, '', '#/projects');
    }
    route(true);
  }

  function sessionEnded(message) {
    state.csrf = null;
    state.account = null;
    notice('');
    show($('signin-error'), message || 'Your session has ended. Please sign in again.');
    showSignIn();
  }

  // --- sign-in and sign-out ---------------------------------------------------------------

  async function onSignIn(ev) {
    ev.preventDefault();
    const email = $('signin-email').value.trim();
    const password = $('signin-password').value;
    show($('signin-error'), '');
    $('signin-email').removeAttribute('aria-invalid');
    $('signin-password').removeAttribute('aria-invalid');
    if (!email || !password) {
      show($('signin-error'), 'Please enter your e-mail address and your password.');
      (email ? $('signin-password') : $('signin-email')).setAttribute('aria-invalid', 'true');
      (email ? $('signin-password') : $('signin-email')).focus();
      return;
    }
    $('signin-submit').disabled = true;
    try {
      const res = await api('POST', '/console/api/signin', { email, password });
      $('signin-password').value = '';
      signedIn(await res.json());
    } catch (e) {
      show($('signin-error'), e.message);
      $('signin-password').value = '';
      $('signin-password').focus();
    } finally {
      $('signin-submit').disabled = false;
    }
  }

  async function onSignOut() {
    try {
      await api('POST', '/console/api/signout', {});
    } catch (e) { /* signed out either way */ }
    state.csrf = null;
    state.account = null;
    notice('');
    show($('signin-error'), '');
    history.replaceState(null, '', '#/');
    showSignIn();
    notice('You are signed out.');
  }

  // --- dialogs ----------------------------------------------------------------------------

  // Show a modal dialog and focus `first`; wire(done) connects its controls and returns a
  // function that disconnects them. Resolves with the value given to done (null when closed
  // with Escape); focus goes back to the control that opened it.
  function modal(dlg, first, wire) {
    const opener = document.activeElement;
    return new Promise((resolve) => {
      let unwire = null;
      const done = (answer) => {
        if (unwire) unwire();
        dlg.onclose = null;
        if (dlg.open) dlg.close();
        if (opener && opener.isConnected) opener.focus();
        resolve(answer);
      };
      unwire = wire(done);
      dlg.onclose = () => done(null);
      dlg.showModal();
      first.focus();
    });
  }

  // Ask yes or no; focus starts on Cancel. Resolves to true only when confirmed.
  async function confirmAction(title, text, okLabel) {
    $('confirm-title').textContent = title;
    $('confirm-text').textContent = text;
    $('confirm-ok').textContent = okLabel;
    const answer = await modal($('confirm'), $('confirm-cancel'), (done) => {
      $('confirm-ok').onclick = () => done(true);
      $('confirm-cancel').onclick = () => done(false);
      return () => {
        $('confirm-ok').onclick = null;
        $('confirm-cancel').onclick = null;
      };
    });
    return answer === true;
  }

  // Ask for values in the dialog NAME-dialog (form NAME-form, error NAME-error). read()
  // returns the values, or {error} to keep the dialog open with that message on `first`.
  // Resolves to the values, or null when cancelled.
  function formDialog(name, first, read) {
    const form = $(name + '-form');
    const error = $(name + '-error');
    show(error, '');
    first.removeAttribute('aria-invalid');
    return modal($(name + '-dialog'), first, (done) => {
      const cancel = form.querySelector('[data-cancel]');
      form.onsubmit = (ev) => {
        ev.preventDefault();
        const v = read();
        if (v.error) {
          show(error, v.error);
          first.setAttribute('aria-invalid', 'true');
          first.focus();
          return;
        }
        done(v);
      };
      cancel.onclick = () => done(null);
      return () => {
        form.onsubmit = null;
        cancel.onclick = null;
      };
    });
  }

  // --- projects ---------------------------------------------------------------------------

  function button(label, aria, cls, onClick) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = cls;
    b.textContent = label;
    b.setAttribute('aria-label', aria);
    b.addEventListener('click', onClick);
    return b;
  }

  function cell(tr, label, content) {
    const td = document.createElement('td');
    td.dataset.label = label;
    if (content instanceof Node) td.appendChild(content);
    else td.textContent = content;
    tr.appendChild(td);
    return td;
  }

  // The last cell of a row: a labelled group of buttons.
  function actionsCell(tr) {
    const td = cell(tr, 'Actions', '');
    td.className = 'actions';
    const group = document.createElement('div');
    group.className = 'buttons';
    td.appendChild(group);
    return group;
  }

  function badge(text, kind) {
    const s = document.createElement('span');
    s.className = 'badge ' + kind;
    s.textContent = text;
    return s;
  }

  function code(text) {
    const c = document.createElement('code');
    c.textContent = text;
    return c;
  }

  async function loadProjects() {
    try {
      const res = await api('GET', '/console/api/projects');
      state.projects = (await res.json()).projects;
      renderProjects();
    } catch (e) {
      if (e.status !== 401) show($('projects-error'), e.message);
    }
  }

  function renderProjects() {
    const body = $('projects-body');
    body.replaceChildren();
    for (const p of state.projects) {
      const tr = document.createElement('tr');
      const enabled = p.status === 1;
      const cert = p.sign_key !== '';
      cell(tr, 'Name', p.name);
      cell(tr, 'Project ID', code(p.id));
      cell(tr, 'App ID', code(p.vendor_key));
      cell(tr, 'App certificate', badge(cert ? 'Enabled' : 'Disabled', cert ? 'on' : 'off'));
      cell(tr, 'Status', badge(enabled ? 'Enabled' : 'Disabled', enabled ? 'on' : 'off'));
      cell(tr, 'Created', when(p.created));
      const td = actionsCell(tr);
      td.appendChild(button(enabled ? 'Disable' : 'Enable',
        (enabled ? 'Disable project ' : 'Enable project ') + p.name, 'small',
        () => projectCall('/console/api/projects/status', { id: p.id, status: enabled ? 0 : 1 },
          enabled ? 'Project ' + p.name + ' is disabled.' : 'Project ' + p.name + ' is enabled.')));
      const certBtn = button(cert ? 'Disable certificate' : 'Enable certificate',
        (cert ? 'Disable the App Certificate of ' : 'Enable the App Certificate of ') + p.name, 'small',
        () => projectCall('/console/api/projects/signkey', { id: p.id, enable: !cert },
          'The App Certificate of ' + p.name + (cert ? ' is disabled.' : ' is enabled.')));
      const resetBtn = button('Reset certificate', 'Reset the App Certificate of ' + p.name,
        'small danger', () => resetCertificate(p));
      for (const b of [certBtn, resetBtn]) {
        if (!enabled) {
          b.disabled = true;
          b.title = 'Enable the project first.';
        }
        td.appendChild(b);
      }
      if (!cert) resetBtn.disabled = true;
      body.appendChild(tr);
    }
    $('projects-empty').hidden = state.projects.length > 0;
    $('projects-table').hidden = state.projects.length === 0;
  }

  async function projectCall(path, body, done) {
    clearMessages();
    try {
      await api('POST', path, body);
      notice(done);
      await loadProjects();
    } catch (e) {
      if (e.status !== 401) show($('projects-error'), e.message);
    }
  }

  async function resetCertificate(p) {
    const ok = await confirmAction('Reset the App Certificate?',
      'Project ' + p.name + ' gets a new App Certificate. Tokens made with the current one ' +
      'stop working.', 'Reset certificate');
    if (ok) {
      await projectCall('/console/api/projects/reset_signkey', { id: p.id },
        'The App Certificate of ' + p.name + ' was reset.');
    }
  }

  async function onCreate(ev) {
    ev.preventDefault();
    const input = $('project-name');
    const name = input.value.trim();
    // Both the banner of an earlier success and an earlier error are out of date now.
    clearMessages();
    input.removeAttribute('aria-invalid');
    if (!name) {
      show($('create-error'), 'Enter a project name.');
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      return;
    }
    $('create-submit').disabled = true;
    try {
      await api('POST', '/console/api/projects', { name, enable_sign_key: $('project-cert').checked });
      input.value = '';
      notice('Project ' + name + ' was created.');
      await loadProjects();
    } catch (e) {
      if (e.status !== 401) {
        show($('create-error'), e.message);
        input.focus();
      }
    } finally {
      $('create-submit').disabled = false;
    }
  }

  // --- start ------------------------------------------------------------------------------

  async function start() {
    $('signin-form').addEventListener('submit', onSignIn);
    $('signout').addEventListener('click', onSignOut);
    $('create-form').addEventListener('submit', onCreate);
    for (const init of inits) init();
    window.addEventListener('hashchange', () => {
      clearMessages();
      route(true);
    });
    try {
      const res = await api('GET', '/console/api/session');
      const data = await res.json();
      if (data.signed_in) signedIn(data);
      else showSignIn();
    } catch (e) {
      showSignIn();
      show($('signin-error'), e.message);
    }
  }

  // What the other pages' files use. page(hash, load, init) registers a page's loader and
  // its one-time set-up (run before the first route).
  const inits = [];
  window.RaConsole = {
    $, api, show, notice, clearMessages, timeOf, button, cell, actionsCell, badge, code,
    confirmAction, formDialog,
    maxSecrets: () => state.maxSecrets,
    page(hash, load, init) {
      PAGES[hash].load = load;
      if (init) inits.push(init);
    },
  };

  document.addEventListener('DOMContentLoaded', start);
})();
