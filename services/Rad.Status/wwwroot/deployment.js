// One deployment: its facts, a timeline of its stages, its applications and its RAD-format log, all updated live from
// GET /api/deployments/ID/events while it runs.

import { getJson, getText } from './api.js';
import { h, table, badge, shortCommit, duration, time, trigger } from './dom.js';

const finalStates = ['Succeeded', 'Failed', 'Superseded'];

export async function deploymentPage(ctx, id) {
  const facts = h('div', { id: 'facts' });
  const timeline = h('div', { id: 'timeline' });
  const applications = h('div', { id: 'applications' });
  const log = h('pre', { id: 'log', class: 'log', tabindex: '0', 'aria-label': 'Deployment log' });
  ctx.main.append(
    h('p', {}, h('a', { href: '#/deployments' }, '← Deployments')),
    h('h1', {}, 'Deployment ', h('span', { class: 'mono' }, id)),
    facts,
    h('h2', {}, 'Timeline'), timeline,
    h('h2', {}, 'Applications'), applications,
    h('h2', {}, 'Log'), log);

  let view = null;
  const draw = () => {
    facts.replaceChildren(...describe(view));
    timeline.replaceChildren(drawTimeline(view));
    applications.replaceChildren(view.applications.length === 0
      ? h('p', { class: 'muted' }, 'None yet: the applications appear once the repository is read.')
      : table(null, [
        { title: 'Application', cell: a => a.name },
        { title: 'Endpoint', class: 'wrap', cell: a => a.endpoint ? h('a', { href: a.endpoint, rel: 'noopener noreferrer', target: '_blank' }, a.endpoint) : '' },
        { title: 'Replicas', cell: a => `${a.runningReplicas}/${a.replicas}` },
        { title: 'Image', class: 'wrap mono', cell: a => a.image || '' },
        { title: 'Note', class: 'wrap', cell: a => a.note || '' },
      ], view.applications));
  };
  const load = async () => {
    const [next, text] = await Promise.all([getJson(`/api/deployments/${id}`, ctx.signal), getText(`/api/deployments/${id}/log`, ctx.signal)]);
    view = next;
    log.textContent = text;
    draw();
  };

  let timer = null;
  const refresh = () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      load().catch(e => { if (!ctx.signal.aborted) ctx.fail(e); });
    }, 100);
  };
  // While it runs, the bars of running stages grow with the clock.
  const ticker = setInterval(() => { if (view && !view.completedAt) timeline.replaceChildren(drawTimeline(view)); }, 1000);
  ctx.signal.addEventListener('abort', () => { clearInterval(ticker); clearTimeout(timer); });

  await load();
  if (finalStates.includes(view.state)) return;
  await ctx.follow(`/api/deployments/${id}/events`, {
    onOpen: load,
    onEvent: async type => {
      if (type === 'end') await load();
      else refresh();
    },
  });
}

function describe(d) {
  const items = [
    ['State', badge(d.state)],
    ['Repository', d.repository],
    ['Ref', d.ref],
    ['Commit', h('span', { class: 'mono' }, shortCommit(d.commit))],
    ['Cluster', d.cluster],
    ['Triggered by', trigger(d.trigger)],
    ['Started', time(d.createdAt)],
    ['Duration', duration((d.completedAt ? Date.parse(d.completedAt) : Date.now()) - Date.parse(d.createdAt))],
  ];
  if (d.concurrency) items.push(['Concurrency', d.concurrency]);
  if (d.supersededBy) items.push(['Superseded by', h('a', { href: `#/deployments/${d.supersededBy}`, class: 'mono' }, d.supersededBy)]);
  const list = h('dl', { class: 'facts' }, items.map(([k, v]) => [h('dt', {}, k), h('dd', { class: 'wrap' }, v)]));
  return d.error ? [list, h('p', { class: 'error', id: 'deployment-error', role: 'alert' }, h('strong', {}, 'Failed: '), d.error)] : [list];
}

/**
 * A bar per stage on one time axis, from the deployment's start to its end (or now), coloured by the stage's state,
 * with the message of a failed stage under its bar. Drawn with HTML so that it reads on a phone and to a screen reader.
 */
function drawTimeline(d) {
  const start = Date.parse(d.createdAt);
  const end = d.completedAt ? Date.parse(d.completedAt) : Date.now();
  const stageEnd = s => (s.completedAt ? Date.parse(s.completedAt) : (d.completedAt ? end : Date.now()));
  const span = Math.max(end, ...d.stages.map(stageEnd)) - start || 1;
  const pct = ms => `${Math.min(100, Math.max(0, (ms / span) * 100)).toFixed(2)}%`;
  if (d.stages.length === 0) return h('p', { class: 'muted' }, 'No stage has started yet.');
  const ticks = [0, 0.25, 0.5, 0.75, 1].map(f => h('span', { class: 'tick', style: { left: `${f * 100}%` } }, duration(f * span)));
  return h('ol', { class: 'timeline', 'aria-label': `Stages on a time axis of ${duration(span)}` },
    d.stages.map(s => {
      const from = Date.parse(s.startedAt) - start;
      const length = Math.max(stageEnd(s) - Date.parse(s.startedAt), 0);
      return h('li', { class: `stage state-${s.state.toLowerCase()}`, 'data-stage': s.name, 'data-state': s.state },
        h('div', { class: 'stage-label' },
          h('span', { class: 'stage-name' }, s.name),
          h('span', { class: 'stage-meta' }, `${s.state} · ${duration(length)}`)),
        h('div', { class: 'track' },
          h('div', { class: 'bar', style: { left: pct(from), width: `max(3px, ${pct(length)})` }, title: `${s.name}: ${s.state}, ${duration(length)}` })),
        s.message ? h('p', { class: s.state === 'Failed' ? 'stage-message error' : 'stage-message' }, s.message) : null);
    }),
    h('li', { class: 'axis', 'aria-hidden': 'true' }, h('div', { class: 'stage-label' }), h('div', { class: 'track ticks' }, ticks)));
}
