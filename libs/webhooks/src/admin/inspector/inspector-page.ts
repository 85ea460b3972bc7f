/** The inspector's page; `{{base}}` is where its script and stylesheet are, relative to the page's URL. */
const PAGE = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Webhook deliveries</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{{base}}inspector.css">
<script src="{{base}}inspector.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to the deliveries</a>
<header class="top">
  <h1>Webhook deliveries</h1>
  <div class="top-actions">
    <button type="button" id="reload" hidden>Refresh</button>
    <button type="button" id="signout" hidden>Sign out</button>
  </div>
</header>
<main id="main" tabindex="-1">
  <noscript><p>The delivery inspector needs JavaScript.</p></noscript>
  <p id="error" class="alert" role="alert" hidden></p>
  <p id="notice" class="notice" role="status" aria-live="polite"></p>

  <section id="signin" class="panel signin" aria-labelledby="signin-title" hidden>
    <h2 id="signin-title">Sign in</h2>
    <form id="signin-form" autocomplete="off">
      <label for="token">Admin token</label>
      <input id="token" name="token" type="password" autocomplete="off" spellcheck="false" required aria-describedby="token-help signin-message">
      <p id="token-help" class="muted">The admin token of this app (its <code>adminToken</code> option). It is sent once, to open a session; the page never stores it.</p>
      <p id="signin-message" class="alert" role="alert" hidden></p>
      <button type="submit" id="signin-submit" class="primary">Sign in</button>
    </form>
  </section>

  <section id="app" aria-labelledby="list-title" hidden>
    <h2 id="list-title" class="visually-hidden">Deliveries</h2>
    <div id="tabs" class="tabs" role="group" aria-label="Status"></div>
    <form id="filters" class="panel filters" role="search" aria-label="Filter deliveries">
      <div class="field field-wide">
        <label for="f-search">Search</label>
        <input id="f-search" name="search" type="search" placeholder="Exact reference, event id or delivery id" spellcheck="false">
      </div>
      <div class="field">
        <label for="f-provider">Endpoint</label>
        <select id="f-provider" name="provider"><option value="">All endpoints</option></select>
      </div>
      <div class="field">
        <label for="f-type">Type</label>
        <input id="f-type" name="type" type="text" placeholder="e.g. charge.success" spellcheck="false">
      </div>
      <div class="field">
        <label for="f-reference">Reference</label>
        <input id="f-reference" name="reference" type="text" spellcheck="false">
      </div>
      <div class="field">
        <label for="f-from">Received from</label>
        <input id="f-from" name="receivedFrom" type="datetime-local" step="1">
      </div>
      <div class="field">
        <label for="f-to">Received before</label>
        <input id="f-to" name="receivedTo" type="datetime-local" step="1">
      </div>
      <div class="buttons">
        <button type="submit" class="primary">Apply</button>
        <button type="reset">Clear</button>
      </div>
    </form>
    <div class="toolbar">
      <button type="button" id="bulk-replay" disabled>Replay matching…</button>
      <label class="inline"><input type="checkbox" id="auto-refresh"> Refresh every 5 s</label>
    </div>
    <div id="list" class="table-wrap" aria-busy="false">
      <table class="stack deliveries">
        <caption id="list-caption" tabindex="-1">Deliveries, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Received</th>
            <th scope="col">Endpoint</th>
            <th scope="col">Type</th>
            <th scope="col">Reference</th>
            <th scope="col">Status</th>
            <th scope="col" class="num">Attempts</th>
            <th scope="col">Processed</th>
          </tr>
        </thead>
        <tbody id="rows"></tbody>
      </table>
    </div>
    <nav class="pager" aria-label="Pages">
      <button type="button" id="newest" hidden>Newest</button>
      <button type="button" id="newer" hidden>Newer</button>
      <button type="button" id="older" hidden>Older</button>
    </nav>
  </section>

  <section id="detail" aria-labelledby="detail-title" hidden>
    <p><a href="#/" id="back">← All deliveries</a></p>
    <h2 id="detail-title" tabindex="-1">Delivery</h2>
    <div id="detail-body"></div>
  </section>

  <dialog id="confirm" aria-labelledby="confirm-title" aria-describedby="confirm-text">
    <form id="confirm-form" method="dialog">
      <h2 id="confirm-title">Replay deliveries</h2>
      <p id="confirm-text"></p>
      <label class="inline"><input type="checkbox" id="confirm-all"> Run every handler again, not only those that failed</label>
      <div class="buttons">
        <button type="submit" class="primary" id="confirm-submit">Replay</button>
        <button type="button" id="confirm-cancel">Cancel</button>
      </div>
    </form>
  </dialog>
</main>
</body>
</html>
`;

/**
 * The page, for a request to `path`: at `/ops/webhooks/` its assets are `inspector.js`; at
 * `/ops/webhooks` (no trailing slash, which Fastify and Express may also route here) `webhooks/inspector.js`.
 */
export function inspectorPage(path: string): string {
  const segments = path.split('?')[0].split('/');
  const last = segments[segments.length - 1];
  const base = last === '' ? '' : `${encodeURIComponent(decodeSegment(last))}/`;
  return PAGE.split('{{base}}').join(base);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
