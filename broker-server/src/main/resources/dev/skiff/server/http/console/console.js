// The Skiff console: one page, talking JSON to /api/. No external code; everything is built with DOM calls
// (never innerHTML with broker data), so a topic name, key or header can never run as markup.
'use strict';
(function () {
  let token = null;
  let renderMode = localStorage.getItem('skiff.render') || 'text';
  const history = {};           // topic -> [{t, in, out}] rates for the charts
  let lastRates = null;
  let pollTimer = null;

  const $ = (sel) => document.querySelector(sel);
  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'text') e.textContent = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : v);
    }
    for (const k of kids.flat(Infinity)) if (k !== null && k !== undefined) e.append(k instanceof Node ? k : String(k));
    return e;
  }
  function status(msg, bad) { const s = $('#status'); s.textContent = msg || ''; s.className = bad ? 'error' : 'muted'; }
  function bytes(n) {
    if (n < 1024) return n + ' B';
    const u = ['KiB', 'MiB', 'GiB', 'TiB']; let i = -1;
    do { n /= 1024; i++; } while (n >= 1024 && i < u.length - 1);
    return n.toFixed(1) + ' ' + u[i];
  }
  function table(id, headers, rows) {
    const thead = el('thead', {}, el('tr', {}, headers.map(h => el('th', { scope: 'col', class: h.num ? 'num' : (h.cls || null), text: h.label || h }))));
    return el('div', { class: 'scroll' }, el('table', { id }, thead, el('tbody', {}, rows)));
  }

  async function call(path, opts) {
    const r = await fetch('api/' + path, Object.assign({ credentials: 'same-origin' }, opts || {}));
    let body = null;
    try { body = await r.json(); } catch (e) { body = null; }
    if (r.status === 401 && path !== 'login') { showLogin(); throw new Error('Log in first'); }
    if (!r.ok) throw new Error((body && body.error) || ('HTTP ' + r.status));
    return body;
  }
  function post(path, form) {
    return call(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Skiff-Token': token },
      body: new URLSearchParams(form).toString()
    });
  }

  // ---- rendering of keys, values and headers

  function decode(b64) {
    const bin = atob(b64); const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  function show(b64, cut) {
    if (b64 === null || b64 === undefined) return el('span', { class: 'muted', text: 'null' });
    const raw = decode(b64);
    let text;
    if (renderMode === 'hex') {
      const parts = [];
      for (let i = 0; i < raw.length; i++) parts.push(raw[i].toString(16).padStart(2, '0'));
      text = parts.join(' ');
    } else {
      text = new TextDecoder('utf-8', { fatal: false }).decode(raw);
      if (renderMode === 'json') { try { text = JSON.stringify(JSON.parse(text), null, 2); } catch (e) { /* not JSON: as text */ } }
    }
    return el('pre', {}, text + (cut ? ' …(cut)' : ''));
  }

  // ---- charts: plain SVG polylines of the last readings

  function spark(topic) {
    const pts = history[topic] || [];
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    svg.setAttribute('class', 'spark'); svg.setAttribute('viewBox', '0 0 120 28');
    svg.setAttribute('role', 'img');
    const last = pts.length ? pts[pts.length - 1] : { in: 0, out: 0 };
    svg.setAttribute('aria-label', topic + ': ' + last.in.toFixed(1) + ' messages in per second, ' + bytes(Math.round(last.out)) + ' out per second');
    svg.setAttribute('data-in-rate', last.in.toFixed(2));
    const max = Math.max(1, ...pts.map(p => Math.max(p.in, p.outMsgs || 0)));
    for (const [cls, key] of [['in', 'in'], ['out', 'outMsgs']]) {
      const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
      line.setAttribute('class', cls);
      line.setAttribute('points', pts.map((p, i) => (i * 120 / 59).toFixed(1) + ',' + (27 - (p[key] || 0) * 26 / max).toFixed(1)).join(' '));
      svg.append(line);
    }
    return svg;
  }
  async function pollRates() {
    try {
      const r = await call('rates');
      if (lastRates) {
        const dt = Math.max(0.001, (r.timeMs - lastRates.timeMs) / 1000);
        for (const [name, t] of Object.entries(r.topics)) {
          const before = lastRates.topics[name] || { messagesIn: 0, bytesIn: 0, bytesOut: 0 };
          const h = history[name] || (history[name] = []);
          const bytesOut = (t.bytesOut - before.bytesOut) / dt;
          const bytesIn = (t.bytesIn - before.bytesIn) / dt;
          const msgsIn = (t.messagesIn - before.messagesIn) / dt;
          // messages out are estimated from bytes out at the topic's bytes per message in
          const perMsg = t.messagesIn > 0 ? t.bytesIn / t.messagesIn : 0;
          h.push({ in: Math.max(0, msgsIn), out: Math.max(0, bytesOut), bin: bytesIn, outMsgs: perMsg > 0 ? Math.max(0, bytesOut / perMsg) : 0 });
          if (h.length > 60) h.shift();
        }
      }
      lastRates = r;
      document.querySelectorAll('[data-spark]').forEach(cell => {
        cell.replaceChildren(spark(cell.getAttribute('data-spark')));
      });
    } catch (e) { /* shown by the next view */ }
  }

  // ---- views

  async function topicsView() {
    const topics = await call('topics');
    const rows = topics.map(t => el('tr', { 'data-topic': t.name },
      el('td', {}, el('a', { href: '#/topics/' + encodeURIComponent(t.name), text: t.name }), t.internal ? el('span', { class: 'muted', text: ' (internal)' }) : null),
      el('td', { class: 'num', text: t.partitions }),
      el('td', { class: 'num', text: t.messages }),
      el('td', { class: 'num', text: bytes(t.size) }),
      el('td', { 'data-spark': t.name }, spark(t.name))));
    const form = el('form', { id: 'create-topic', class: 'inline card', onsubmit: async (ev) => {
      ev.preventDefault();
      try {
        await post('topics', { name: $('#new-topic').value, partitions: $('#new-partitions').value });
        status('Created topic ' + $('#new-topic').value);
        route();
      } catch (e) { status(e.message, true); }
    } },
      el('label', {}, 'New topic', el('input', { id: 'new-topic', required: true, pattern: '[a-zA-Z0-9._-]+', maxlength: 249 })),
      el('label', {}, 'Partitions', el('input', { id: 'new-partitions', type: 'number', min: 1, value: 1, required: true })),
      el('button', { type: 'submit', text: 'Create' }));
    return [el('h2', { text: 'Topics' }),
      table('topics-table', [{ label: 'Topic' }, { label: 'Partitions', num: true }, { label: 'Messages', num: true }, { label: 'Size', num: true },
        { label: 'Rate (in / out, msg/s)' }], rows),
      el('p', { class: 'muted' }, el('span', { class: 'legend-in', text: '— in' }), ' ', el('span', { class: 'legend-out', text: '— out' }), ' messages per second, last two minutes'),
      form];
  }

  async function topicView(name, params) {
    const t = await call('topics/' + encodeURIComponent(name));
    const partition = Number(params.get('partition') || 0);
    const parts = t.partitions.map(p => el('tr', { 'data-partition': p.partition },
      el('td', {}, el('a', { href: '#/topics/' + encodeURIComponent(name) + '?partition=' + p.partition, text: p.partition })),
      el('td', { class: 'num', text: p.logStartOffset }),
      el('td', { class: 'num', text: p.highWatermark }),
      el('td', { class: 'num', text: bytes(p.size) }),
      el('td', { class: 'num hide-narrow', text: p.segments })));
    const configs = el('dl', { class: 'configs' }, Object.entries(t.configs).map(([k, v]) => [el('dt', { text: k + (t.overrides.includes(k) ? ' *' : '') }), el('dd', { text: v })]));

    const browse = el('form', { id: 'browse', class: 'inline card', onsubmit: (ev) => {
      ev.preventDefault();
      const q = new URLSearchParams({ partition: $('#browse-partition').value });
      if ($('#browse-offset').value) q.set('offset', $('#browse-offset').value);
      if ($('#browse-time').value) q.set('timestamp', String(new Date($('#browse-time').value).getTime()));
      location.hash = '#/topics/' + encodeURIComponent(name) + '?' + q.toString();
    } },
      el('label', {}, 'Partition', el('select', { id: 'browse-partition' }, t.partitions.map(p => el('option', { value: p.partition, selected: p.partition === partition, text: p.partition })))),
      el('label', {}, 'From offset', el('input', { id: 'browse-offset', type: 'number', min: 0, value: params.get('offset') || '' })),
      el('label', {}, 'Or from time', el('input', { id: 'browse-time', type: 'datetime-local' })),
      el('label', {}, 'Show as', el('select', { id: 'render', onchange: (ev) => { renderMode = ev.target.value; localStorage.setItem('skiff.render', renderMode); route(); } },
        ['text', 'json', 'hex'].map(m => el('option', { value: m, selected: m === renderMode, text: m })))),
      el('button', { type: 'submit', text: 'Show messages' }));

    const q = new URLSearchParams({ partition: String(partition), limit: '100' });
    if (params.get('offset')) q.set('offset', params.get('offset'));
    if (params.get('timestamp')) q.set('timestamp', params.get('timestamp'));
    let messages;
    try {
      const m = await call('topics/' + encodeURIComponent(name) + '/messages?' + q.toString());
      messages = table('messages', [{ label: 'Offset', num: true }, { label: 'Time', cls: 'hide-narrow' }, { label: 'Key' }, { label: 'Value' }, { label: 'Headers' }],
        m.messages.map(r => el('tr', { 'data-offset': r.offset },
          el('td', { class: 'num', text: r.offset }),
          el('td', { class: 'hide-narrow', text: new Date(r.timestamp).toISOString() }),
          el('td', { class: 'key' }, show(r.key, r.keyTruncated)),
          el('td', { class: 'value' }, show(r.value, r.valueTruncated)),
          el('td', { class: 'headers' }, r.headers.map(h => el('div', {}, el('strong', { text: h.key + ': ' }), show(h.value)))))));
      if (!m.messages.length) messages = [messages, el('p', { class: 'muted', text: 'No messages from offset ' + m.from + ' (log ' + m.logStartOffset + '–' + m.highWatermark + ').' })];
    } catch (e) { messages = el('p', { class: 'error', text: e.message }); }

    const produce = el('form', { id: 'produce-form', class: 'inline card', onsubmit: async (ev) => {
      ev.preventDefault();
      try {
        const r = await post('topics/' + encodeURIComponent(name) + '/messages', {
          partition: $('#produce-partition').value, key: $('#produce-key').value,
          value: $('#produce-value').value, headers: $('#produce-headers').value });
        $('#produce-result').textContent = 'Written to partition ' + r.partition + ' at offset ' + r.offset;
        status('Produced at offset ' + r.offset);
      } catch (e) { $('#produce-result').textContent = e.message; status(e.message, true); }
    } },
      el('label', {}, 'Partition', el('select', { id: 'produce-partition' }, t.partitions.map(p => el('option', { value: p.partition, text: p.partition })))),
      el('label', {}, 'Key', el('input', { id: 'produce-key' })),
      el('label', {}, 'Value', el('textarea', { id: 'produce-value' })),
      el('label', {}, 'Headers (key=value per line)', el('textarea', { id: 'produce-headers' })),
      el('button', { id: 'produce-submit', type: 'submit', text: 'Produce' }),
      el('output', { id: 'produce-result', 'aria-live': 'polite' }));

    const del = t.internal ? null : el('button', { id: 'delete-topic', class: 'danger', type: 'button', onclick: async () => {
      if (!confirm('Delete topic ' + name + ' and all its messages?')) return;
      try { await post('topics/' + encodeURIComponent(name) + '/delete', {}); status('Deleted ' + name); location.hash = '#/topics'; } catch (e) { status(e.message, true); }
    }, text: 'Delete topic' });

    return [el('h2', { text: 'Topic ' + name }),
      table('partitions', [{ label: 'Partition' }, { label: 'Start offset', num: true }, { label: 'End offset', num: true }, { label: 'Size', num: true }, { label: 'Segments', num: true, cls: 'hide-narrow' }], parts),
      el('h3', { text: 'Configs (* set on the topic)' }), configs,
      el('h3', { text: 'Messages of partition ' + partition }), browse, messages,
      el('h3', { text: 'Produce a message' }), t.internal ? el('p', { class: 'muted', text: 'Internal topics are written by the broker only.' }) : produce,
      del];
  }

  async function groupsView() {
    const groups = await call('groups');
    return [el('h2', { text: 'Consumer groups' }),
      groups.length ? table('groups-table', [{ label: 'Group' }, { label: 'State' }, { label: 'Members', num: true }, { label: 'Lag', num: true }],
        groups.map(g => el('tr', { 'data-group': g.group },
          el('td', {}, el('a', { href: '#/groups/' + encodeURIComponent(g.group), text: g.group })),
          el('td', { text: g.state }), el('td', { class: 'num', text: g.members }),
          el('td', { class: 'num lag', 'data-lag': g.lag, text: g.lag }))))
        : el('p', { class: 'muted', text: 'No groups yet.' })];
  }

  async function groupView(id) {
    const g = await call('groups/' + encodeURIComponent(id));
    const total = g.offsets.reduce((a, o) => a + o.lag, 0);
    return [el('h2', { text: 'Group ' + g.group }),
      el('p', {}, 'State ', el('strong', { id: 'group-state', text: g.state }), ', protocol ', g.protocol || '—', ', total lag ',
        el('strong', { id: 'group-lag', 'data-lag': total, text: total })),
      el('h3', { text: 'Members' }),
      g.members.length ? table('members', [{ label: 'Member' }, { label: 'Client' }, { label: 'Host', cls: 'hide-narrow' }, { label: 'Assignment' }],
        g.members.map(m => el('tr', {}, el('td', { text: m.groupInstanceId || m.memberId }), el('td', { text: m.clientId }),
          el('td', { class: 'hide-narrow', text: m.clientHost }),
          el('td', { text: m.assignment.map(a => a.topic + ' [' + a.partitions.join(', ') + ']').join('; ') }))))
        : el('p', { class: 'muted', text: 'No members.' }),
      el('h3', { text: 'Committed offsets and lag' }),
      table('offsets', [{ label: 'Topic' }, { label: 'Partition', num: true }, { label: 'Committed', num: true }, { label: 'End', num: true }, { label: 'Lag', num: true }],
        g.offsets.map(o => el('tr', { 'data-tp': o.topic + '-' + o.partition }, el('td', { text: o.topic }), el('td', { class: 'num', text: o.partition }),
          el('td', { class: 'num', text: o.committed }), el('td', { class: 'num', text: o.logEndOffset }), el('td', { class: 'num lag', text: o.lag }))))];
  }

  async function transactionsView() {
    const txns = await call('transactions');
    return [el('h2', { text: 'Open transactions' }),
      txns.length ? table('transactions-table', [{ label: 'Transactional id' }, { label: 'Producer', num: true }, { label: 'State' }, { label: 'Started' }, { label: 'Partitions' }],
        txns.map(t => el('tr', {}, el('td', { text: t.transactionalId }), el('td', { class: 'num', text: t.producerId + '/' + t.producerEpoch }),
          el('td', { text: t.state }), el('td', { text: new Date(t.startTimeMs).toISOString() }), el('td', { text: t.partitions.join(', ') }))))
        : el('p', { class: 'muted', text: 'No open transactions.' })];
  }

  async function clientsView() {
    const clients = await call('clients');
    return [el('h2', { text: 'Connected clients' }),
      table('clients-table', [{ label: 'Address' }, { label: 'Client id' }, { label: 'Software' }, { label: 'Listener', cls: 'hide-narrow' }, { label: 'Principal', cls: 'hide-narrow' }, { label: 'Since', cls: 'hide-narrow' }],
        clients.map(c => el('tr', {}, el('td', { text: c.address }), el('td', { text: c.clientId || '' }),
          el('td', { text: (c.softwareName || '?') + ' ' + (c.softwareVersion || '') }), el('td', { class: 'hide-narrow', text: c.listener }),
          el('td', { class: 'hide-narrow', text: c.principal || '' }), el('td', { class: 'hide-narrow', text: new Date(c.connectedAtMs).toISOString() }))))];
  }

  function showLogin() {
    const view = $('#view');
    view.replaceChildren($('#login-template').content.cloneNode(true));
    $('#login-form').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try {
        const r = await post('login', { user: $('#login-user').value, password: $('#login-password').value });
        status('Logged in as ' + r.user);
        location.reload();
      } catch (e) { status(e.message, true); }
    });
    $('#login-user').focus();
  }

  // each route() takes a number: one that finishes after a later one began (a refresh of the list still loading
  // when a topic is opened) leaves the view to the later one
  let routes = 0;

  async function route() {
    const mine = ++routes;
    const hash = location.hash.replace(/^#/, '') || '/topics';
    const [path, query] = hash.split('?');
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    const params = new URLSearchParams(query || '');
    document.querySelectorAll('nav a[data-nav]').forEach(a => {
      if (a.getAttribute('data-nav') === parts[0]) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    });
    try {
      let content;
      if (parts[0] === 'topics' && parts[1]) content = await topicView(parts[1], params);
      else if (parts[0] === 'groups' && parts[1]) content = await groupView(parts[1]);
      else if (parts[0] === 'groups') content = await groupsView();
      else if (parts[0] === 'transactions') content = await transactionsView();
      else if (parts[0] === 'clients') content = await clientsView();
      else content = await topicsView();
      if (mine !== routes) return;
      $('#view').replaceChildren(...[content].flat(2).filter(Boolean));
      const o = await call('overview');
      $('#summary').textContent = 'Broker ' + o.nodeId + ' at ' + o.bootstrap + ' · ' + o.topics + ' topics · ' + o.partitions + ' partitions · ' + o.groups + ' groups · ' + o.connections + ' connections';
    } catch (e) {
      if (mine === routes && e.message !== 'Log in first') $('#view').replaceChildren(el('p', { class: 'error', text: e.message }));
    }
  }

  async function start() {
    const s = await call('session');
    token = s.token;
    $('#logout').hidden = !s.user || !s.loginRequired;
    $('#logout').addEventListener('click', async () => { await post('logout', {}); location.reload(); });
    window.addEventListener('hashchange', () => { route(); $('#main').focus(); });
    if (s.loginRequired && !s.user) { showLogin(); return; }
    await route();
    pollRates();
    pollTimer = setInterval(pollRates, 2000);
    // the lists refresh themselves; a page with a form being filled in is left alone
    setInterval(() => {
      const h = location.hash;
      if (h.startsWith('#/topics/') || document.activeElement && ['INPUT', 'TEXTAREA', 'SELECT'].includes(document.activeElement.tagName)) return;
      route();
    }, 5000);
  }
  document.addEventListener('DOMContentLoaded', () => start().catch(e => status(e.message, true)));
})();
