// RAD's dashboard: one page, routes in the URL's hash (#/deployments, #/deployments/ID, #/applications,
// #/applications/CLUSTER/NAME, #/clusters). Live data comes from the API's Server-Sent Events, never from polling.

import { token, Unauthorized, Unreachable, follow } from './api.js';
import { deploymentsPage } from './deployments.js';
import { deploymentPage } from './deployment.js';
import { applicationsPage, historyPage } from './applications.js';
import { clustersPage } from './clusters.js';
import { h } from './dom.js';

const main = document.getElementById('main');
const banner = document.getElementById('banner');
const live = document.getElementById('live');
const forget = document.getElementById('forget-token');

let current = null;

const routes = [
  [/^#?\/?$/, () => deploymentsPage],
  [/^#\/deployments$/, () => deploymentsPage],
  [/^#\/deployments\/([0-9a-f-]{36})$/, m => ctx => deploymentPage(ctx, m[1])],
  [/^#\/applications$/, () => applicationsPage],
  [/^#\/applications\/([a-z0-9-]+)\/([a-z0-9-]+)$/, m => ctx => historyPage(ctx, m[1], m[2])],
  [/^#\/clusters$/, () => clustersPage],
];

/** What every page gets: where to draw, how to report, a signal that aborts when the page is left. */
function context(signal) {
  return {
    main,
    signal,
    follow: (path, handlers) => follow(path, {
      ...handlers,
      signal,
      onState: (state, error) => {
        showLive(state);
        if (state === 'reconnecting' && error instanceof Unreachable) showBanner(error.message);
        if (state === 'live') hideBanner();
      },
    }).catch(e => fail(e)),
    fail,
    go: hash => { location.hash = hash; },
  };
}

async function render() {
  current?.abort();
  const controller = new AbortController();
  current = controller;
  const hash = location.hash || '#/deployments';
  const match = routes.map(([pattern, page]) => [hash.match(pattern), page]).find(([m]) => m);
  for (const link of document.querySelectorAll('nav a')) {
    const active = hash.startsWith(`#/${link.dataset.page}`) || (hash === '#/' && link.dataset.page === 'deployments');
    if (active) link.setAttribute('aria-current', 'page'); else link.removeAttribute('aria-current');
  }
  forget.hidden = !token.get();
  hideBanner();
  showLive('');
  main.replaceChildren();
  if (!match) {
    main.append(h('h1', {}, 'Not found'), h('p', {}, 'No such page. ', h('a', { href: '#/deployments' }, 'Deployments')));
    return;
  }
  try {
    await match[1](match[0])(context(controller.signal));
  } catch (e) {
    if (!controller.signal.aborted) fail(e);
  }
}

/** Errors a page cannot handle itself: 401 asks for the token, an unreachable API shows a banner and retries. */
function fail(error) {
  if (error?.name === 'AbortError') return;
  if (error instanceof Unauthorized) {
    askToken(error.message);
    return;
  }
  showBanner(error instanceof Unreachable ? error.message : `${error.title ? `${error.title}: ` : ''}${error.message}`);
  if (error instanceof Unreachable) setTimeout(() => { if (banner.textContent === error.message) render(); }, 3000);
}

function askToken(detail) {
  current?.abort();
  const given = Boolean(token.get());
  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false' });
  main.replaceChildren(h('section', { class: 'token-prompt', 'aria-labelledby': 'token-title' },
    h('h1', { id: 'token-title' }, 'API token needed'),
    h('p', {}, given ? 'The token was refused: ' : '', detail),
    h('p', { class: 'muted' }, 'This RAD API is protected by RAD_API_TOKEN. The token is kept for this browser tab only.'),
    h('form', {
      onsubmit: event => {
        event.preventDefault();
        token.set(input.value.trim());
        render();
      },
    },
    h('label', { for: 'token' }, 'API token'),
    input,
    h('button', { type: 'submit', class: 'primary' }, 'Use token'))));
  showLive('');
  input.focus();
}

function showBanner(text) {
  banner.textContent = text;
  banner.hidden = false;
}

function hideBanner() {
  banner.hidden = true;
  banner.textContent = '';
}

function showLive(state) {
  live.textContent = state === 'live' ? 'live' : state === 'reconnecting' ? 'reconnecting…' : '';
  live.className = state ? `live is-${state}` : 'live';
}

forget.addEventListener('click', () => {
  token.forget();
  render();
});
window.addEventListener('hashchange', () => {
  render();
  main.focus({ preventScroll: true });
});
render();
