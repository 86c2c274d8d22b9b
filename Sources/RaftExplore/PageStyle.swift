/// The page's style sheet (`GET /explorer.css`).
enum PageStyle {
    static let text = #"""
    :root {
      --ink: #1f2933; --muted: #6b7785; --line: #d9dee5; --panel: #ffffff; --page: #f3f5f8;
      --leader: #d97706; --candidate: #7c3aed; --precandidate: #a78bfa; --follower: #52606d;
      --ok: #15803d; --bad: #c81e1e; --vote: #6d28d9; --log: #0f766e; --fwd: #b45309; --client: #52606d;
    }
    * { box-sizing: border-box; }
    body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
           color: var(--ink); background: var(--page); }
    header { display: flex; align-items: baseline; gap: 16px; padding: 10px 18px; background: #1f2933; color: #fff; }
    header h1 { margin: 0; font-size: 18px; }
    header .muted { color: #cbd2d9; }
    nav { display: flex; align-items: center; gap: 8px; padding: 8px 18px; border-bottom: 1px solid var(--line); background: #fff; }
    main { display: grid; grid-template-columns: minmax(0, 1fr) 360px; gap: 16px; padding: 8px 18px 24px; }
    h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); margin: 14px 0 6px; }
    .muted { color: var(--muted); }
    .small { font-size: 12px; text-transform: none; letter-spacing: 0; }
    button { font: inherit; border: 1px solid var(--line); background: #fff; border-radius: 6px; padding: 4px 10px; cursor: pointer; }
    button:hover:not(:disabled) { border-color: #9aa5b1; background: #f8fafc; }
    button:disabled { opacity: .45; cursor: default; }
    .error-banner { margin: 10px 18px 0; padding: 10px 14px; border: 1px solid #f5b5b5; background: #fdecec; color: #8a1c1c; border-radius: 8px; }
    .error-banner button { margin: 6px 6px 0 0; }
    .servers { display: grid; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr)); gap: 10px; }
    .server { background: var(--panel); border: 1px solid var(--line); border-left: 5px solid var(--follower); border-radius: 8px; padding: 8px 10px; }
    .server.role-leader { border-left-color: var(--leader); }
    .server.role-candidate { border-left-color: var(--candidate); }
    .server.role-precandidate { border-left-color: var(--precandidate); }
    .server.status-stopped, .server.status-down { opacity: .6; border-left-color: var(--bad); background: #fbf3f3; }
    .server-head { display: flex; align-items: center; gap: 6px; margin-bottom: 4px; }
    .server-name { font-weight: 600; font-size: 15px; }
    .badge { font-size: 11px; font-weight: 600; text-transform: uppercase; padding: 1px 6px; border-radius: 10px; color: #fff; background: var(--follower); }
    .badge.role-leader { background: var(--leader); }
    .badge.role-candidate { background: var(--candidate); }
    .badge.role-precandidate { background: var(--precandidate); }
    .badge.crashed { background: var(--bad); }
    .facts { display: grid; grid-template-columns: auto 1fr auto 1fr; gap: 0 8px; margin: 2px 0 4px; font-size: 13px; }
    .facts dt { color: var(--muted); }
    .facts dd { margin: 0; font-weight: 600; }
    .row { font-size: 12px; margin-top: 3px; }
    .row > .muted { display: inline-block; min-width: 62px; }
    .entry { display: inline-block; margin: 1px 3px 1px 0; padding: 0 5px; border: 1px dashed #9aa5b1; border-radius: 4px; font: 12px ui-monospace, "DejaVu Sans Mono", monospace; }
    .entry.committed { border: 1px solid var(--ok); background: #e9f7ee; }
    .entry small { color: var(--muted); margin-right: 2px; }
    .chip { display: inline-block; margin-right: 4px; padding: 0 6px; border-radius: 8px; background: #eef2f7; font-size: 12px; }
    .actions { display: flex; flex-wrap: wrap; gap: 6px; }
    .actions .group { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; width: 100%; }
    .actions .group-name { font-size: 12px; color: var(--muted); min-width: 64px; }
    .action { font-size: 13px; }
    .action.kind-deliver { border-color: #b7d3cf; }
    .action.kind-timeout { border-color: #d6c8f5; }
    .action.kind-crash, .action.kind-restart { border-color: #f1c0c0; }
    .action.breaks { background: #fdecec; border-color: var(--bad); color: #8a1c1c; }
    .diagram { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; overflow-x: auto; }
    .diagram svg { display: block; font: 12px system-ui, "DejaVu Sans", sans-serif; }
    .diagram .lifeline { stroke: #9aa5b1; stroke-width: 2; }
    .diagram .lifeline.down { stroke: var(--bad); stroke-dasharray: 4 4; stroke-width: 1.5; }
    .diagram .node-head { font-weight: 600; font-size: 13px; }
    .diagram .step-number { fill: var(--muted); cursor: pointer; }
    .diagram .step-number:hover { fill: var(--ink); text-decoration: underline; }
    .diagram .current-row { fill: #fff7e0; }
    .diagram .failing-row { fill: #fdecec; }
    .diagram .msg { stroke-width: 1.6; fill: none; }
    .diagram .msg.response { stroke-dasharray: 5 3; }
    .diagram line.vote { stroke: var(--vote); } .diagram text.vote { fill: var(--vote); }
    .diagram line.log { stroke: var(--log); } .diagram text.log { fill: var(--log); }
    .diagram line.fwd { stroke: var(--fwd); } .diagram text.fwd { fill: var(--fwd); }
    .diagram line.client { stroke: var(--client); } .diagram text.client { fill: var(--client); }
    .diagram text.label { paint-order: stroke; stroke: #fff; stroke-width: 4px; stroke-linejoin: round; }
    .diagram .timer-mark { fill: #ede9fe; stroke: var(--candidate); stroke-width: 1.5; }
    .diagram .crash-mark { stroke: var(--bad); stroke-width: 3; }
    .diagram .restart-mark { fill: #e9f7ee; stroke: var(--ok); stroke-width: 2; }
    .diagram .note { fill: var(--ink); }
    .diagram .failing-note { fill: var(--bad); font-weight: 700; }
    .diagram .role-note { font-weight: 700; }
    .diagram .role-note.leader { fill: var(--leader); }
    .diagram .role-note.candidate { fill: var(--candidate); }
    .diagram .role-note.precandidate { fill: var(--precandidate); }
    .diagram .role-note.follower { fill: var(--follower); }
    .properties, .network, .discoveries { list-style: none; margin: 0; padding: 0; }
    .properties li { padding: 3px 0; display: flex; gap: 6px; align-items: baseline; }
    .properties .mark { width: 16px; text-align: center; font-weight: 700; }
    .properties li.holds .mark { color: var(--ok); }
    .properties li.fails .mark { color: var(--bad); }
    .properties li.fails.always { color: var(--bad); font-weight: 600; }
    .properties li.fails.sometimes .mark { color: var(--muted); }
    .kind { font-size: 11px; color: var(--muted); }
    .violation { margin-top: 6px; padding: 6px 8px; border-radius: 6px; background: #fdecec; color: #8a1c1c; font-size: 12px; }
    .network li { font-size: 12px; padding: 2px 0; border-bottom: 1px dotted var(--line); }
    .network li.waiting { color: var(--muted); }
    .find { display: grid; gap: 4px; font-size: 13px; }
    .find input[type=number] { width: 60px; }
    .discoveries li { margin: 4px 0; }
    .discoveries button { width: 100%; text-align: left; }
    .discoveries .counterexample { border-color: var(--bad); color: #8a1c1c; }
    .discoveries .example { border-color: #a7d7b5; color: var(--ok); }
    .path { margin: 0; padding-left: 26px; font-size: 12px; max-height: 260px; overflow-y: auto; }
    .path li { cursor: pointer; padding: 1px 0; }
    .path li:hover { text-decoration: underline; }
    .path li.current { font-weight: 700; }
    .path li.failing { color: var(--bad); }
    """#
}
