/// The explorer's page (`GET /`): a shell that `/explorer.js` fills from the JSON API.
/// Everything is served by the binary: no CDN, no external asset.
enum PageHTML {
    static let text = #"""
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>raftlab explore</title>
    <link rel="stylesheet" href="/explorer.css">
    </head>
    <body>
    <header>
      <h1>raftlab explore</h1>
      <span id="model" class="muted">loading the model…</span>
    </header>
    <nav id="toolbar">
      <button id="back" type="button" title="Undo the last step" disabled>◀ Back</button>
      <button id="forward" type="button" title="Redo the step undone" disabled>Forward ▶</button>
      <button id="reset" type="button" title="Go to the initial state">Initial state</button>
      <span id="position" class="muted"></span>
    </nav>
    <div id="error" class="error-banner" hidden></div>
    <main>
      <section id="main-column">
        <h2>Servers</h2>
        <div id="servers" class="servers"></div>
        <h2>Enabled actions <span class="muted small">(click one to take it)</span></h2>
        <div id="actions" class="actions"></div>
        <h2>Sequence diagram <span class="muted small">(click a step number to go back to it)</span></h2>
        <div id="diagram" class="diagram"></div>
      </section>
      <aside id="side-column">
        <h2>Properties</h2>
        <ul id="properties" class="properties"></ul>
        <div id="violations"></div>
        <h2>Network <span id="network-count" class="muted small"></span></h2>
        <ul id="network" class="network"></ul>
        <h2>Find</h2>
        <form id="find-form" class="find">
          <label>depth <input id="find-depth" type="number" min="1" value="8" required></label>
          <label><input id="find-from-here" type="checkbox"> from this state</label>
          <label><input id="find-stop" type="checkbox"> stop at first counterexample</label>
          <div>
            <button id="find" type="submit">Find</button>
            <button id="find-cancel" type="button">Cancel</button>
          </div>
        </form>
        <div id="search-status" class="muted small">no search yet</div>
        <ul id="discoveries" class="discoveries"></ul>
        <h2>Path</h2>
        <ol id="path" class="path" start="0"></ol>
      </aside>
    </main>
    <script src="/explorer.js"></script>
    </body>
    </html>
    """#
}
