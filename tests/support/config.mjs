// Gateway configs for the suites, built as plain objects and written as block-style YAML.
// Tests that care about exact line numbers (--check-config) write their YAML by hand instead.

export const MASTER_KEY = 'sk-gw-master';
export const UPSTREAM_KEY = 'sk-upstream-test';

/** Block-style YAML for plain objects, arrays, strings, numbers and booleans. */
export function toYaml(value, indent = '') {
  const scalar = (v) => {
    if (typeof v !== 'string') return String(v);
    // Quote only what plain YAML scalars cannot carry.
    return v === '' || /^[\s\-?:,[\]{}#&*!|>'"%@`]|: | #|\s$/.test(v) ? JSON.stringify(v) : v;
  };
  if (Array.isArray(value)) {
    return value
      .map((item) => {
        if (item !== null && typeof item === 'object') {
          const body = toYaml(item, `${indent}  `);
          return `${indent}- ${body.slice(indent.length + 2)}`;
        }
        return `${indent}- ${scalar(item)}\n`;
      })
      .join('');
  }
  return Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .map(([key, v]) =>
      v !== null && typeof v === 'object' ? `${indent}${key}:\n${toYaml(v, `${indent}  `)}` : `${indent}${key}: ${scalar(v)}\n`,
    )
    .join('');
}

/**
 * The standard test config: one OpenAI provider `up` pointing at the mock and one alias `fast`.
 * Every part can be overridden or extended.
 */
export function gatewayConfig({
  mockUrl,
  masterKey = MASTER_KEY,
  listen = '127.0.0.1:0',
  server = {},
  timeouts = {},
  upstreamKey = UPSTREAM_KEY,
  providers = {},
  models = {},
} = {}) {
  return toYaml({
    server: {
      listen,
      max_body_size: '1MiB',
      header_timeout: '5s',
      idle_timeout: '30s',
      shutdown_timeout: '10s',
      ...server,
    },
    ...(masterKey ? { auth: { master_key: masterKey } } : {}),
    timeouts: { connect: '2s', first_byte: '2s', total: '30s', ...timeouts },
    providers: {
      up: { type: 'openai', base_url: mockUrl, api_key: upstreamKey },
      ...providers,
    },
    models: {
      fast: { deployments: [{ provider: 'up', model: 'gpt-4o-mini' }] },
      ...models,
    },
  });
}
