/** The inspector's script, served at `<adminPath>/inspector.js`: vanilla JS, no build step, no inline code (strict CSP). */
export const INSPECTOR_SCRIPT = String.raw`(function () {
  'use strict';

  // Every URL is relative to this script's own: the page works under any global prefix and admin path.
  var base = new URL('./', document.currentScript.src);
  var PAGE_SIZE = 50;
  var MAX_BULK = 1000;
  var REPLAYABLE = ['processed', 'failed', 'dead'];
  var TABS = [
    ['', 'All'],
    ['pending', 'Pending'],
    ['processing', 'Processing'],
    ['processed', 'Processed'],
    ['failed', 'Failed'],
    ['dead', 'Dead letters']
  ];
  var state = { status: '', filter: {}, cursor: undefined, previous: [], rows: [], more: false, counts: null, openId: null, polling: null, refresh: null, lastFocus: null };

  function $(id) {
    return document.getElementById(id);
  }

  /** An element with attributes and children (strings become text nodes: nothing is parsed as HTML). */
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === undefined || value === null || value === false) return;
      if (name === 'text') node.textContent = String(value);
      else if (name === 'onclick') node.addEventListener('click', value);
      else node.setAttribute(name, value === true ? '' : String(value));
    });
    (children || []).forEach(function (child) {
      if (child === undefined || child === null) return;
      node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  function SignedOut() {}

  function messageOf(body, status) {
    if (body && Array.isArray(body.message)) return body.message.join('; ');
    if (body && typeof body.message === 'string') return body.message;
    return 'The server answered ' + status + '.';
  }

  function request(method, path, query, headers) {
    var url = new URL(path, base);
    Object.keys(query || {}).forEach(function (key) {
      var value = query[key];
      if (value !== undefined && value !== null && value !== '') url.searchParams.set(key, String(value));
    });
    var allHeaders = { 'X-Requested-With': 'inspector', Accept: 'application/json' };
    Object.keys(headers || {}).forEach(function (key) {
      allHeaders[key] = headers[key];
    });
    return fetch(url.toString(), { method: method, headers: allHeaders, credentials: 'same-origin', cache: 'no-store' });
  }

  /** A data request: JSON back, or an Error with the server's message; 401 shows the sign-in form. */
  function api(method, path, query) {
    return request(method, path, query).then(function (response) {
      if (response.status === 401) {
        showSignIn('Your session has ended: sign in again.');
        throw new SignedOut();
      }
      if (response.status === 204) return null;
      return response
        .json()
        .catch(function () {
          return null;
        })
        .then(function (body) {
          if (!response.ok) throw new Error(messageOf(body, response.status));
          return body;
        });
    });
  }

  function failed(error) {
    if (error instanceof SignedOut) return;
    showError(error && error.message ? error.message : String(error));
  }

  function showError(text) {
    var box = $('error');
    box.textContent = text;
    box.hidden = !text;
  }

  function announce(text) {
    $('notice').textContent = text;
  }

  // ---- time and values

  function time(value) {
    if (!value) return el('span', { class: 'muted', text: '—' });
    var date = new Date(value);
    return el('time', { datetime: date.toISOString(), title: date.toISOString(), text: date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' }) });
  }

  function badge(status) {
    return el('span', { class: 'badge badge-' + status, text: status });
  }

  function pretty(text) {
    try {
      return JSON.stringify(JSON.parse(text), null, 2);
    } catch (error) {
      return text;
    }
  }

  function toIso(localValue) {
    if (!localValue) return undefined;
    var date = new Date(localValue);
    return isNaN(date.getTime()) ? undefined : date.toISOString();
  }

  // ---- sign-in

  function showSignIn(text) {
    stopPolling();
    stopRefresh();
    $('app').hidden = true;
    $('detail').hidden = true;
    $('signout').hidden = true;
    $('reload').hidden = true;
    $('signin').hidden = false;
    var message = $('signin-message');
    message.textContent = text || '';
    message.hidden = !text;
    $('token').focus();
  }

  function signIn(event) {
    event.preventDefault();
    var input = $('token');
    var token = input.value.trim();
    if (!token) {
      $('signin-message').textContent = 'Enter the admin token.';
      $('signin-message').hidden = false;
      input.focus();
      return;
    }
    var button = $('signin-submit');
    button.disabled = true;
    request('POST', 'session', {}, { Authorization: 'Bearer ' + token })
      .then(function (response) {
        if (response.status === 401) throw new Error('That token is not valid.');
        if (!response.ok) throw new Error('Sign-in failed: the server answered ' + response.status + '.');
        input.value = '';
        return start();
      })
      .catch(function (error) {
        $('signin-message').textContent = error.message;
        $('signin-message').hidden = false;
        input.select();
        input.focus();
      })
      .then(function () {
        button.disabled = false;
      });
  }

  function signOut() {
    request('DELETE', 'session').then(function () {
      state.openId = null;
      history.replaceState(null, '', '#/');
      showSignIn('Signed out.');
    });
  }

  /** Signed in: fill the endpoint list, then show what the address asks for. */
  function start() {
    return api('GET', 'session').then(function (session) {
      var select = $('f-provider');
      clear(select).appendChild(el('option', { value: '', text: 'All endpoints' }));
      session.endpoints.forEach(function (name) {
        select.appendChild(el('option', { value: name, text: name }));
      });
      $('signin').hidden = true;
      $('signout').hidden = false;
      $('reload').hidden = false;
      route();
    });
  }

  // ---- the list

  function filterQuery() {
    var query = {};
    Object.keys(state.filter).forEach(function (key) {
      query[key] = state.filter[key];
    });
    return query;
  }

  function readFilters() {
    state.filter = {
      provider: $('f-provider').value || undefined,
      type: $('f-type').value.trim() || undefined,
      reference: $('f-reference').value.trim() || undefined,
      search: $('f-search').value.trim() || undefined,
      receivedFrom: toIso($('f-from').value),
      receivedTo: toIso($('f-to').value)
    };
  }

  function firstPage() {
    state.cursor = undefined;
    state.previous = [];
  }

  function loadList() {
    var query = filterQuery();
    query.status = state.status || undefined;
    query.limit = PAGE_SIZE + 1;
    query.view = 'summary';
    query.before = state.cursor;
    $('list').setAttribute('aria-busy', 'true');
    // Only the latest load is shown: an older answer arriving late must not overwrite it.
    var load = (state.load = (state.load || 0) + 1);
    return Promise.all([api('GET', 'deliveries', query), api('GET', 'deliveries/counts', filterQuery())])
      .then(function (answers) {
        if (load !== state.load) return;
        state.more = answers[0].length > PAGE_SIZE;
        state.rows = answers[0].slice(0, PAGE_SIZE);
        state.counts = answers[1].counts;
        showError('');
        renderTabs();
        renderRows();
      })
      .catch(failed)
      .then(function () {
        // A superseded load ends while the latest is still on its way: the list stays busy.
        if (load === state.load) $('list').setAttribute('aria-busy', 'false');
      });
  }

  function renderTabs() {
    var nav = clear($('tabs'));
    var counts = state.counts || {};
    var total = Object.keys(counts).reduce(function (sum, key) {
      return sum + counts[key];
    }, 0);
    TABS.forEach(function (tab) {
      var count = tab[0] ? counts[tab[0]] || 0 : total;
      var current = state.status === tab[0];
      nav.appendChild(
        el(
          'button',
          {
            type: 'button',
            class: 'tab tab-' + (tab[0] || 'all'),
            'aria-pressed': current ? 'true' : 'false',
            'data-status': tab[0],
            onclick: function () {
              state.status = tab[0];
              firstPage();
              loadList();
            }
          },
          [tab[1] + ' ', el('span', { class: 'count', text: String(count) })]
        )
      );
    });
    var replayable = replayableCount();
    $('bulk-replay').disabled = replayable === 0;
    $('bulk-replay').textContent = 'Replay ' + replayable + ' matching…';
  }

  function replayableCount() {
    var counts = state.counts || {};
    var statuses = state.status ? [state.status] : REPLAYABLE;
    return statuses.reduce(function (sum, status) {
      return sum + (REPLAYABLE.indexOf(status) >= 0 ? counts[status] || 0 : 0);
    }, 0);
  }

  function renderRows() {
    var body = clear($('rows'));
    var label = TABS.filter(function (tab) {
      return tab[0] === state.status;
    })[0][1];
    $('list-caption').textContent = label + (state.previous.length ? ', page ' + (state.previous.length + 1) : '') + ': newest first';
    if (state.rows.length === 0) {
      body.appendChild(el('tr', {}, [el('td', { colspan: '7', class: 'empty', text: 'No delivery matches.' })]));
    }
    state.rows.forEach(function (delivery) {
      body.appendChild(
        el('tr', {}, [
          el('td', { 'data-label': 'Received' }, [
            el('a', {
              href: '#/deliveries/' + encodeURIComponent(delivery.id),
              id: 'open-' + delivery.id,
              'aria-label': 'Open delivery ' + (delivery.reference || delivery.eventId) + ', received ' + new Date(delivery.receivedAt).toLocaleString()
            }, [time(delivery.receivedAt)])
          ]),
          el('td', { 'data-label': 'Endpoint', text: delivery.provider }),
          el('td', { 'data-label': 'Type', class: 'mono', text: delivery.type }),
          el('td', { 'data-label': 'Reference', class: 'mono' }, [delivery.reference ? delivery.reference : el('span', { class: 'muted', text: '—' })]),
          el('td', { 'data-label': 'Status' }, [badge(delivery.status)]),
          el('td', { 'data-label': 'Attempts', class: 'num', text: String(delivery.attempts) }),
          el('td', { 'data-label': 'Processed' }, [time(delivery.processedAt)])
        ])
      );
    });
    $('newer').hidden = state.previous.length === 0;
    $('newest').hidden = state.previous.length < 2;
    $('older').hidden = !state.more;
  }

  function older() {
    var last = state.rows[state.rows.length - 1];
    if (!last) return;
    state.previous.push(state.cursor);
    state.cursor = new Date(last.receivedAt).getTime() + ':' + last.id;
    loadList().then(function () {
      $('list-caption').focus();
    });
  }

  function newer() {
    state.cursor = state.previous.pop();
    loadList().then(function () {
      $('list-caption').focus();
    });
  }

  // ---- bulk replay

  function openBulkReplay() {
    var count = replayableCount();
    if (count === 0) return;
    var now = Math.min(count, MAX_BULK);
    $('confirm-text').textContent =
      'Replay ' + count + ' ' + (count === 1 ? 'delivery' : 'deliveries') + ' matching this filter (processed, failed and dead ones)?' +
      (count > MAX_BULK ? ' The newest ' + now + ' are replayed now; replay again for the rest.' : '');
    $('confirm-all').checked = false;
    $('confirm').showModal();
  }

  function bulkReplay(event) {
    event.preventDefault();
    var query = filterQuery();
    query.status = state.status || undefined;
    query.allHandlers = $('confirm-all').checked ? 'true' : undefined;
    $('confirm').close();
    api('POST', 'deliveries/replay', query)
      .then(function (answer) {
        announce(answer.replayed + ' ' + (answer.replayed === 1 ? 'delivery' : 'deliveries') + ' replayed: the worker picks them up now.');
        // Follow them for a while without a reload.
        var rounds = 0;
        loadList();
        stopPolling();
        state.polling = setInterval(function () {
          rounds += 1;
          if (rounds > 15 || state.openId) return stopPolling();
          loadList();
        }, 2000);
      })
      .catch(failed);
  }

  // ---- one delivery

  function openDelivery(id) {
    state.openId = id;
    stopPolling();
    stopRefresh();
    $('app').hidden = true;
    $('detail').hidden = false;
    clear($('detail-body')).appendChild(el('p', { class: 'muted', text: 'Loading…' }));
    $('detail-title').textContent = 'Delivery';
    $('detail-title').focus();
    return loadDelivery(id);
  }

  function loadDelivery(id) {
    return api('GET', 'deliveries/' + encodeURIComponent(id) + '/inspection')
      .then(function (inspection) {
        if (state.openId !== id) return inspection;
        showError('');
        renderDelivery(inspection);
        return inspection;
      })
      .catch(function (error) {
        failed(error);
        return null;
      });
  }

  function row(label, value) {
    return [el('dt', { text: label }), el('dd', {}, [value])];
  }

  function renderDelivery(inspection) {
    var d = inspection.delivery;
    var focused = document.activeElement && document.activeElement.id;
    $('detail-title').textContent = 'Delivery ' + (d.reference || d.eventId);
    var body = clear($('detail-body'));
    var facts = el('dl', { class: 'facts' });
    [
      row('Status', badge(d.status)),
      row('Endpoint', document.createTextNode(d.provider)),
      row('Type', el('span', { class: 'mono', text: d.type })),
      row('Reference', el('span', { class: 'mono', text: d.reference || '—' })),
      row('Event id', el('span', { class: 'mono', text: d.eventId })),
      row('Delivery id', el('span', { class: 'mono', text: d.id })),
      row('Attempts', document.createTextNode(String(d.attempts))),
      row('Received', time(d.receivedAt)),
      row('Processed', time(d.processedAt)),
      row('Next attempt', time(d.nextAttemptAt)),
      row('Last error', d.lastError ? el('span', { class: 'error-text', text: d.lastError }) : el('span', { class: 'muted', text: '—' }))
    ].forEach(function (pair) {
      facts.appendChild(pair[0]);
      facts.appendChild(pair[1]);
    });
    body.appendChild(el('section', { 'aria-labelledby': 'h-summary' }, [el('h3', { id: 'h-summary', text: 'Summary' }), facts]));

    var replayable = REPLAYABLE.indexOf(d.status) >= 0;
    body.appendChild(
      el('section', { 'aria-labelledby': 'h-actions', class: 'actions' }, [
        el('h3', { id: 'h-actions', text: 'Replay' }),
        el('p', {
          class: 'muted',
          text: replayable
            ? 'Runs the handlers again. Handlers that succeeded are skipped unless you replay all of them.'
            : 'A ' + d.status + ' delivery is being handled; it can be replayed once it is processed, failed or dead.'
        }),
        el('div', { class: 'buttons' }, [
          el('button', { type: 'button', id: 'replay-failed', class: 'primary', disabled: !replayable, onclick: function () { replayOne(d.id, false); } }, ['Replay failed handlers']),
          el('button', { type: 'button', id: 'replay-all', disabled: !replayable, onclick: function () { replayOne(d.id, true); } }, ['Replay all handlers'])
        ])
      ])
    );

    var handlers = el('tbody');
    if (d.handlers.length === 0) handlers.appendChild(el('tr', {}, [el('td', { colspan: '5', class: 'empty', text: 'No handler has finished a run yet.' })]));
    d.handlers.forEach(function (h) {
      handlers.appendChild(
        el('tr', {}, [
          el('td', { 'data-label': 'Handler', class: 'mono', text: h.handler }),
          el('td', { 'data-label': 'Outcome' }, [badge(h.status)]),
          el('td', { 'data-label': 'Runs', class: 'num', text: String(h.attempts) }),
          el('td', { 'data-label': 'Last run' }, [time(h.updatedAt)]),
          el('td', { 'data-label': 'Last error' }, [h.lastError ? el('span', { class: 'error-text', text: h.lastError }) : el('span', { class: 'muted', text: '—' })])
        ])
      );
    });
    body.appendChild(
      el('section', { 'aria-labelledby': 'h-handlers' }, [
        el('h3', { id: 'h-handlers', text: 'Handlers' }),
        el('div', { class: 'table-wrap' }, [
          el('table', { class: 'stack' }, [
            el('thead', {}, [el('tr', {}, ['Handler', 'Outcome', 'Runs', 'Last run', 'Last error'].map(function (h) { return el('th', { scope: 'col', text: h }); }))]),
            handlers
          ])
        ])
      ])
    );

    body.appendChild(
      el('section', { 'aria-labelledby': 'h-event' }, [
        el('h3', { id: 'h-event', text: 'Event, as the handlers see it' }),
        inspection.event
          ? el('pre', { class: 'code', tabindex: '0', 'aria-label': 'Normalized event', text: JSON.stringify(inspection.event, null, 2) })
          : el('p', { class: 'error-text', text: inspection.eventError || 'Not parsed.' })
      ])
    );

    body.appendChild(
      el('section', { 'aria-labelledby': 'h-payload' }, [
        el('h3', { id: 'h-payload', text: 'Payload' }),
        el('pre', { class: 'code', tabindex: '0', 'aria-label': 'Payload, pretty-printed', text: pretty(d.rawBody) }),
        el('details', {}, [el('summary', { text: 'Raw body, as received' }), el('pre', { class: 'code', tabindex: '0', 'aria-label': 'Raw body', text: d.rawBody })])
      ])
    );

    var headers = el('tbody');
    Object.keys(d.headers).sort().forEach(function (name) {
      var value = d.headers[name];
      var masked = value === '[redacted]' || value === '[hidden]';
      headers.appendChild(el('tr', {}, [el('th', { scope: 'row', class: 'mono', text: name }), el('td', { class: masked ? 'mono muted' : 'mono', text: value })]));
    });
    body.appendChild(
      el('section', { 'aria-labelledby': 'h-headers' }, [
        el('h3', { id: 'h-headers', text: 'Headers' }),
        el('p', { class: 'muted', text: 'Credentials were redacted when the delivery was stored; signatures and tokens are hidden here.' }),
        el('div', { class: 'table-wrap' }, [el('table', { class: 'headers' }, [headers])])
      ])
    );
    if (focused && $(focused)) $(focused).focus();
  }

  function replayOne(id, allHandlers) {
    api('POST', 'deliveries/' + encodeURIComponent(id) + '/replay', { allHandlers: allHandlers ? 'true' : undefined })
      .then(function () {
        announce('Replayed: waiting for the worker…');
        return loadDelivery(id);
      })
      .then(function () {
        followDelivery(id);
      })
      .catch(failed);
  }

  /** Polls an open delivery until it settles (processed, failed or dead), at most two minutes. */
  function followDelivery(id) {
    stopPolling();
    var rounds = 0;
    state.polling = setInterval(function () {
      rounds += 1;
      if (state.openId !== id || rounds > 120) return stopPolling();
      loadDelivery(id).then(function (inspection) {
        if (!inspection || state.openId !== id) return;
        var status = inspection.delivery.status;
        if (status !== 'pending' && status !== 'processing') {
          stopPolling();
          announce('The delivery is ' + status + '.');
        }
      });
    }, 1000);
  }

  function stopPolling() {
    if (state.polling) clearInterval(state.polling);
    state.polling = null;
  }

  function stopRefresh() {
    if (state.refresh) clearInterval(state.refresh);
    state.refresh = null;
  }

  function autoRefresh() {
    stopRefresh();
    if ($('auto-refresh').checked && !$('app').hidden) {
      state.refresh = setInterval(function () {
        if (!state.cursor && !state.polling) loadList();
      }, 5000);
    }
  }

  // ---- navigation: #/ is the list, #/deliveries/<id> one delivery

  function route() {
    var match = /^#\/deliveries\/([^/]+)$/.exec(location.hash);
    if (match) return openDelivery(decodeURIComponent(match[1]));
    var returning = state.openId;
    state.openId = null;
    stopPolling();
    $('detail').hidden = true;
    $('app').hidden = false;
    autoRefresh();
    return loadList().then(function () {
      var link = returning && $('open-' + returning);
      if (link) link.focus();
    });
  }

  function init() {
    $('signin-form').addEventListener('submit', signIn);
    $('signout').addEventListener('click', signOut);
    $('filters').addEventListener('submit', function (event) {
      event.preventDefault();
      readFilters();
      firstPage();
      loadList();
    });
    $('filters').addEventListener('reset', function () {
      setTimeout(function () {
        readFilters();
        firstPage();
        loadList();
      });
    });
    $('older').addEventListener('click', older);
    $('newer').addEventListener('click', newer);
    $('newest').addEventListener('click', function () {
      firstPage();
      loadList();
    });
    $('bulk-replay').addEventListener('click', openBulkReplay);
    $('confirm-form').addEventListener('submit', bulkReplay);
    $('confirm-cancel').addEventListener('click', function () {
      $('confirm').close();
    });
    $('auto-refresh').addEventListener('change', autoRefresh);
    $('reload').addEventListener('click', function () {
      if (state.openId) loadDelivery(state.openId);
      else loadList();
    });
    window.addEventListener('hashchange', function () {
      if (!$('signin').hidden) return;
      route();
    });
    request('GET', 'session').then(function (response) {
      if (response.ok) return start().catch(failed);
      showSignIn('');
    }, function () {
      showSignIn('The server cannot be reached.');
    });
  }

  init();
})();
`;
