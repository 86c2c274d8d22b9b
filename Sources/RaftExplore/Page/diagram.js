const SVG = 'http://www.w3.org/2000/svg';

function svgEl(tag, attributes = {}, text) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, String(value));
  }
  if (text !== undefined) element.textContent = text;
  return element;
}

function family(message) {
  if (!message) return 'client';
  if (message.includes('Vote')) return 'vote';
  if (message.startsWith('Log')) return 'log';
  if (message === 'Forward') return 'fwd';
  return 'client';
}

/** What a row's note says: the acting server, what happened to it, and its new role. */
function note(step) {
  const s = step.step;
  // A message's details are on its arrow; a client proposal has no labelled arrow.
  if (s.kind === 'deliver') return s.from === null || s.from === undefined
    ? `${s.node} ← client: ${s.summary}` : `${s.node} ← ${s.from}: ${s.message}`;
  return `${s.node}: ${{ timeout: `${s.timer} timeout`, crash: 'crashes', restart: 'restarts' }[s.kind]}`;
}

function diagram(doc, path) {
  const count = doc.servers.length;
  const steps = doc.path;
  const left = 70, top = 44, rowHeight = 30, notesWidth = 340;
  // Fit the container when possible; columns never get narrower than a message label.
  const available = ($('diagram').clientWidth || 900) - 4;
  const column = count === 1 ? 0
    : Math.max(120, Math.min(240, Math.floor((available - left - 50 - notesWidth) / (count - 1))));
  const x = (id) => left + id * column;
  const y = (row) => top + 12 + row * rowHeight;
  const notesX = x(count - 1) + 50;
  const width = notesX + notesWidth;
  const height = y(steps.length) + 24;
  const svg = svgEl('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img',
                             'aria-label': `sequence diagram of ${steps.length} steps` });

  const defs = svgEl('defs');
  const colors = getComputedStyle(document.documentElement);
  for (const kind of ['vote', 'log', 'fwd', 'client']) {
    const marker = svgEl('marker', { id: `arrow-${kind}`, viewBox: '0 0 10 10', refX: 9, refY: 5,
                                     markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
    marker.append(svgEl('path', { d: 'M0,0 L10,5 L0,10 z', fill: colors.getPropertyValue(`--${kind}`).trim() }));
    defs.append(marker);
  }
  svg.append(defs);

  // Properties that start failing at each step (they stay failing after; only the first row says so).
  const newlyFailing = steps.map((step, index) =>
    step.failing.filter((name) => index === 0 || !steps[index - 1].failing.includes(name)
                                  || name === 'Leader Append-Only'));

  // Rows: the current one highlighted, the breaking ones tinted, numbers that go back to them.
  for (let row = 0; row <= steps.length; row++) {
    const failing = row > 0 && newlyFailing[row - 1].length > 0;
    if (row === steps.length || failing) {
      svg.append(svgEl('rect', { x: 0, y: y(row) - rowHeight / 2, width, height: rowHeight,
                                 class: failing ? 'failing-row' : 'current-row' }));
    }
    const number = svgEl('text', { x: 12, y: y(row) + 4, class: 'step-number', 'data-row': row,
                                   onclick: () => navigate(path.slice(0, row)) }, row === 0 ? 'start' : String(row));
    number.append(svgEl('title', {}, row === 0 ? 'initial state' : steps[row - 1].step.label));
    svg.append(number);
  }
  svg.append(svgEl('text', { x: notesX, y: 22, class: 'node-head' }, 'What happens'));

  // Lifelines, dashed red while a server is down.
  for (const server of doc.servers) {
    svg.append(svgEl('text', { x: x(server.id), y: 22, 'text-anchor': 'middle', class: 'node-head' }, `Server ${server.id}`));
    let up = true, from = y(0) - 12;
    const segment = (to, alive) => svg.append(svgEl('line', { x1: x(server.id), y1: from, x2: x(server.id), y2: to,
                                                              class: alive ? 'lifeline' : 'lifeline down' }));
    steps.forEach((step, index) => {
      if (step.step.node !== server.id) return;
      if (step.step.kind === 'crash' && up) { segment(y(index + 1), true); from = y(index + 1); up = false; }
      if (step.step.kind === 'restart' && !up) { segment(y(index + 1), false); from = y(index + 1); up = true; }
    });
    segment(height - 8, up);
  }

  steps.forEach((step, index) => {
    const row = index + 1, s = step.step, to = x(s.node), at = y(row);
    const group = svgEl('g', { 'data-step': row, 'data-kind': s.kind });
    group.append(svgEl('title', {}, s.label));
    if (s.kind === 'deliver') {
      const kind = family(s.message);
      const response = s.message && s.message.endsWith('Response');
      if (s.from === null || s.from === undefined) {
        // A client proposal: a short arrow from nowhere; the note names it.
        group.append(svgEl('line', { x1: to - 34, y1: at - 12, x2: to - 5, y2: at, class: 'msg client',
                                     'marker-end': 'url(#arrow-client)' }));
      } else {
        const sentRow = step.sentAtStep ?? row - 1;
        const x1 = x(s.from), y1 = y(sentRow);
        const x2 = to + (x1 < to ? -5 : 5);
        group.append(svgEl('line', { x1, y1, x2, y2: at, class: `msg ${kind}${response ? ' response' : ''}`,
                                     'marker-end': `url(#arrow-${kind})` }));
        const lx = x1 + (x2 - x1) * 0.5, ly = y1 + (at - y1) * 0.5;
        group.append(svgEl('text', { x: lx, y: ly - 5, 'text-anchor': 'middle', class: `label ${kind}` }, s.summary));
      }
      group.append(svgEl('circle', { cx: to, cy: at, r: 3, fill: colors.getPropertyValue(`--${kind}`).trim() }));
    } else if (s.kind === 'timeout') {
      group.append(svgEl('rect', { x: to - 6, y: at - 6, width: 12, height: 12, rx: 2, class: 'timer-mark',
                                   transform: `rotate(45 ${to} ${at})` }));
    } else if (s.kind === 'crash') {
      group.append(svgEl('line', { x1: to - 7, y1: at - 7, x2: to + 7, y2: at + 7, class: 'crash-mark' }));
      group.append(svgEl('line', { x1: to - 7, y1: at + 7, x2: to + 7, y2: at - 7, class: 'crash-mark' }));
    } else {
      group.append(svgEl('circle', { cx: to, cy: at, r: 6, class: 'restart-mark' }));
    }
    const text = svgEl('text', { x: notesX, y: at + 4, class: 'note' }, note(step));
    if (step.changedRoleOrTerm) {
      text.append(svgEl('tspan', { class: `role-note ${step.roleAfter}` }, ` → ${step.roleAfter}, term ${step.termAfter}`));
    }
    if (newlyFailing[index].length) {
      text.append(svgEl('tspan', { class: 'failing-note' }, ` ✗ ${newlyFailing[index].join(', ')}`));
    }
    group.append(text);
    svg.append(group);
  });
  return svg;
}

/** Widens a diagram already in the page to its notes' length (the container scrolls if needed). */
function fitDiagram(svg) {
  const box = svg.getBBox();
  const width = Math.max(Number(svg.getAttribute('width')), Math.ceil(box.x + box.width + 12));
  svg.setAttribute('width', width);
  svg.setAttribute('viewBox', `0 0 ${width} ${svg.getAttribute('height')}`);
  for (const rect of svg.querySelectorAll('rect.current-row, rect.failing-row')) rect.setAttribute('width', width);
}

