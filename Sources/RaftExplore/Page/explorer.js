'use strict';
const $ = (id) => document.getElementById(id);

/** Creates an element: attributes (on… are listeners, class, text), then children. */
function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') element.className = value;
    else if (name === 'text') element.textContent = value;
    else if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

const app = { model: null, shown: null, future: [], doc: null, ticket: 0, searchId: 0, polling: false };

function encodePath(path) { return path.map(encodeURIComponent).join('/'); }

/** The path in the URL's fragment; throws URIError on a malformed escape. */
function pathFromHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  if (raw === '') return [];
  const parts = raw.split('/');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts.map((part) => decodeURIComponent(part));
}

function navigate(path) {
  const hash = '#/' + encodePath(path);
  if (location.hash === hash) load(); else location.hash = hash;
}

function isPrefix(prefix, path) {
  return prefix.length <= path.length && prefix.every((label, index) => label === path[index]);
}

/** Loads and shows the state at the URL's path. */
async function load() {
  let path;
  try {
    path = pathFromHash();
  } catch (error) {
    showError({ error: 'the URL fragment is not a path of percent-encoded labels: ' + error.message }, []);
    return;
  }
  const ticket = ++app.ticket;
  document.body.dataset.loading = 'true';
  let response, body;
  try {
    response = await fetch('/.states/' + encodePath(path), { cache: 'no-store' });
    body = await response.json();
  } catch (error) {
    if (ticket === app.ticket) showError({ error: 'the explorer did not answer: ' + error.message }, path);
    return;
  } finally {
    if (ticket === app.ticket) delete document.body.dataset.loading;
  }
  if (ticket !== app.ticket) return;
  if (!response.ok) { showError(body, path); return; }
  const timeline = (app.shown || []).concat(app.future);
  app.future = isPrefix(path, timeline) ? timeline.slice(path.length) : [];
  app.shown = path;
  app.doc = body;
  hideError();
  render();
}

function showError(body, path) {
  const banner = $('error');
  // The server's message lists the enabled labels too; here they are buttons instead.
  const message = (body.error || 'unknown error').split('; enabled there: ')[0];
  banner.replaceChildren(el('strong', {}, 'Cannot show this path: '), message);
  if (typeof body.stepIndex === 'number') {
    const prefix = path.slice(0, body.stepIndex);
    banner.append(el('div', {},
      el('button', { onclick: () => navigate(prefix) }, `Go to the state before step ${body.stepIndex + 1}`)));
    if (body.enabled && body.enabled.length) {
      banner.append(el('div', {}, el('span', { class: 'small' }, 'or take one of the actions enabled there: '),
        ...body.enabled.map((label) => el('button', { title: label, onclick: () => navigate(prefix.concat([label])) }, label))));
    }
  }
  banner.hidden = false;
  document.body.dataset.error = 'true';
}

function hideError() {
  $('error').hidden = true;
  delete document.body.dataset.error;
}

function render() {
  const doc = app.doc, path = app.shown;
  $('position').textContent = path.length === 0 ? 'initial state' : `after ${path.length} step${path.length === 1 ? '' : 's'}`;
  $('back').disabled = path.length === 0;
  $('forward').disabled = app.future.length === 0;
  $('servers').replaceChildren(...doc.servers.map(serverCard));
  renderActions(doc);
  renderProperties(doc);
  renderNetwork(doc);
  renderPath(doc, path);
  const svg = diagram(doc, path);
  $('diagram').replaceChildren(svg);
  fitDiagram(svg);
  document.body.dataset.steps = String(path.length);
}

function fact(name, value) { return [el('dt', {}, name), el('dd', {}, value === null || value === undefined ? '–' : value)]; }

function entryBox(entry) {
  return el('span', { class: 'entry' + (entry.committed ? ' committed' : ''),
                      title: `index ${entry.index}, term ${entry.term}, request #${entry.request}${entry.committed ? ', committed' : ''}` },
    el('small', {}, `${entry.index}:`), `t${entry.term} `, entry.request === 0 ? 'no-op' : `"${entry.payload}"`);
}

function row(name, ...content) { return el('div', { class: 'row' }, el('span', { class: 'muted' }, name), ...content); }

