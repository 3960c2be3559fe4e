// What runs where (GET /api/applications), one application's revisions, and rolling back to one of them.

import { getJson, postJson } from './api.js';
import { h, table, badge, shortCommit, time } from './dom.js';

export async function applicationsPage(ctx) {
  ctx.main.append(h('h1', {}, 'Applications'), h('p', { class: 'muted', id: 'applications-loading' }, 'Asking each cluster what runs on it…'));
  const applications = await getJson('/api/applications', ctx.signal);
  ctx.main.querySelector('#applications-loading').remove();
  if (applications.length === 0) {
    ctx.main.append(h('p', { class: 'muted' }, 'RAD has not deployed any application yet.'));
    return;
  }
  const clusters = [...new Set(applications.map(a => a.cluster))].sort();
  for (const cluster of clusters) {
    ctx.main.append(h('section', { 'aria-labelledby': `cluster-${cluster}` },
      h('h2', { id: `cluster-${cluster}` }, `Cluster ${cluster}`),
      table(null, [
        { title: 'Application', cell: a => h('a', { href: `#/applications/${a.cluster}/${a.name}` }, a.name) },
        { title: 'Revision', cell: a => [String(a.revision), a.pin ? h('span', { class: 'badge pinned', title: a.pin.reason || '' }, `pinned by ${a.pin.pinnedBy}`) : null] },
        { title: 'Commit', cell: a => h('span', { class: 'mono' }, shortCommit(a.commit)) },
        { title: 'Image', class: 'wrap mono wide', cell: a => a.image },
        { title: 'Replicas', cell: a => replicas(a.replicas) },
        { title: 'Health', cell: a => health(a) },
        { title: 'Endpoint', class: 'wrap', cell: a => a.endpoint ? h('a', { href: a.endpoint, rel: 'noopener noreferrer', target: '_blank' }, a.endpoint) : '' },
        { title: 'Strategy', cell: a => a.strategy },
        { title: 'Deployed', cell: a => [time(a.deployedAt), ' ', h('a', { href: `#/deployments/${a.deploymentId}`, class: 'mono id' }, a.deploymentId)] },
      ], applications.filter(a => a.cluster === cluster), a => ({ 'data-application': a.name }))));
  }
}

function replicas(r) {
  return r.running === null ? `?/${r.desired}` : `${r.running}/${r.desired}`;
}

function health(a) {
  if (a.problem) return h('span', { class: 'error' }, a.problem);
  const { healthy, desired } = a.replicas;
  if (healthy === null) return 'unknown';
  return badge(healthy >= desired ? 'Healthy' : healthy === 0 ? 'Unhealthy' : 'Degraded');
}

export async function historyPage(ctx, cluster, name) {
  ctx.main.append(
    h('p', {}, h('a', { href: '#/applications' }, '← Applications')),
    h('h1', {}, `${name} `, h('span', { class: 'muted' }, `on ${cluster}`)));
  const revisions = await getJson(`/api/applications/${encodeURIComponent(name)}/revisions?cluster=${encodeURIComponent(cluster)}`, ctx.signal);
  ctx.main.append(table('Revisions, newest first', [
    { title: 'Revision', cell: r => [String(r.revision), r.current ? h('span', { class: 'badge current' }, 'current') : null] },
    { title: 'Outcome', cell: r => badge(r.outcome) },
    { title: 'Commit', cell: r => h('span', { class: 'mono' }, shortCommit(r.commit)) },
    { title: 'Image', class: 'wrap mono', cell: r => r.image },
    { title: 'Strategy', cell: r => r.strategy },
    { title: 'Replicas', cell: r => String(r.replicas) },
    { title: 'Deployment', cell: r => h('a', { href: `#/deployments/${r.deploymentId}`, class: 'mono id' }, r.deploymentId) },
    { title: 'When', cell: r => time(r.createdAt) },
    { title: 'Note', class: 'wrap', cell: r => r.note || '' },
    {
      title: 'Action',
      cell: r => !r.current && r.outcome.toLowerCase() === 'succeeded'
        ? h('button', { type: 'button', onclick: () => rollback(ctx, cluster, name, r.revision) }, `Roll back to ${r.revision}`)
        : '',
    },
  ], revisions, r => ({ 'data-revision': r.revision })));
}

async function rollback(ctx, cluster, name, revision) {
  const dialog = document.getElementById('confirm');
  dialog.querySelector('#confirm-title').textContent = `Roll back ${name}?`;
  dialog.querySelector('#confirm-text').textContent =
    `${name} on cluster ${cluster} goes back to revision ${revision} (its image is not rebuilt), and stays pinned there until it is unpinned or deployed with --force.`;
  dialog.querySelector('#confirm-ok').textContent = `Roll back to ${revision}`;
  dialog.returnValue = '';
  dialog.showModal();
  await new Promise(resolve => dialog.addEventListener('close', resolve, { once: true }));
  if (dialog.returnValue !== 'ok') return;
  try {
    const accepted = await postJson(`/api/applications/${encodeURIComponent(name)}/rollback`, { cluster, revision });
    ctx.go(`#/deployments/${accepted.id}`);
  } catch (e) {
    ctx.fail(e);
  }
}
