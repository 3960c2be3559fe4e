// The deployments page: newest first, kept current by GET /api/events (every deployment's progress, live).

import { getJson } from './api.js';
import { h, table, badge, shortCommit, duration, time, trigger } from './dom.js';

const shown = 50;

export async function deploymentsPage(ctx) {
  const deployments = new Map();
  const body = h('div', { id: 'deployments', 'aria-live': 'polite', 'aria-busy': 'true' }, h('p', { class: 'muted' }, 'Loading…'));
  ctx.main.append(h('h1', {}, 'Deployments'), body);

  const draw = () => {
    const rows = [...deployments.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, shown);
    body.setAttribute('aria-busy', 'false');
    body.replaceChildren(rows.length === 0
      ? h('p', { class: 'muted' }, 'No deployments yet. Start one with rad deploy, POST /api/deployments or a git webhook.')
      : table(null, [
        { title: 'State', cell: d => badge(d.state) },
        { title: 'Deployment', cell: d => h('a', { href: `#/deployments/${d.id}`, class: 'mono id' }, d.id) },
        { title: 'Repository', class: 'wrap wide', cell: d => d.repository },
        { title: 'Ref', class: 'wrap', cell: d => ref(d.ref) },
        { title: 'Commit', cell: d => h('span', { class: 'mono' }, shortCommit(d.commit)) },
        { title: 'Cluster', cell: d => d.cluster },
        { title: 'Duration', cell: d => h('span', { 'data-duration': d.id }, elapsed(d)) },
        { title: 'Triggered by', cell: d => trigger(d.trigger) },
        { title: 'Started', cell: d => time(d.createdAt) },
      ], rows, d => ({ 'data-id': d.id, 'data-state': d.state })));
  };

  // Each event says which deployment moved; its whole view is read once per burst of events.
  const pending = new Map();
  const refresh = id => {
    if (pending.has(id)) return;
    pending.set(id, setTimeout(async () => {
      pending.delete(id);
      try {
        deployments.set(id, await getJson(`/api/deployments/${id}`, ctx.signal));
        draw();
      } catch (e) {
        if (!ctx.signal.aborted) ctx.fail(e);
      }
    }, 100));
  };

  const ticker = setInterval(() => {
    for (const span of ctx.main.querySelectorAll('[data-duration]')) {
      const d = deployments.get(span.dataset.duration);
      if (d && !d.completedAt) span.textContent = elapsed(d);
    }
  }, 1000);
  ctx.signal.addEventListener('abort', () => {
    clearInterval(ticker);
    for (const timer of pending.values()) clearTimeout(timer);
  });

  // The list is read each time the stream (re)opens, so nothing that happened while it was down is missed.
  await ctx.follow('/api/events', {
    onOpen: async () => {
      for (const d of await getJson(`/api/deployments?limit=${shown}`, ctx.signal)) deployments.set(d.id, d);
      draw();
    },
    onEvent: async (type, data) => {
      if (type === 'deployment') refresh(data.id);
    },
  });
}

/** A commit id as ref (a rollback's) reads as its first 12 characters, like the commit column. */
function ref(value) {
  return /^[0-9a-f]{40}$/.test(value) ? h('span', { class: 'mono', title: value }, shortCommit(value)) : value;
}

function elapsed(d) {
  const end = d.completedAt ? Date.parse(d.completedAt) : Date.now();
  return duration(end - Date.parse(d.createdAt));
}
