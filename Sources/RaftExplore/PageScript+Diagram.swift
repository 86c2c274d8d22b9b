extension PageScript {
    /// The path as an SVG sequence diagram: a lifeline per server (dashed red while crashed),
    /// an arrow per delivery from the row where the item was sent to the row where it arrives
    /// (requests solid, responses dashed, coloured by kind), marks for timeouts, crashes and
    /// restarts, and a note where a server's role or term changes.
    static let diagram = #"""
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

    function diagram(doc, path) {
      const count = doc.servers.length;
      const steps = doc.path;
      const column = count <= 3 ? 230 : count <= 5 ? 170 : 130;
      const left = 110, top = 44, rowHeight = 32;
      const x = (id) => left + id * column;
      const y = (row) => top + 12 + row * rowHeight;
      const width = left + (count - 1) * column + 190;
      const height = y(steps.length) + 24;
      const svg = svgEl('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img',
                                 'aria-label': `sequence diagram of ${steps.length} steps` });

      const defs = svgEl('defs');
      for (const kind of ['vote', 'log', 'fwd', 'client']) {
        const marker = svgEl('marker', { id: `arrow-${kind}`, viewBox: '0 0 10 10', refX: 9, refY: 5,
                                         markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
        marker.append(svgEl('path', { d: 'M0,0 L10,5 L0,10 z', class: kind, style: 'stroke-width:0;fill:currentColor' }));
        marker.style.color = getComputedStyle(document.documentElement).getPropertyValue(`--${kind}`).trim();
        defs.append(marker);
      }
      svg.append(defs);

      // Rows: the current one highlighted, failing ones tinted, numbers that go back to them.
      for (let row = 0; row <= steps.length; row++) {
        const failing = row > 0 && steps[row - 1].failing.length > 0;
        if (row === steps.length || failing) {
          svg.append(svgEl('rect', { x: 0, y: y(row) - rowHeight / 2, width, height: rowHeight,
                                     class: failing ? 'failing-row' : 'current-row' }));
        }
        const title = row === 0 ? 'initial state' : steps[row - 1].step.label;
        const number = svgEl('text', { x: 12, y: y(row) + 4, class: 'step-number', 'data-row': row,
                                       onclick: () => navigate(path.slice(0, row)) }, row === 0 ? 'start' : String(row));
        number.append(svgEl('title', {}, title));
        svg.append(number);
      }

      // Lifelines, broken where a server is down.
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
        if (s.kind === 'deliver') {
          const kind = family(s.message);
          const response = s.message && s.message.endsWith('Response');
          if (s.from === null || s.from === undefined) {
            svg.append(svgEl('line', { x1: to - 58, y1: at - 14, x2: to - 5, y2: at, class: `msg client`,
                                       'marker-end': 'url(#arrow-client)' }));
            svg.append(svgEl('text', { x: to - 62, y: at - 12, 'text-anchor': 'end', class: 'label client' }, `client: ${s.summary}`));
          } else {
            const sentRow = step.sentAtStep ?? row - 1;
            const x1 = x(s.from), y1 = y(sentRow);
            const x2 = to + (x1 < to ? -5 : 5);
            svg.append(svgEl('line', { x1, y1, x2, y2: at, class: `msg ${kind}${response ? ' response' : ''}`,
                                       'marker-end': `url(#arrow-${kind})` }));
            const lx = x1 + (x2 - x1) * 0.55, ly = y1 + (at - y1) * 0.55;
            svg.append(svgEl('text', { x: lx, y: ly - 4, 'text-anchor': 'middle', class: `label ${kind}` }, s.summary));
          }
          svg.append(svgEl('circle', { cx: to, cy: at, r: 3, class: kind, fill: 'currentColor' }));
        } else if (s.kind === 'timeout') {
          svg.append(svgEl('rect', { x: to - 7, y: at - 7, width: 14, height: 14, rx: 3, class: 'timer-mark',
                                     transform: `rotate(45 ${to} ${at})` }));
          svg.append(svgEl('text', { x: to - 12, y: at + 4, 'text-anchor': 'end', class: 'label' }, `⏱ ${s.timer} timeout`));
        } else if (s.kind === 'crash') {
          svg.append(svgEl('line', { x1: to - 7, y1: at - 7, x2: to + 7, y2: at + 7, class: 'crash-mark' }));
          svg.append(svgEl('line', { x1: to - 7, y1: at + 7, x2: to + 7, y2: at - 7, class: 'crash-mark' }));
          svg.append(svgEl('text', { x: to - 12, y: at + 4, 'text-anchor': 'end', class: 'label', fill: '#c81e1e' }, 'crash'));
        } else {
          svg.append(svgEl('circle', { cx: to, cy: at, r: 7, class: 'restart-mark' }));
          svg.append(svgEl('text', { x: to - 12, y: at + 4, 'text-anchor': 'end', class: 'label', fill: '#15803d' }, 'restart'));
        }
        if (step.changedRoleOrTerm) {
          svg.append(svgEl('text', { x: to + 10, y: at + 14, class: `label role-note ${step.roleAfter}` },
                           `${step.roleAfter} · term ${step.termAfter}`));
        }
        if (step.failing.length) {
          svg.append(svgEl('text', { x: width - 8, y: at + 4, 'text-anchor': 'end', class: 'label', fill: '#c81e1e' },
                           '✗ ' + step.failing.join(', ')));
        }
      });
      return svg;
    }

    """#
}
