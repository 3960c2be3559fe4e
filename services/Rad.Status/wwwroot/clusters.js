// The clusters RAD can deploy to and whether each answers now (asked through the deployer). Never any credential:
// the API does not return them.

import { getJson } from './api.js';
import { h, table, badge } from './dom.js';

export async function clustersPage(ctx) {
  ctx.main.append(h('h1', {}, 'Clusters'), h('p', { class: 'muted', id: 'clusters-loading' }, 'Asking each cluster…'));
  const clusters = await getJson('/api/clusters?check=true', ctx.signal);
  ctx.main.querySelector('#clusters-loading').remove();
  ctx.main.append(table(null, [
    { title: 'Cluster', cell: c => c.name },
    { title: 'Kind', cell: c => c.kind },
    { title: 'Answers', cell: c => answers(c.check) },
    { title: 'Server', class: 'wrap', cell: c => c.server },
    { title: 'Namespace', cell: c => c.namespace || '' },
    { title: 'Authentication', cell: c => c.auth || '' },
  ], clusters, c => ({ 'data-cluster': c.name })));
}

function answers(check) {
  if (!check) return '';
  if (check.reachable) return [badge('Answers'), ` ${check.applications} application(s)`];
  return [badge('Unreachable'), ' ', h('span', { class: 'error' }, check.problem)];
}
