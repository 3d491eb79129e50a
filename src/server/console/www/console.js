// SPDX-License-Identifier: MIT
// restauth Console: a small single-page app over /console/api/. No framework, no inline
// script (the Content-Security-Policy forbids it), text set with textContent only.
'use strict';

(function () {
  const state = { csrf: null, account: null, maxSecrets: 10, creds: [], projects: [] };
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

  // --- views -------------------------------------------------------------------------------

  const VIEWS = ['view-loading', 'view-signin', 'view-projects', 'view-api'];

  function showView(id, focus) {
    for (const v of VIEWS) $(v).hidden = v !== id;
    const signedIn = id === 'view-projects' || id === 'view-api';
    $('nav').hidden = !signedIn;
    $('who').hidden = !signedIn;
    for (const [link, view] of [['nav-projects', 'view-projects'], ['nav-api', 'view-api']]) {
      if (id === view) $(link).setAttribute('aria-current', 'page');
      else $(link).removeAttribute('aria-current');
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
    if (location.hash === '#/restful-api') {
      document.title = 'RESTful API · restauth Console';
      showView('view-api', focus);
      loadCreds();
    } else {
      document.title = 'Projects · restauth Console';
      showView('view-projects', focus);
      loadProjects();
    }
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
    if (location.hash !== '#/restful-api' && location.hash !== '#/projects') {
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

  // --- confirmation dialog ----------------------------------------------------------------

  function confirmAction(title, text, okLabel) {
    const dlg = $('confirm');
    $('confirm-title').textContent = title;
    $('confirm-text').textContent = text;
    $('confirm-ok').textContent = okLabel;
    const opener = document.activeElement;
    return new Promise((resolve) => {
      const done = (answer) => {
        $('confirm-ok').onclick = null;
        $('confirm-cancel').onclick = null;
        dlg.onclose = null;
        if (dlg.open) dlg.close();
        if (opener && opener.isConnected) opener.focus();
        resolve(answer);
      };
      $('confirm-ok').onclick = () => done(true);
      $('confirm-cancel').onclick = () => done(false);
      dlg.onclose = () => done(false);
      dlg.showModal();
      $('confirm-cancel').focus();
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

  // --- credential pairs -------------------------------------------------------------------

  async function loadCreds() {
    try {
      const res = await api('GET', '/console/api/credentials');
      const data = await res.json();
      state.creds = data.credentials;
      state.maxSecrets = data.max_secrets;
      renderCreds();
    } catch (e) {
      if (e.status !== 401) show($('creds-error'), e.message);
    }
  }

  function renderCreds() {
    const body = $('creds-body');
    body.replaceChildren();
    const last = state.creds.length === 1;
    for (const c of state.creds) {
      const tr = document.createElement('tr');
      const pending = c.status === 'pending';
      cell(tr, 'Customer ID', code(c.customer_id));
      cell(tr, 'Created', when(c.created));
      cell(tr, 'Last used', when(c.last_used));
      cell(tr, 'Customer Secret', pending ? badge('Not downloaded yet', 'wait')
        : 'Issued ' + when(c.issued));
      const td = actionsCell(tr);
      if (pending) {
        td.appendChild(button('Download', 'Download the secret of ' + c.customer_id, 'small primary',
          () => download(c.customer_id)));
      }
      const del = button('Delete', 'Delete credential pair ' + c.customer_id, 'small danger',
        () => deletePair(c.customer_id));
      if (last) {
        del.disabled = true;
        del.setAttribute('aria-describedby', 'last-note');
      }
      td.appendChild(del);
      body.appendChild(tr);
    }
    $('last-note').hidden = !last;
    const full = state.creds.length >= state.maxSecrets;
    $('add-secret').disabled = full;
    $('limit-note').textContent = full
      ? 'You have ' + state.creds.length + ' of ' + state.maxSecrets + ' credential pairs, the most ' +
        'an account can have. Delete a pair to add a new one.'
      : state.creds.length + ' of ' + state.maxSecrets + ' credential pairs in use.';
  }

  async function onAddSecret() {
    const ok = await confirmAction('Add a secret?',
      'A new Customer ID is created. You can then download its Customer Secret once, as ' +
      'key_and_secret.txt.', 'Add a secret');
    if (!ok) return;
    show($('creds-error'), '');
    notice('');
    try {
      const res = await api('POST', '/console/api/credentials', {});
      const pair = (await res.json()).credential;
      $('new-pair-id').textContent = pair.customer_id;
      $('new-pair-download').dataset.id = pair.customer_id;
      $('new-pair-download').disabled = false;
      $('new-pair').hidden = false;
      await loadCreds();
      $('new-pair-title').focus();
    } catch (e) {
      if (e.status !== 401) show($('creds-error'), e.message);
    }
  }

  // Fetch the secret (the server hands it out once) and save it as key_and_secret.txt.
  async function download(id) {
    show($('creds-error'), '');
    notice('');
    try {
      const res = await api('POST', '/console/api/credentials/download', { customer_id: id });
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
      notice('key_and_secret.txt was saved. Keep it safe: the secret of ' + id +
        ' cannot be downloaded again.');
    } catch (e) {
      if (e.status !== 401) show($('creds-error'), e.message);
    }
    await loadCreds();
  }

  async function deletePair(id) {
    const ok = await confirmAction('Delete this credential pair?',
      'Customer ID ' + id + ' stops working at once. Applications that use it will be refused.',
      'Delete pair');
    if (!ok) return;
    show($('creds-error'), '');
    notice('');
    let revocation = null;
    try {
      const res = await api('POST', '/console/api/credentials/delete', { customer_id: id });
      revocation = (await res.json()).revocation || null;
      if ($('new-pair-download').dataset.id === id) $('new-pair').hidden = true;
      notice('Credential pair ' + id + ' was deleted.');
    } catch (e) {
      if (e.status !== 401) show($('creds-error'), e.message);
    }
    await loadCreds();
    if (revocation) await followRevocation(id, revocation);
  }

  // Tell how far a deletion has reached the servers, until every live one has applied it
  // (or 10 seconds have passed).
  async function followRevocation(id, r) {
    const deadline = Date.now() + 10000;
    while (r.confirmed < r.live && Date.now() < deadline) {
      await new Promise((done) => setTimeout(done, 200));
      try {
        r = await (await api('GET', '/console/api/revocation?seq=' + r.seq)).json();
      } catch (e) {
        return;
      }
    }
    const servers = r.live === 1 ? 'the server' : 'all ' + r.live + ' servers';
    if (r.confirmed >= r.live) {
      notice('Credential pair ' + id + ' was deleted and is now refused by ' + servers + '.');
    } else {
      notice('Credential pair ' + id + ' was deleted. ' + (r.live - r.confirmed) + ' of ' +
        r.live + ' servers have not confirmed it yet: ' + r.pending.join(', ') + '.');
    }
  }

  // --- start ------------------------------------------------------------------------------

  async function start() {
    $('signin-form').addEventListener('submit', onSignIn);
    $('signout').addEventListener('click', onSignOut);
    $('create-form').addEventListener('submit', onCreate);
    $('add-secret').addEventListener('click', onAddSecret);
    $('new-pair-download').addEventListener('click', (ev) => {
      ev.currentTarget.disabled = true;
      download(ev.currentTarget.dataset.id);
    });
    window.addEventListener('hashchange', () => {
      notice('');
      for (const id of ['projects-error', 'create-error', 'creds-error']) show($(id), '');
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

  document.addEventListener('DOMContentLoaded', start);
})();