function serverCard(server) {
  const role = server.role || 'none';
  const card = el('div', { class: `server role-${role} status-${server.status}`, 'data-node': server.id,
                           'data-role': server.role || '', 'data-status': server.status },
    el('div', { class: 'server-head' },
      el('span', { class: 'server-name' }, `Server ${server.id}`),
      server.role ? el('span', { class: `badge role role-${role}` }, server.role) : null,
      server.status === 'running' ? null
        : el('span', { class: 'badge crashed', title: server.status === 'stopped' ? 'crash-stopped: its last state stays, frozen'
                                                                          : 'down: only its disk remains until it restarts' },
             server.status === 'stopped' ? 'crashed' : 'down')),
    el('dl', { class: 'facts' }, fact('term', server.term), fact('voted', server.votedFor),
       fact('leader', server.leader), fact('commit', server.commitIndex)),
    row('log', server.log.length ? server.log.map(entryBox) : el('span', { class: 'muted' }, 'empty')),
    row('delivered', server.delivered.length ? server.delivered.map((payload) => el('span', { class: 'chip' }, `"${payload}"`))
                                             : el('span', { class: 'muted' }, 'nothing')));
  if (server.votes.length) card.append(row('votes', server.votes.map((id) => el('span', { class: 'chip' }, `from ${id}`))));
  if (server.progress.length) {
    card.append(row('progress', server.progress.map((p) => el('span', { class: 'chip' }, `${p.peer}: sent ${p.sent}, acked ${p.acked}`))));
  }
  if (server.buffered.length) card.append(row('buffered', server.buffered.map((payload) => el('span', { class: 'chip' }, `"${payload}"`))));
  card.append(row('timers', server.timers.length ? server.timers.map((timer) => el('span', { class: 'chip' }, '◷ ' + timer))
                                                  : el('span', { class: 'muted' }, 'none')));
  if (server.disk && server.diskDiffers) {
    card.append(row('disk', el('span', { class: 'chip' }, `term ${server.disk.term}, voted ${server.disk.votedFor ?? '–'}, commit ${server.disk.commitIndex}`),
                    ...server.disk.log.map(entryBox), el('span', { class: 'badge crashed' }, 'differs from memory')));
  }
  return card;
}

function stepText(step) {
  switch (step.kind) {
    case 'deliver': return `${step.from ?? 'client'} → ${step.node} ${step.summary}`;
    case 'timeout': return `◷ ${step.node} ${step.timer}`;
    case 'crash': return `✕ crash ${step.node}`;
    default: return `↻ restart ${step.node}`;
  }
}

function renderActions(doc) {
  const groups = [['deliver', 'deliver'], ['timeout', 'timers'], ['crash', 'crash'], ['restart', 'restart']];
  const container = $('actions');
  container.replaceChildren();
  for (const [kind, name] of groups) {
    const actions = doc.actions.filter((action) => action.step.kind === kind);
    if (!actions.length) continue;
    container.append(el('div', { class: 'group' }, el('span', { class: 'group-name' }, name),
      actions.map((action) => el('button', {
        class: `action kind-${kind}${action.breaks.length ? ' breaks' : ''}`, 'data-label': action.step.label,
        title: action.step.label + (action.breaks.length ? '\nbreaks ' + action.breaks.join(', ') : ''),
        onclick: () => navigate(app.shown.concat([action.step.label])),
      }, stepText(action.step), action.breaks.length ? ` ⚠ ${action.breaks.join(', ')}` : ''))));
  }
  if (!doc.actions.length) container.append(el('span', { class: 'muted' }, 'No action is enabled: every path ends here.'));
}

function renderProperties(doc) {
  $('properties').replaceChildren(...doc.properties.map((property) => {
    const holds = property.holds;
    const mark = holds ? '✓' : (property.expectation === 'always' ? '✗' : '○');
    const note = property.expectation === 'always' ? (holds ? 'holds' : 'VIOLATED')
                                                   : (holds ? 'holds here' : 'not here');
    return el('li', { class: `${holds ? 'holds' : 'fails'} ${property.expectation}`, 'data-property': property.name,
                      'data-holds': String(holds) },
      el('span', { class: 'mark' }, mark), el('span', {}, property.name),
      el('span', { class: 'kind' }, `${property.expectation}${property.scope === 'transition' ? ', per step' : ''}: ${note}`));
  }));
  $('violations').replaceChildren(...doc.violations.map((text) => el('div', { class: 'violation' }, text)));
}

