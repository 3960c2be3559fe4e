// Building the page from data without innerHTML: every text RAD shows (repository URLs, errors, logs) is user input.

/** h('a', {href: '#/x', class: 'y'}, 'text', child, ...): an element; attributes starting with "on" are listeners. */
export function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (name === 'style') Object.assign(element.style, value);
    else element.setAttribute(name, value === true ? '' : value);
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : String(child));
  }
}

/** A table that turns into labelled cards on a narrow screen: each cell carries its column's name. */
export function table(caption, columns, rows, rowAttributes) {
  return h('div', { class: 'table-wrap' },
    h('table', {},
      caption ? h('caption', {}, caption) : null,
      h('thead', {}, h('tr', {}, columns.map(c => h('th', { scope: 'col' }, c.title)))),
      h('tbody', {}, rows.map(row => h('tr', rowAttributes ? rowAttributes(row) : {},
        columns.map(c => h('td', { 'data-label': c.title, class: c.class }, c.cell(row))))))));
}

export function badge(state) {
  return h('span', { class: `badge state-${String(state).toLowerCase()}` }, state);
}

export function shortCommit(commit) {
  return commit ? commit.slice(0, 12) : '';
}

/** 0.4 s, 12 s, 3 min 05 s, 2 h 03 min. */
export function duration(ms) {
  if (ms === null || ms === undefined || ms < 0) return '';
  const s = ms / 1000;
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 60) return `${Math.round(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(Math.round(s % 60)).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

export function time(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  return h('time', { datetime: iso, title: date.toISOString() }, date.toLocaleString());
}

/** "webhook:github.com" reads "webhook (github.com)"; api, cli, bus and "rollback by ..." as they are. */
export function trigger(value) {
  if (!value) return '';
  return value.startsWith('webhook:') ? `webhook (${value.slice('webhook:'.length)})` : value;
}
