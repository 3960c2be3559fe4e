// Calls to RAD's own /api on this origin. With RAD_API_TOKEN set on the server, every call needs the bearer token: the
// page asks for it once and keeps it in sessionStorage, i.e. for this tab only.

const tokenKey = 'rad-api-token';

export const token = {
  get: () => sessionStorage.getItem(tokenKey),
  set: value => sessionStorage.setItem(tokenKey, value),
  forget: () => sessionStorage.removeItem(tokenKey),
};

/** The API answered 401: no token given, or the one given is refused. */
export class Unauthorized extends Error {
  constructor(detail) {
    super(detail);
    this.name = 'Unauthorized';
  }
}

/** The API could not be reached at all (service down, network). */
export class Unreachable extends Error {
  constructor() {
    super(`No answer from the RAD API at ${location.origin}: is the status service running? Retrying.`);
    this.name = 'Unreachable';
  }
}

/** The API answered with an error (problem+json): its title, detail and field errors. */
export class ApiError extends Error {
  constructor(status, problem) {
    const fields = problem.errors ? Object.entries(problem.errors).map(([k, v]) => `${k}: ${[].concat(v).join(' ')}`) : [];
    super([problem.detail, ...fields].filter(Boolean).join(' ') || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.title = problem.title || `HTTP ${status}`;
  }
}

function headers(extra) {
  const all = new Headers(extra || {});
  const value = token.get();
  if (value) all.set('Authorization', `Bearer ${value}`);
  return all;
}

async function send(path, options = {}) {
  let response;
  try {
    response = await fetch(path, { ...options, headers: headers(options.headers) });
  } catch (e) {
    if (options.signal?.aborted) throw e;
    throw new Unreachable();
  }
  if (response.status === 401) {
    const problem = await response.json().catch(() => ({}));
    throw new Unauthorized(problem.detail || 'This RAD API needs a token.');
  }
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    throw new ApiError(response.status, problem);
  }
  return response;
}

export const getJson = async (path, signal) => (await send(path, { signal })).json();
export const getText = async (path, signal) => (await send(path, { signal })).text();
export const postJson = async (path, body) =>
  (await send(path, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } })).json();

/**
 * Follows a Server-Sent Events stream with fetch (EventSource cannot send the Authorization header). Calls onOpen once
 * the server has answered, onEvent(type, data) per event, and reconnects with a growing delay (1 s to 10 s) until
 * signal aborts; onState('live' | 'reconnecting', error) tells the page. Returns when the server ends the stream
 * after an "end" event, or when aborted.
 */
export async function follow(path, { signal, onOpen, onEvent, onState }) {
  let delay = 1000;
  while (!signal.aborted) {
    let ended = false;
    try {
      const response = await send(path, { signal, headers: { Accept: 'text/event-stream' } });
      onState?.('live');
      delay = 1000;
      await onOpen?.();
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = parseFrame(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          if (!frame) continue;
          if (frame.type === 'end') ended = true;
          await onEvent(frame.type, frame.data);
        }
      }
      if (ended) return;
    } catch (e) {
      if (signal.aborted) return;
      if (e instanceof Unauthorized) throw e;
      onState?.('reconnecting', e);
    }
    if (signal.aborted) return;
    onState?.('reconnecting');
    await sleep(delay, signal);
    delay = Math.min(delay * 2, 10000);
  }
}

function parseFrame(text) {
  let type = 'message';
  const data = [];
  for (const line of text.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') type = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0) return null;
  return { type, data: JSON.parse(data.join('\n')) };
}

export function sleep(ms, signal) {
  return new Promise(resolve => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}