function renderNetwork(doc) {
  const total = doc.network.reduce((sum, entry) => sum + entry.count, 0);
  $('network-count').textContent = `(${total} in flight)`;
  $('network').replaceChildren(...doc.network.map((entry) =>
    el('li', { class: entry.deliverable ? '' : 'waiting', title: entry.label },
      `${entry.from ?? 'client'} → ${entry.to} ${entry.summary}`, entry.count > 1 ? ` ×${entry.count}` : '',
      entry.deliverable ? '' : ' (not deliverable now)')));
  if (!doc.network.length) $('network').append(el('li', { class: 'waiting' }, 'nothing in flight'));
}

function renderPath(doc, path) {
  const items = [el('li', { class: path.length === 0 ? 'current' : '', onclick: () => navigate([]) }, 'initial state')];
  doc.path.forEach((step, index) => items.push(el('li', {
    class: `${index === path.length - 1 ? 'current' : ''}${step.failing.length ? ' failing' : ''}`,
    title: step.step.label + (step.failing.length ? '\nviolates ' + step.failing.join(', ') : ''),
    onclick: () => navigate(path.slice(0, index + 1)),
  }, stepText(step.step))));
  $('path').replaceChildren(...items);
}

async function startSearch(event) {
  event.preventDefault();
  const request = { depth: Number($('find-depth').value),
                    from: $('find-from-here').checked ? app.shown || [] : [],
                    stopAtCounterexample: $('find-stop').checked };
  const response = await fetch('/.search', { method: 'POST', headers: { 'Content-Type': 'application/json' },
                                              body: JSON.stringify(request) });
  const body = await response.json();
  if (!response.ok) { $('search-status').textContent = 'Cannot search: ' + body.error; return; }
  renderSearch(body);
  poll();
}

async function poll() {
  if (app.polling) return;
  app.polling = true;
  try {
    for (;;) {
      const status = await (await fetch('/.search', { cache: 'no-store' })).json();
      renderSearch(status);
      if (status.state !== 'running') break;
      await new Promise((resolve) => setTimeout(resolve, 400));
    }
  } finally {
    app.polling = false;
  }
}

function renderSearch(status) {
  const p = status.progress;
  const counts = `states=${p.states}, unique=${p.unique}, depth=${p.depth}, ${p.seconds.toFixed(1)} s`;
  const request = status.request;
  const scope = request ? `to depth ${request.depth}${request.from && request.from.length ? ` from step ${request.from.length}` : ''}` : '';
  const text = { idle: 'no search yet', running: `searching ${scope}: ${counts}`,
                 done: `done ${scope} (${status.stopReason}): ${counts}`,
                 cancelled: `cancelled ${scope}: ${counts}` }[status.state] || status.state;
  $('search-status').textContent = text;
  document.body.dataset.search = status.state;
  $('find-cancel').disabled = status.state !== 'running';
  $('discoveries').replaceChildren(...status.discoveries.map((discovery) => el('li', {},
    el('button', { class: discovery.classification, 'data-property': discovery.property,
                   title: discovery.path.join('\n'), onclick: () => navigate(discovery.path) },
      `${discovery.classification === 'counterexample' ? '✗' : '✓'} ${discovery.property}: ${discovery.classification}, ${discovery.path.length} steps`))));
  if ((status.state === 'done' || status.state === 'cancelled') && !status.discoveries.length) {
    $('discoveries').append(el('li', { class: 'muted' }, 'nothing discovered within this depth'));
  }
}

async function start() {
  $('back').addEventListener('click', () => navigate(app.shown.slice(0, -1)));
  $('forward').addEventListener('click', () => navigate(app.shown.concat(app.future.slice(0, 1))));
  $('reset').addEventListener('click', () => navigate([]));
  $('find-form').addEventListener('submit', startSearch);
  $('find-cancel').addEventListener('click', async () => renderSearch(await (await fetch('/.search', { method: 'DELETE' })).json()));
  window.addEventListener('hashchange', load);
  const model = await (await fetch('/.model')).json();
  app.model = model;
  $('model').textContent = model.description;
  if (model.mutant) {
    $('model').after(el('span', { class: 'badge crashed', title: 'a deliberate bug is switched on in every node' },
                        `mutant: ${model.mutant}`));
  }
  $('find-depth').max = String(model.searchDepthMax);
  if (model.mutant) document.title = `raftlab explore (${model.mutant})`;
  await load();
  poll();
}

start();

